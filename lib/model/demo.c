/*
 * The demo data set: a fictional prefectural police cyber unit with 10 stations, HQ divisions,
 * the NPA and a partner; users for every role with fixed passwords (docs/data-model.md); reports over
 * the last 12 months across every category, with Japanese narratives built from templates and
 * observables drawn from small pools with a skewed distribution, so that the same phishing
 * domain, bank account or wallet recurs across reports and stations; and about 30 cases built
 * from reports that share an observable, with tasks, notes, transitions and pending approvals;
 * and a few fictional posts checked by the cyber patrol, so the review queue is not empty; and
 * a few fictional lookalike domains for the phishing watch (フィッシング監視).
 *
 * Everything is fictional: names are 架空/見本/試験-style, domains are under example.com/.net/
 * .org/.jp, addresses come from the documentation ranges 192.0.2.0/24, 198.51.100.0/24 and
 * 203.0.113.0/24, phone numbers use the unallocated 0000 blocks, wallets are the published
 * test vectors of BIP 173 and EIP-55. The data go in through the service functions, so they are
 * validated, extracted, access-checked and audited exactly like real input.
 */
#include "model/group.h"
#include "model/report.h"

#include <stdio.h>
#include <string.h>

#include "renkei/alloc.h"
#include "renkei/buf.h"
#include "renkei/limits.h"

/* ===== Seeded generator (splitmix64): the same seed gives the same data ===== */

struct rng {
    uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static int rng_int(struct rng *r, int n)
{
    return (int)(rng_next(r) % (uint64_t)n);
}

/* Skewed towards the first entries: a few values recur often, most rarely. */
static int rng_skew(struct rng *r, int n)
{
    double u = (double)(rng_next(r) >> 11) / 9007199254740992.0;
    int i = (int)(u * u * n);
    return i < n ? i : n - 1;
}

#define N_OF(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ===== The organisation and its people ===== */

struct demo_unit {
    const char *key, *name, *name_en, *kind, *parent; /* parent key; NULL for a root */
};

static const struct demo_unit UNITS[] = {
    {"hq", "〇〇県警察本部", "Prefectural Police HQ", "hq_division", NULL},
    {"kikaku", "サイバー企画課", "Cyber Planning Division", "hq_division", "hq"},
    {"sousa", "サイバー捜査課", "Cyber Investigation Division", "hq_division", "hq"},
    {"taisaku", "サイバー攻撃対策課", "Cyber Attack Countermeasures Division", "hq_division",
     "hq"},
    {"s01", "東浜警察署", "Higashihama Police Station", "station", "hq"},
    {"s02", "北山警察署", "Kitayama Police Station", "station", "hq"},
    {"s03", "西原警察署", "Nishihara Police Station", "station", "hq"},
    {"s04", "南港警察署", "Minamiminato Police Station", "station", "hq"},
    {"s05", "桜川警察署", "Sakuragawa Police Station", "station", "hq"},
    {"s06", "緑ヶ丘警察署", "Midorigaoka Police Station", "station", "hq"},
    {"s07", "白鷺警察署", "Shirasagi Police Station", "station", "hq"},
    {"s08", "朝日台警察署", "Asahidai Police Station", "station", "hq"},
    {"s09", "若葉警察署", "Wakaba Police Station", "station", "hq"},
    {"s10", "青葉台警察署", "Aobadai Police Station", "station", "hq"},
    {"npa", "警察庁サイバー警察局", "NPA Cyber Affairs Bureau", "npa", NULL},
    {"partner", "架空通信株式会社", "Kakuu Telecom Co. (fictional partner)", "partner", NULL},
};

struct demo_login {
    const char *login, *password, *name, *role, *unit;
};

/* The fixed demo log-ins (docs/data-model.md). Demo passwords are public: never use them on a real
 * installation. */
static const struct demo_login LOGINS[] = {
    {"sysadmin", "renkei-demo-admin", "見本 管理者", "admin", "hq"},
    {"kikaku", "renkei-demo-supervisor", "架空 課長", "supervisor", "kikaku"},
    {"sousa1", "renkei-demo-analyst", "試験 分析一", "analyst", "sousa"},
    {"sousa2", "renkei-demo-analyst", "試験 分析二", "analyst", "taisaku"},
    {"higashihama", "renkei-demo-station", "架空 東浜署員", "station", "s01"},
    {"kitayama", "renkei-demo-station", "架空 北山署員", "station", "s02"},
    {"nishihara", "renkei-demo-station", "架空 西原署員", "station", "s03"},
    {"minamiminato", "renkei-demo-station", "架空 南港署員", "station", "s04"},
    {"sakuragawa", "renkei-demo-station", "架空 桜川署員", "station", "s05"},
    {"midorigaoka", "renkei-demo-station", "架空 緑ヶ丘署員", "station", "s06"},
    {"shirasagi", "renkei-demo-station", "架空 白鷺署員", "station", "s07"},
    {"asahidai", "renkei-demo-station", "架空 朝日台署員", "station", "s08"},
    {"wakaba", "renkei-demo-station", "架空 若葉署員", "station", "s09"},
    {"aobadai", "renkei-demo-station", "架空 青葉台署員", "station", "s10"},
    {"npa", "renkei-demo-npa", "見本 警察庁分析官", "analyst", "npa"},
    {"partner", "renkei-demo-partner", "見本 協定事業者", "partner", "partner"},
};

static const char *unit_name(const char *key)
{
    for (int i = 0; i < N_OF(UNITS); i++) {
        if (strcmp(UNITS[i].key, key) == 0)
            return UNITS[i].name;
    }
    return "";
}

enum rk_status rk_demo_logins(json_t **out)
{
    json_t *a = json_array();
    for (int i = 0; a != NULL && i < N_OF(LOGINS); i++)
        json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:s}", "login", LOGINS[i].login,
                                           "password", LOGINS[i].password, "role",
                                           LOGINS[i].role, "unit", unit_name(LOGINS[i].unit)));
    if (a == NULL)
        return RK_ENOMEM;
    *out = a;
    return RK_OK;
}

/* ===== Observable pools ===== */

enum pool { P_DOMAIN, P_IP, P_PHONE, P_EMAIL, P_BANK, P_WALLET, P_HASH, P_FILE, P_COUNT };

static const char *const DOMAINS[] = {
    "kakuu-bank-login.example.jp", "mikan-pay-verify.example.com", "sakura-card-secure.example.net",
    "takuhai-fuzai.example.com",   "tsuuhan-sale.example.org",     "point-kikan.example.net",
    "kakuu-shoken.example.jp",     "coin-kakuu.example.net",       "pc-support-kakuu.example.com",
    "hoken-kakunin.example.org",   "brand-outlet-kakuu.example.com", "toushi-salon.example.net",
};
static const char *const IPS[] = {"203.0.113.45", "198.51.100.23", "192.0.2.77",
                                  "203.0.113.8",  "198.51.100.190", "192.0.2.14",
                                  "203.0.113.201", "198.51.100.66"};
static const char *const PHONES[] = {"050-0000-2381", "090-0000-4417", "080-0000-7702",
                                     "03-0000-5521",  "070-0000-1290", "06-0000-3344",
                                     "050-0000-9014", "090-0000-6650"};
static const char *const EMAILS[] = {"support@kakuu-bank-login.example.jp",
                                     "info@takuhai-fuzai.example.com",
                                     "no-reply@mikan-pay-verify.example.com",
                                     "sales@tsuuhan-sale.example.org",
                                     "contact@toushi-salon.example.net",
                                     "admin@coin-kakuu.example.net"};
static const char *const BANKS[] = {
    "架空銀行 港南支店 普通 2345678 カクウ ハナコ", "見本信用金庫 中央支店 普通 3456789 ミホン イチロウ",
    "試験銀行 本店営業部 普通 4567890 シケン タロウ", "架空銀行 駅前支店 普通 5678901 カ）カクウショウジ",
    "仮名ネット銀行 第一営業部 普通 6789012 カメイ ジロウ", "見本信用金庫 北支店 当座 7890123 ミホンサービス（ド"};
static const char *const WALLETS[] = {
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
    "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3",
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB"};
static const char *const FILES[] = {"README_RESTORE_FILES.txt", "請求書_2026.pdf.exe",
                                    "invoice_kakuu.zip", "update_flashplayer.exe",
                                    "HOW_TO_DECRYPT.html"};
#define N_HASHES 5

static const int POOL_SIZE[P_COUNT] = {N_OF(DOMAINS), N_OF(IPS),     N_OF(PHONES), N_OF(EMAILS),
                                       N_OF(BANKS),   N_OF(WALLETS), N_HASHES,     N_OF(FILES)};

/* Role of a pool's values when linked to a case. */
static const char *const POOL_ROLE[P_COUNT] = {
    "phishing_site", "attacker_infrastructure", "contact", "contact", "payment_destination",
    "payment_destination", "malware", "malware"};

/* ===== Narrative templates: {D} domain {U} URL {I} IP {P} phone {E} e-mail {B} bank account
 * {W} wallet {H} SHA-256 {F} file name {N} person {A} amount {S} shop name ===== */

struct tmpl {
    const char *category, *title, *text;
};

static const struct tmpl TEMPLATES[] = {
    {"fake_shop", "偽通販サイトでの購入被害",
     "{N}さんが検索で見つけた通販サイト {U} でブランド品を購入し、{B} に{A}円を振り込んだが"
     "商品が届かない。サイトの会社概要の住所は存在せず、問い合わせ先 {E} にも返信がない。"},
    {"support_scam", "サポート詐欺（偽警告画面）",
     "{N}さんのパソコンに「ウイルスに感染しました」との警告画面が表示され、記載の {P} に電話した"
     "ところ、遠隔操作ソフトを入れさせられ、電子マネー{A}円分の購入を求められた。"},
    {"sns_investment", "SNS型投資詐欺",
     "SNSの広告から投資グループに誘導され、講師を名乗る人物の指示で投資アプリ {U} に登録。"
     "{B} に計{A}円を入金したが出金できない。連絡先は {E}。"},
    {"romance_scam", "SNS型ロマンス詐欺",
     "マッチングアプリで知り合った人物と連絡を取り合ううち、暗号資産の投資を勧められ "
     "{W} に送金した。被害額は約{A}円。相手の連絡先は {P}。"},
    {"auction_fraud", "フリマアプリでの代金詐取",
     "フリマアプリで出品者から直接取引を持ちかけられ、{B} に{A}円を振り込んだが商品が届かない。"
     "出品者のメールアドレスは {E}。"},
    {"account_takeover", "SNSアカウントの乗っ取り",
     "{N}さんのSNSアカウントに見知らぬ {I} からログインされ、パスワードとメールアドレスを変更された。"
     "乗っ取り後、知人に {U} への誘導メッセージが送られている。"},
    {"ransomware", "ランサムウェア被害（中小企業）",
     "事業所のファイルサーバが暗号化され、各フォルダに {F} が置かれていた。VPN機器のログに {I} "
     "からの不審な接続。検体のSHA-256は {H}。身代金は暗号資産で {W} 宛てを要求。"},
    {"defacement", "ウェブサイトの改ざん",
     "{S}の公式サイトのトップページが改ざんされ、外部の {U} へ転送されるようになった。"
     "サーバのアクセスログに {I} からの管理画面への接続が残っている。"},
    {"data_breach", "顧客情報の流出の疑い",
     "{S}の顧客管理システムから会員情報が流出した可能性。ダークウェブの掲示板に一部が掲載され、"
     "不正アクセス元として {I} が記録されていた。"},
    {"ddos", "DDoS攻撃によるサービス停止",
     "{S}の予約サイトに大量の通信が集中し約3時間停止した。攻撃元の一部は {I}。"
     "攻撃の停止と引き換えに {W} への送金を求めるメールが {E} から届いた。"},
    {"malware", "マルウェア感染（添付ファイル）",
     "取引先を装ったメールの添付ファイル {F} を開いたところ、端末から {I} への不審な通信が発生。"
     "ファイルのSHA-256は {H}。送信元は {E}。"},
    {"phishing", "銀行を装ったフィッシング",
     "{N}さんに銀行を名乗るメールが届き、記載の {U} にアクセスしてIDとパスワードを入力した。"
     "送信元は {E}。サイトのIPアドレスは {I}。"},
    {"smishing", "宅配業者を装ったスミッシング",
     "{N}さんの携帯電話に「お荷物をお届けにあがりましたが不在のため持ち帰りました」とのSMSが"
     "届き、{U} を開いてアプリをインストールしてしまった。SMSの送信元は {P}。"},
    {"ib_transfer", "インターネットバンキング不正送金",
     "{N}さんの口座から身に覚えのない{A}円が {B} へ送金されていた。直前にフィッシングサイト "
     "{U} でログイン情報を入力していた。"},
    {"securities_takeover", "証券口座の不正取引",
     "{N}さんの証券口座に {I} から不正ログインされ、保有株が売却されて見知らぬ銘柄が購入されていた。"
     "直前に証券会社を装ったメール（{E}）を受信。"},
    {"crypto_theft", "暗号資産の不正送信",
     "暗号資産交換業者のアカウントに不正ログインされ、{A}円相当の暗号資産が {W} に送信された。"
     "偽のログインページ {U} に認証情報を入力していた。"},
    {"card_fraud", "クレジットカードの不正利用",
     "{N}さんのクレジットカードで身に覚えのない海外サイトでの決済が{A}円分あった。カード会社を"
     "装ったSMSの {U} にカード番号を入力していた。"},
    {"defamation", "掲示板での誹謗中傷",
     "匿名掲示板に{N}さんの実名とともに事実無根の書き込みが繰り返されている。投稿者は {E} の"
     "アドレスで同様のメールも送ってきている。"},
    {"threat", "メールによる犯行予告",
     "{S}宛てに {E} から爆破を予告するメールが届いた。同様のメールが複数の施設に届いている模様。"},
    {"doxxing", "個人情報の晒し行為",
     "{N}さんの住所と勤務先がSNS上で拡散されている。拡散元のアカウントは {U} に情報をまとめている。"},
    {"illegal_info", "違法情報（口座売買の書き込み）",
     "サイバーパトロールで、預貯金口座の売買を持ちかける書き込みを発見。連絡先として {E} と "
     "{P} が記載されている。掲載サイトは {U}。"},
    {"harmful_info", "有害情報（闇バイト募集）",
     "SNSで「高収入・即日払い」の闇バイト募集を確認。応募者を {U} に誘導し、連絡先 {P} へ"
     "身分証の送付を求めている。"},
    {"spam", "迷惑メールの大量受信",
     "{N}さんのメールアドレスに {E} から当選を知らせる迷惑メールが大量に届く。本文のリンクは {U}。"},
    {"other", "その他の相談",
     "{N}さんから、不審な電話 {P} で個人情報を聞かれたがどうすればよいかとの相談。"},
};

static const char *const SURNAMES[] = {"架空", "見本", "試験", "仮名", "例示", "模擬"};
static const char *const GIVEN[] = {"太郎", "花子", "一郎", "次郎", "美咲", "健太", "陽子", "翔"};
static const char *const KANA_SUR[] = {"カクウ", "ミホン", "シケン", "カメイ", "レイジ", "モギ"};
static const char *const KANA_GIVEN[] = {"タロウ", "ハナコ", "イチロウ", "ジロウ",
                                         "ミサキ", "ケンタ", "ヨウコ", "ショウ"};
static const char *const SHOPS[] = {"架空商事株式会社", "見本工業株式会社", "試験ホテル",
                                    "仮名クリニック", "模擬市役所", "例示運輸株式会社"};
static const char *const CITIES[] = {"架空市", "見本町", "試験市", "仮名村"};
static const char *const INTAKE[] = {"sodan", "sodan", "sodan", "tsuho", "tsuho", "joho_teikyo",
                                     "higai_todoke"};
static const char *const CHANNELS[] = {"madoguchi", "denwa", "denwa", "9110", "online",
                                       "online",    "110",   "ihc",   "patrol", "email"};

/* One report's generated content. */
struct gen {
    struct rk_buf text;
    int used[P_COUNT]; /* pool index used, -1 none */
};

static void put_value(struct gen *g, struct rng *r, enum pool p, const char *const *pool,
                      char hashes[N_HASHES][65])
{
    if (g->used[p] < 0)
        g->used[p] = rng_skew(r, POOL_SIZE[p]);
    const char *v = p == P_HASH ? hashes[g->used[p]] : pool[g->used[p]];
    rk_buf_adds(&g->text, v);
}

static void render(struct gen *g, struct rng *r, const char *t, char hashes[N_HASHES][65],
                   const char *person, long long amount)
{
    for (const char *p = t; *p != '\0'; p++) {
        if (p[0] != '{' || p[1] == '\0' || p[2] != '}') {
            rk_buf_addc(&g->text, *p);
            continue;
        }
        char k = p[1];
        p += 2;
        switch (k) {
        case 'D':
            put_value(g, r, P_DOMAIN, DOMAINS, hashes);
            break;
        case 'U': {
            /* A URL on a pool domain, sometimes defanged as officers paste it. */
            if (g->used[P_DOMAIN] < 0)
                g->used[P_DOMAIN] = rng_skew(r, POOL_SIZE[P_DOMAIN]);
            const char *d = DOMAINS[g->used[P_DOMAIN]];
            static const char *const paths[] = {"/login", "/verify", "/account/update", "/",
                                                "/campaign"};
            const char *path = paths[g->used[P_DOMAIN] % N_OF(paths)];
            if (rng_int(r, 4) == 0) {
                const char *dot = strchr(d, '.');
                rk_buf_addf(&g->text, "hxxps://%.*s[.]%s%s", (int)(dot - d), d, dot + 1, path);
            } else {
                rk_buf_addf(&g->text, "https://%s%s", d, path);
            }
            break;
        }
        case 'I':
            put_value(g, r, P_IP, IPS, hashes);
            break;
        case 'P':
            put_value(g, r, P_PHONE, PHONES, hashes);
            break;
        case 'E':
            put_value(g, r, P_EMAIL, EMAILS, hashes);
            break;
        case 'B':
            put_value(g, r, P_BANK, BANKS, hashes);
            break;
        case 'W':
            put_value(g, r, P_WALLET, WALLETS, hashes);
            break;
        case 'H':
            put_value(g, r, P_HASH, NULL, hashes);
            break;
        case 'F':
            put_value(g, r, P_FILE, FILES, hashes);
            break;
        case 'N':
            rk_buf_adds(&g->text, person);
            break;
        case 'A':
            rk_buf_addf(&g->text, "%lld", amount);
            break;
        case 'S':
            rk_buf_adds(&g->text, SHOPS[rng_int(r, N_OF(SHOPS))]);
            break;
        default:
            rk_buf_addc(&g->text, '{');
            p -= 2;
        }
    }
}

/* ===== Generation ===== */

struct demo_ctx {
    struct rk_store *s;
    struct rng r;
    char unit_id[N_OF(UNITS)][37];
    struct rk_actor users[N_OF(LOGINS)];
    int n_reports;
    char (*report_id)[37];
    int (*report_used)[P_COUNT];
    unsigned char *report_red;
    int *report_station; /* index into LOGINS of the filing station user */
    const char **report_category; /* the template's category (static strings) */
    /* Reports go in on one connection, in transactions of RK_DEMO_BATCH reports: a commit per
     * report would make a million-report data set for the benchmarks take an hour. */
    struct rk_conn *c;
    struct rk_access acc[N_OF(LOGINS)];
};

#define RK_DEMO_BATCH 500

static int unit_index(const char *key)
{
    for (int i = 0; i < N_OF(UNITS); i++) {
        if (strcmp(UNITS[i].key, key) == 0)
            return i;
    }
    return 0;
}

static int login_index(const char *login)
{
    for (int i = 0; i < N_OF(LOGINS); i++) {
        if (strcmp(LOGINS[i].login, login) == 0)
            return i;
    }
    return 0;
}

static const struct rk_actor *user(struct demo_ctx *d, const char *login)
{
    return &d->users[login_index(login)];
}

/* Finds a root HQ made by `renkei init`, or creates the whole tree. */
static enum rk_status make_units(struct demo_ctx *d, struct rk_error *err)
{
    struct rk_actor sys;
    rk_actor_system(&sys);
    json_t *list = NULL;
    enum rk_status rc = rk_unit_list(d->s, &sys, &list, err);
    if (rc != RK_OK)
        return rc;
    for (int i = 0; i < N_OF(UNITS) && rc == RK_OK; i++) {
        const struct demo_unit *u = &UNITS[i];
        /* An existing unit of the same name and kind is reused (e.g. the HQ from init). */
        size_t k;
        json_t *e;
        d->unit_id[i][0] = '\0';
        json_array_foreach(json_object_get(list, "items"), k, e)
        {
            const char *name = json_string_value(json_object_get(e, "name"));
            const char *kind = json_string_value(json_object_get(e, "kind"));
            int root = json_is_null(json_object_get(e, "parent_id"));
            if ((strcmp(name, u->name) == 0 && strcmp(kind, u->kind) == 0) ||
                (u->parent == NULL && strcmp(u->key, "hq") == 0 && root &&
                 strcmp(kind, "hq_division") == 0))
                snprintf(d->unit_id[i], 37, "%s", json_string_value(json_object_get(e, "id")));
        }
        if (d->unit_id[i][0] != '\0')
            continue;
        json_t *in = json_pack("{s:s,s:s,s:s,s:s?}", "name", u->name, "name_en", u->name_en,
                               "kind", u->kind, "parent_id",
                               u->parent ? d->unit_id[unit_index(u->parent)] : NULL);
        json_t *o = NULL;
        rc = rk_unit_create(d->s, &sys, in, &o, err);
        if (rc == RK_OK)
            snprintf(d->unit_id[i], 37, "%s", json_string_value(json_object_get(o, "id")));
        json_decref(in);
        json_decref(o);
    }
    json_decref(list);
    return rc;
}

static enum rk_status make_users(struct demo_ctx *d, struct rk_error *err)
{
    struct rk_actor sys;
    rk_actor_system(&sys);
    enum rk_status rc = RK_OK;
    for (int i = 0; i < N_OF(LOGINS) && rc == RK_OK; i++) {
        const struct demo_login *l = &LOGINS[i];
        const char *unit = d->unit_id[unit_index(l->unit)];
        json_t *o = NULL;
        json_t *in = json_pack("{s:s,s:s,s:s,s:s,s:s}", "login", l->login, "password",
                               l->password, "name", l->name, "role", l->role, "unit_id", unit);
        rc = rk_user_create(d->s, &sys, in, &o, err);
        json_decref(in);
        if (rc != RK_OK)
            break;
        struct rk_actor *a = &d->users[i];
        memset(a, 0, sizeof(*a));
        snprintf(a->user_id, sizeof(a->user_id), "%s", json_string_value(json_object_get(o, "id")));
        snprintf(a->unit_id, sizeof(a->unit_id), "%s", unit);
        snprintf(a->login, sizeof(a->login), "%s", l->login);
        a->role = rk_role_from_name(l->role);
        json_decref(o);
    }
    return rc;
}

static const char *reporter_type(const char *category, struct rng *r)
{
    static const char *const orgs[] = {"company_sme", "company_sme", "company_large",
                                       "organisation", "critical_infrastructure", "government"};
    static const char *const org_cats[] = {"ransomware", "defacement", "data_breach", "ddos",
                                           "threat", NULL};
    return rk__in_set(category, org_cats) ? orgs[rng_int(r, N_OF(orgs))] : "individual";
}

/* The state path of a report by its age: older reports have moved further. "*" steps need
 * 決裁 and are taken by the supervisor (or left pending when `pending`). */
static enum rk_status advance_report(struct demo_ctx *d, int idx, int age_days,
                                     struct rk_error *err)
{
    static const char *const paths[][4] = {
        {"triaged", NULL},
        {"in_progress", NULL},
        {"in_progress", "advised", NULL},
        {"in_progress", "referred", NULL},
        {"in_progress", "damage_accepted", NULL},
        {"in_progress", "damage_accepted", "investigating", NULL},
        {"in_progress", "advised", "closed", NULL},
        {"in_progress", "referred", "closed", NULL},
    };
    int p;
    if (age_days < 7)
        p = rng_int(&d->r, 3) == 0 ? -1 : 0;
    else if (age_days < 30)
        p = rng_int(&d->r, 2);
    else
        p = 2 + rng_int(&d->r, N_OF(paths) - 2);
    if (p < 0)
        return RK_OK;
    const struct rk_access *station = &d->acc[d->report_station[idx]];
    const struct rk_access *sup = &d->acc[login_index("kikaku")];
    /* One in eight approval steps is left as a pending 起案 for the supervisor's queue. */
    int leave_pending = rng_int(&d->r, 8) == 0;
    for (int k = 0; k < 4 && paths[p][k] != NULL; k++) {
        json_t *in = json_pack("{s:s}", "to", paths[p][k]);
        int needs = strcmp(paths[p][k], "investigating") == 0 || strcmp(paths[p][k], "closed") == 0;
        const struct rk_access *who =
            (needs && !leave_pending && !d->report_red[idx]) ? sup : station;
        enum rk_status rc = rk__report_transition_in(d->s, d->c, who, d->report_id[idx], in, err);
        json_decref(in);
        if (rc != RK_OK || needs)
            return rc;
    }
    return RK_OK;
}

static enum rk_status make_report(struct demo_ctx *d, int idx, char hashes[N_HASHES][65],
                                  struct rk_error *err)
{
    struct rng *r = &d->r;
    const struct tmpl *t = &TEMPLATES[idx < N_OF(TEMPLATES) ? idx : rng_int(r, N_OF(TEMPLATES))];
    int station = 4 + rng_skew(r, 10); /* LOGINS[4..13] are the station users */
    int sur = rng_int(r, N_OF(SURNAMES)), giv = rng_int(r, N_OF(GIVEN));
    char person[64], kana[64];
    snprintf(person, sizeof(person), "%s%s", SURNAMES[sur], GIVEN[giv]);
    snprintf(kana, sizeof(kana), "%s %s", KANA_SUR[sur], KANA_GIVEN[giv]);
    long long amount = (long long)(1 + rng_int(r, 300)) * 10000;
    struct gen g;
    rk_buf_init(&g.text, RK_MAX_NARRATIVE_BYTES);
    for (int p = 0; p < P_COUNT; p++)
        g.used[p] = -1;
    render(&g, r, t->text, hashes, person, amount);
    int age_days = rng_int(r, 365);
    char received[21];
    rk__time_format(rk__now_unix() - (int64_t)age_days * 86400 - rng_int(r, 86400), received);
    int red = rng_int(r, 25) == 0;
    static const char *const scopes[] = {"prefecture", "prefecture", "prefecture", "police",
                                         "prefecture", "prefecture", "unit"};
    const char *scope = red ? "prefecture" : scopes[rng_int(r, N_OF(scopes))];
    static const char *const tlps[] = {"AMBER", "AMBER", "AMBER", "GREEN", "AMBER+STRICT"};
    int has_damage = strstr(t->text, "{A}") != NULL;
    json_t *in = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:b,s:{s:s,s:s,s:s,s:i,s:s,s:s,s:s,s:b},s:s,s:s}",
        "intake_type", INTAKE[rng_int(r, N_OF(INTAKE))], "channel",
        CHANNELS[rng_int(r, N_OF(CHANNELS))], "category", t->category, "title", t->title,
        "narrative", g.text.data ? g.text.data : t->title, "received_at", received,
        "damage_amount", (json_int_t)(has_damage ? amount : 0), "urgent", rng_int(r, 12) == 0,
        "reporter", "type", reporter_type(t->category, r), "name", person, "kana", kana, "age",
        20 + rng_int(r, 60), "gender", rng_int(r, 2) ? "male" : "female", "prefecture", "〇〇県",
        "city", CITIES[rng_int(r, N_OF(CITIES))], "wants_reply", rng_int(r, 3) != 0, "tlp",
        red ? "RED" : tlps[rng_int(r, N_OF(tlps))], "scope", scope);
    if (strcmp(t->category, "ransomware") == 0) {
        static const char *const sizes[] = {"sme", "sme", "large", "organisation"};
        static const char *const routes[] = {"vpn", "vpn", "rdp", "mail", "unknown"};
        static const char *const restored[] = {"full", "partial", "none", "unknown"};
        static const char *const times[] = {"lt_1w", "lt_1m", "1_2m", "ge_2m", "ongoing"};
        static const char *const costs[] = {"lt_100man", "100_500man", "500_1000man",
                                            "1000_5000man", "5000man_1oku", "ge_1oku"};
        static const char *const industries[] = {"製造業", "医療・福祉", "卸売・小売業",
                                                 "情報通信業", "建設業"};
        json_object_set_new(
            in, "ransomware",
            json_pack("{s:s,s:s,s:s,s:b,s:b,s:I,s:s,s:b,s:s,s:s,s:s}", "size",
                      sizes[rng_int(r, N_OF(sizes))], "industry",
                      industries[rng_int(r, N_OF(industries))], "intrusion_route",
                      routes[rng_int(r, N_OF(routes))], "data_stolen", rng_int(r, 5) != 0,
                      "patched", rng_int(r, 3) == 0, "demand_amount",
                      (json_int_t)(1 + rng_int(r, 50)) * 1000000, "demand_currency", "BTC",
                      "backup", rng_int(r, 5) != 0, "restored",
                      restored[rng_int(r, N_OF(restored))], "recovery_time",
                      times[rng_int(r, N_OF(times))], "cost_band",
                      costs[rng_int(r, N_OF(costs))]));
        json_object_set_new(in, "npa_reported", json_boolean(rng_int(r, 3) != 0));
    }
    if (strcmp(t->category, "smishing") == 0)
        json_object_set_new(in, "sms_text",
                            json_string("お客様宛にお荷物のお届けにあがりましたが不在の為"
                                        "持ち帰りました。配送物は下記よりご確認ください。"));
    rk_buf_free(&g.text);
    enum rk_status rc = rk__report_create_in(d->s, d->c, &d->acc[station], in, d->report_id[idx],
                                             err);
    json_decref(in);
    if (rc != RK_OK)
        return rc;
    memcpy(d->report_used[idx], g.used, sizeof(g.used));
    /* RED and unit-scoped reports are visible only to their station: HQ cannot build cases
     * from them, and the supervisor cannot decide their steps. */
    d->report_red[idx] = (unsigned char)(red || strcmp(scope, "unit") == 0);
    d->report_station[idx] = station;
    d->report_category[idx] = t->category;
    return advance_report(d, idx, age_days, err);
}

static const char *const TASKS[] = {
    "プロバイダへの契約者照会", "口座凍結依頼の起案",   "被害者への連絡と被害届の受理",
    "サーバのログ保全依頼",     "関係県警への照会",     "ドメインのテイクダウン依頼",
    "暗号資産交換業者への照会", "注意喚起文の作成",     "押収資料の解析",
};
static const char *const NOTES[] = {
    "同一の送金先口座が複数署の相談に出現。被害者間に接点はない。",
    "ドメインの登録情報は架空名義。ホスティング事業者へ照会予定。",
    "関係者の供述から、同じグループによる組織的な犯行の可能性が高い。",
    "IPアドレスは海外のVPSを経由。通信記録の保全を依頼済み。",
    "被害者への聞き取りを実施。送金の経緯を時系列で整理した。",
};

static enum rk_status make_cases(struct demo_ctx *d, int n_cases, int *made,
                                 char hashes[N_HASHES][65], struct rk_error *err)
{
    struct rng *r = &d->r;
    *made = 0;
    /* Candidate keys: every (pool, index) with the reports holding it. */
    enum rk_status rc = RK_OK;
    char prev_case[37] = "";
    for (int pass = 0; pass < P_COUNT * 12 && *made < n_cases && rc == RK_OK; pass++) {
        int p = pass % P_COUNT, v = pass / P_COUNT;
        if (v >= POOL_SIZE[p])
            continue;
        json_t *ids = json_array();
        int first = -1;
        for (int i = 0; i < d->n_reports && json_array_size(ids) < 8; i++) {
            if (d->report_used[i][p] == v && !d->report_red[i]) {
                json_array_append_new(ids, json_string(d->report_id[i]));
                if (first < 0)
                    first = i;
            }
        }
        if (json_array_size(ids) < 2) {
            json_decref(ids);
            continue;
        }
        const char *value = p == P_HASH ? hashes[v]
                            : p == P_DOMAIN ? DOMAINS[v]
                            : p == P_IP     ? IPS[v]
                            : p == P_PHONE  ? PHONES[v]
                            : p == P_EMAIL  ? EMAILS[v]
                            : p == P_BANK   ? BANKS[v]
                            : p == P_WALLET ? WALLETS[v]
                                            : FILES[v];
        static const char *const kinds[P_COUNT] = {"ドメイン", "IPアドレス", "電話番号", "メールアドレス",
                                                   "口座",     "ウォレット", "検体",     "ファイル"};
        char title[256];
        snprintf(title, sizeof(title), "%s「%s」に関連する連続事案", kinds[p], value);
        int lead_station = rng_int(r, 5) == 0;
        const char *lead = lead_station ? d->users[d->report_station[first]].unit_id
                                        : d->unit_id[unit_index(rng_int(r, 2) ? "sousa" : "taisaku")];
        const struct rk_actor *analyst = user(d, rng_int(r, 2) ? "sousa1" : "sousa2");
        json_t *assignees = json_pack("[s]", analyst->user_id);
        if (lead_station)
            json_array_append_new(assignees,
                                  json_string(d->users[d->report_station[first]].user_id));
        /* A case takes the category of its first report, so case lists can be filtered and
         * read by category like the reports. */
        json_t *in = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o}", "title", title, "summary",
                               "複数の相談に共通する観測値から関連を確認した事案。", "category",
                               d->report_category[first], "tlp", "AMBER", "scope", "prefecture",
                               "lead_unit_id", lead, "assignee_ids", assignees, "report_ids",
                               ids);
        json_t *o = NULL;
        rc = rk_case_create(d->s, analyst, in, &o, err);
        json_decref(in);
        if (rc != RK_OK)
            break;
        char cid[37];
        snprintf(cid, sizeof(cid), "%s", json_string_value(json_object_get(o, "id")));
        json_decref(o);
        in = json_pack("{s:s,s:s}", "value", value, "role", POOL_ROLE[p]);
        if (rk_case_observable_link(d->s, analyst, cid, in, &o, err) == RK_OK)
            json_decref(o);
        json_decref(in);
        int nt = 2 + rng_int(r, 2);
        for (int k = 0; k < nt && rc == RK_OK; k++) {
            char due[21];
            rk__time_format(rk__now_unix() + (int64_t)(rng_int(r, 40) - 10) * 86400, due);
            due[10] = '\0';
            in = json_pack("{s:s,s:s,s:s}", "title", TASKS[rng_int(r, N_OF(TASKS))],
                           "assignee_id", analyst->user_id, "due", due);
            rc = rk_case_task_add(d->s, analyst, cid, in, &o, err);
            json_decref(in);
            if (rc == RK_OK && rng_int(r, 2) == 0) {
                json_t *upd = json_pack("{s:b}", "done", 1), *o2 = NULL;
                rc = rk_case_task_update(d->s, analyst, cid,
                                         json_string_value(json_object_get(o, "id")), upd, &o2,
                                         err);
                json_decref(upd);
                json_decref(o2);
            }
            json_decref(o);
        }
        for (int k = 0; k < 1 + rng_int(r, 2) && rc == RK_OK; k++) {
            in = json_pack("{s:s}", "text", NOTES[rng_int(r, N_OF(NOTES))]);
            rc = rk_case_note_add(d->s, analyst, cid, in, &o, err);
            json_decref(in);
            json_decref(o);
        }
        /* Some cases are opened as criminal cases (事件化 through 決裁), some wait for it. */
        int step = rng_int(r, 4);
        if (rc == RK_OK && step > 0) {
            const struct rk_actor *who = step == 1 ? analyst : user(d, "kikaku");
            in = json_pack("{s:s}", "to", "jikenka");
            if (rk_case_transition(d->s, who, cid, in, &o, err) == RK_OK)
                json_decref(o);
            json_decref(in);
            if (step == 3) {
                in = json_pack("{s:s}", "to", "investigating");
                if (rk_case_transition(d->s, analyst, cid, in, &o, err) == RK_OK)
                    json_decref(o);
                json_decref(in);
            }
        }
        if (rc == RK_OK && prev_case[0] != '\0' && rng_int(r, 4) == 0) {
            in = json_pack("{s:s,s:s}", "case_id", prev_case, "relation", "related");
            if (rk_case_link_case(d->s, analyst, cid, in, &o, err) == RK_OK)
                json_decref(o);
            json_decref(in);
        }
        snprintf(prev_case, sizeof(prev_case), "%s", cid);
        (*made)++;
    }
    if (rc == RK_OK && err != NULL)
        memset(err, 0, sizeof(*err));
    return rc;
}

/* ===== Patrol review queue ===== */

/* Fictional posts, checked through rk_patrol_submit as an analyst would: most are flagged by
 * the shipped dictionary, the last is a grocer's innocent post that shares vocabulary. */
static const char *const PATROL_POSTS[][2] = {
    {"https://bbs.example.jp/job/1001",
     "【高収入】簡単な荷物受け取りで日給5万円、即日現金手渡し。詳細はテレグラムで。"
     "闇バイトではありません"},
    {"https://sns.example.com/post/2002", "野菜あります 手押し 即日発送 リキッドも 秘密厳守"},
    {"https://bbs.example.jp/trade/3003",
     "銀行口座買い取ります。通帳とキャッシュカードのセットで高価買取、即日振込"},
    {"https://sns.example.com/post/4004", "拳銃売ります。実銃、弾もセットで譲渡可能。DMください"},
    {"https://bbs.example.jp/loan/5005",
     "ソフト闇金、ブラックでも即日融資。審査なし、LINEで個人間融資"},
    {"https://sns.example.com/post/6006",
     "今日は八百屋で新鮮な野菜を買いました。冷たい風が吹いています。"},
};

/* Submits the posts and decides the bank-account one (削除依頼), so the statistics show a
 * decision as well as open findings. */
static enum rk_status make_patrol(struct demo_ctx *d, struct rk_error *err)
{
    enum rk_status rc = RK_OK;
    for (int i = 0; rc == RK_OK && i < N_OF(PATROL_POSTS); i++) {
        json_t *in = json_pack("{s:s,s:s}", "url", PATROL_POSTS[i][0], "text", PATROL_POSTS[i][1]);
        json_t *out = NULL;
        if (in == NULL)
            return rk__err(err, RK_ENOMEM, NULL, "out of memory");
        rc = rk_patrol_submit(d->s, user(d, "sousa1"), in, &out, err);
        json_decref(in);
        /* An installation without the patrol dictionary (RENKEI_PATROL_DICT unset and the
         * built-in directory absent) still gets its demo data, with an empty review queue. */
        if (rc == RK_EIO && i == 0 && err != NULL && strstr(err->message, "patrol dictionary"))
            return RK_OK;
        json_t *f = json_array_get(json_object_get(out, "findings"), 0);
        if (rc == RK_OK && i == 2 && f != NULL) {
            json_t *dec = json_pack("{s:s,s:s}", "decision", "deletion_request", "comment",
                                    "掲示板管理者へ削除を依頼する（デモ）");
            json_t *o = NULL;
            rc = dec != NULL ? rk_patrol_decide(d->s, user(d, "sousa1"),
                                                json_string_value(json_object_get(f, "id")), dec,
                                                &o, err)
                             : rk__err(err, RK_ENOMEM, NULL, "out of memory");
            json_decref(dec);
            json_decref(o);
        }
        json_decref(out);
    }
    return rc;
}

/* ===== Lookalike review ===== */

/* Fictional lookalike hosts under the reserved .test, .example and .invalid suffixes (RFC 2606),
 * as a daily feed would bring them: each imitates a brand of the shipped list in a different way
 * (combosquat, an IDN homograph, a 0/o homoglyph, a TLD swap). Reserved names are never
 * observables, so these matches link none. */
static const char DEMO_FEED[] = "rakuten-card-kakunin.test\n"
                                "smbc-card-login.example\n"
                                "https://yamato-fuzai.test/track?id=1\n"
                                "mufg-secure-verify.invalid\n"
                                "xn--rkuten-3nf.test\n"
                                "amaz0n-co-jp.test\n"
                                "sagawa-exp.example\n"
                                "mercari-support.test\n"
                                "japanpost-saihaitatsu.test\n"
                                "www.example.org\n"
                                "rakuten-card-kakunin.test\n";

/* Stores the feed as `renkei lookalike --db --store` would, then confirms one match (with its
 * takedown requested) and dismisses another, as an analyst would. */
static enum rk_status make_lookalike(struct demo_ctx *d, struct rk_error *err)
{
    struct rk_actor sys;
    rk_actor_system(&sys);
    struct rk_lookalike_batch b = {0};
    b.source = "demo-feed.txt";
    b.text = DEMO_FEED;
    b.len = sizeof DEMO_FEED - 1;
    json_t *out = NULL;
    enum rk_status rc = rk_lookalike_store_batch(d->s, &sys, &b, &out, err);
    /* An installation without the brand list still gets its demo data, with an empty list. */
    if (rc == RK_EIO && err != NULL && strstr(err->message, "brand list"))
        return RK_OK;
    static const char *const decide[][3] = {
        {"rakuten-card-kakunin.test", "confirm", "架空レジストラ株式会社（デモ）"},
        {"mercari-support.test", "dismiss", NULL},
    };
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(out, "matches"), i, m)
    {
        for (int k = 0; rc == RK_OK && k < N_OF(decide); k++) {
            if (!json_is_true(json_object_get(m, "new")) ||
                strcmp(json_string_value(json_object_get(m, "host")), decide[k][0]) != 0)
                continue;
            json_t *in =
                json_pack("{s:s,s:s?}", "decision", decide[k][1], "target_org", decide[k][2]);
            json_t *o = NULL;
            rc = in != NULL
                     ? rk_lookalike_decide(d->s, user(d, "sousa1"),
                                           json_string_value(json_object_get(m, "id")), in, &o, err)
                     : rk__err(err, RK_ENOMEM, NULL, "out of memory");
            json_decref(in);
            json_t *td = json_object_get(o, "takedown");
            if (rc == RK_OK && json_is_object(td)) {
                json_t *up = json_pack("{s:s}", "status", "requested");
                json_t *o2 = NULL;
                rc = up != NULL ? rk_lookalike_takedown_update(
                                      d->s, user(d, "sousa1"),
                                      json_string_value(json_object_get(td, "id")), up, &o2, err)
                                : rk__err(err, RK_ENOMEM, NULL, "out of memory");
                json_decref(up);
                json_decref(o2);
            }
            json_decref(o);
        }
    }
    json_decref(out);
    return rc;
}

enum rk_status rk_demo_generate(struct rk_store *s, uint64_t seed, int reports,
                                rk_progress_cb progress, void *user_data, json_t **out,
                                struct rk_error *err)
{
    if (reports < 1 || reports > 10000000)
        return rk__err(err, RK_EINVAL, "reports", "between 1 and 10,000,000 reports");
    struct demo_ctx *d = rk_calloc(1, sizeof(*d));
    if (d == NULL)
        return rk__err(err, RK_ENOMEM, NULL, "out of memory");
    d->s = s;
    d->r.s = seed;
    d->n_reports = reports;
    d->report_id = rk_calloc((size_t)reports, sizeof(*d->report_id));
    d->report_used = rk_calloc((size_t)reports, sizeof(*d->report_used));
    d->report_red = rk_calloc((size_t)reports, 1);
    d->report_station = rk_calloc((size_t)reports, sizeof(int));
    d->report_category = rk_calloc((size_t)reports, sizeof(const char *));
    enum rk_status rc = RK_OK;
    if (!d->report_id || !d->report_used || !d->report_red || !d->report_station ||
        !d->report_category)
        rc = rk__err(err, RK_ENOMEM, NULL, "out of memory");
    /* Only an empty store: the demo must never mix with real data. */
    struct rk_actor sys;
    rk_actor_system(&sys);
    if (rc == RK_OK) {
        struct rk_conn *c = NULL;
        rc = rk__conn_get(s, &c, err);
        if (rc == RK_OK) {
            sqlite3_stmt *st = rk__stmt(
                c, "SELECT (SELECT count(*) FROM reports) + (SELECT count(*) FROM cases)", err);
            if (st != NULL && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) > 0)
                rc = rk__err(err, RK_ECONFLICT, NULL,
                             "the store already holds reports or cases; the demo needs an empty "
                             "one");
            if (st != NULL)
                sqlite3_reset(st);
            rk__conn_put(s, c);
        }
    }
    char hashes[N_HASHES][65];
    for (int i = 0; i < N_HASHES; i++) {
        char text[48];
        snprintf(text, sizeof(text), "renkei-demo-sample-%d-%llu", i,
                 (unsigned long long)(seed % 1000));
        rk__sha256_hex(text, strlen(text), hashes[i]);
    }
    if (rc == RK_OK)
        rc = make_units(d, err);
    if (rc == RK_OK)
        rc = make_users(d, err);
    uint64_t total = (uint64_t)reports + 30;
    if (rc == RK_OK)
        rc = rk__conn_get(s, &d->c, err);
    for (int i = 0; rc == RK_OK && i < N_OF(LOGINS); i++)
        rc = rk__access_load(d->c, &d->users[i], &d->acc[i], err);
    for (int i = 0; i < reports && rc == RK_OK; i++) {
        if (i % RK_DEMO_BATCH == 0)
            rc = rk__tx_begin(s, d->c, err);
        if (rc == RK_OK)
            rc = make_report(d, i, hashes, err);
        if (rc == RK_OK && (i % RK_DEMO_BATCH == RK_DEMO_BATCH - 1 || i == reports - 1))
            rc = rk__tx_commit(s, d->c, err);
        else if (rc != RK_OK)
            rk__tx_rollback(s, d->c);
        if (rc == RK_OK && progress != NULL && (i % 100 == 99 || i == reports - 1))
            progress((uint64_t)i + 1, total, user_data);
    }
    rk__conn_put(s, d->c);
    d->c = NULL;
    int cases = 0;
    if (rc == RK_OK)
        rc = make_cases(d, 30, &cases, hashes, err);
    if (rc == RK_OK)
        rc = make_patrol(d, err);
    /* A confirmed group (lib/model/group-service.c), so the groups page is not empty. */
    if (rc == RK_OK)
        rc = rk__group_demo(s, user(d, "sousa1"), err);
    if (rc == RK_OK)
        rc = make_lookalike(d, err);
    if (rc == RK_OK && progress != NULL)
        progress(total, total, user_data);
    if (rc == RK_OK) {
        json_t *logins = NULL;
        rc = rk_demo_logins(&logins);
        if (rc == RK_OK)
            *out = json_pack("{s:o,s:i,s:i}", "logins", logins, "reports", reports, "cases",
                             cases);
        else
            rk__err(err, rc, NULL, "out of memory");
    }
    rk_free(d->report_id);
    rk_free(d->report_used);
    rk_free(d->report_red);
    rk_free(d->report_station);
    rk_free(d->report_category);
    rk_free(d);
    return rc;
}
