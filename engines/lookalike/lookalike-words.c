/*
 * The combosquatting vocabulary: words that phishing domains put next to a brand name
 * ("rakuten-login", "smbc-card-verify", "yamato-fuzai"), in English, in romanised Japanese
 * (Hepburn and the kunrei spellings seen in the wild: "tsuuchi", "tuuti") and in Japanese for
 * IDN labels. The list is deliberately of words, not letters: a brand name followed by
 * something that is not a phishing word ("sagawa-ryokan") is not a combosquat.
 */
#include "lookalike-int.h"

#include <string.h>

const char *const rk__la_words[] = {
    /* English */
    "login",
    "logon",
    "signin",
    "signon",
    "secure",
    "security",
    "account",
    "accounts",
    "verify",
    "verification",
    "update",
    "confirm",
    "confirmation",
    "jp",
    "japan",
    "jpn",
    "card",
    "cards",
    "pay",
    "payment",
    "payments",
    "support",
    "help",
    "helpdesk",
    "service",
    "services",
    "info",
    "information",
    "member",
    "members",
    "my",
    "online",
    "web",
    "net",
    "id",
    "auth",
    "check",
    "center",
    "centre",
    "official",
    "notice",
    "notify",
    "notification",
    "mail",
    "app",
    "apps",
    "portal",
    "user",
    "users",
    "client",
    "customer",
    "bank",
    "banking",
    "safe",
    "safety",
    "alert",
    "warning",
    "reset",
    "unlock",
    "billing",
    "bill",
    "invoice",
    "refund",
    "point",
    "points",
    "gift",
    "prize",
    "cash",
    "money",
    "wallet",
    "sms",
    "delivery",
    "tracking",
    "track",
    "parcel",
    "post",
    "express",
    "mobile",
    "smart",
    "direct",
    "plus",
    "new",
    "home",
    "site",
    "page",
    "event",
    "campaign",
    "free",
    "vip",
    "co",
    "ne",
    "or",
    "com",
    "www",
    "go",
    "shop",
    "store",
    "cs",
    "sec",
    "lp",
    "access",
    "session",
    "token",
    "pass",
    "password",
    "status",
    "review",
    "recover",
    "recovery",
    "restore",
    "cancel",
    "claim",
    "reward",
    "rewards",
    "bonus",
    "limit",
    "limited",
    "stop",
    "lock",
    "locked",
    "sign",
    "register",
    "registration",
    "entry",
    "form",
    "contact",
    "desk",
    "cloud",
    "ssl",
    "https",
    "link",
    "go",
    "hub",
    "mypage",
    "top",
    "main",
    "index",
    "global",
    "corp",
    "group",
    "ltd",
    "inc",
    "official",
    "customs",
    "tax",
    "jr",
    "etc",
    "denki",
    "card",
    "ic",
    /* romanised Japanese */
    "fuzai",
    "haisou",
    "haisô",
    "haitatsu",
    "saihaitatsu",
    "kakunin",
    "tsuuchi",
    "tsuchi",
    "tuuti",
    "renraku",
    "nimotsu",
    "onimotsu",
    "hikitori",
    "touroku",
    "toroku",
    "henkou",
    "shiharai",
    "oshiharai",
    "seikyu",
    "seikyuu",
    "riyou",
    "riyo",
    "teishi",
    "kaijo",
    "kaijou",
    "honnin",
    "kojin",
    "jouhou",
    "johou",
    "kanri",
    "keiyaku",
    "ryoukin",
    "ryokin",
    "mibarai",
    "tetsuzuki",
    "tetuzuki",
    "kounyu",
    "chuumon",
    "chumon",
    "osirase",
    "oshirase",
    "juyo",
    "juuyou",
    "kinkyu",
    "kinkyuu",
    "uketori",
    "otodoke",
    "todoke",
    "kanpu",
    "henkin",
    "tousen",
    "tosen",
    "nintei",
    "ninsho",
    "ninshou",
    "kaiin",
    "mypage",
    /* Japanese (UTF-8, for IDN labels) */
    "ログイン",
    "カード",
    "確認",
    "不在",
    "配達",
    "再配達",
    "認証",
    "会員",
    "公式",
    "ポイント",
    "支払い",
    "更新",
    "停止",
    "通知",
    "お知らせ",
    "本人確認",
    "サポート",
    "セキュリティ",
    "アカウント",
    "お荷物",
    "荷物",
    "受取",
    "ご利用",
    "利用",
    "料金",
    "請求",
    "返金",
    "還付金",
    NULL,
};

static int is_word(const struct rk_lookalike *lk, const char *s, size_t n)
{
    for (int32_t c = rk__la_table_find(&lk->words, rk__la_hash(s, n)); c >= 0;
         c = lk->words.chain[c].next) {
        const char *w = rk__la_words[lk->words.chain[c].item];
        if (strlen(w) == n && memcmp(w, s, n) == 0)
            return 1;
    }
    return 0;
}

#define RK__LA_MAX_WORD 36 /* longest word in bytes (Japanese words are 3 bytes a character) */

static int is_term(const struct rk_lookalike *lk, int32_t brand, const char *s, size_t n)
{
    if (brand < 0)
        return 0;
    const struct rk__la_brand *b = &lk->brands[brand];
    for (int32_t t = b->first_term; t < b->first_term + b->nterms; t++)
        if (lk->terms[t].len == n && memcmp(lk->terms[t].text, s, n) == 0)
            return 1;
    return 0;
}

int rk__la_words_cover(const struct rk_lookalike *lk, const char *s, size_t n, int32_t brand)
{
    /* ok[i]: s[0..i) splits into words and digits. Labels are short, so O(n * maxword). */
    unsigned char ok[RK_MAX_LOOKALIKE_NAME + 2];
    if (n > RK_MAX_LOOKALIKE_NAME)
        return 0;
    memset(ok, 0, n + 1);
    ok[0] = 1;
    for (size_t i = 0; i < n; i++) {
        if (!ok[i])
            continue;
        if ((s[i] >= '0' && s[i] <= '9') || s[i] == '-') {
            ok[i + 1] = 1;
            continue;
        }
        for (size_t k = 2; k <= RK__LA_MAX_WORD && i + k <= n; k++)
            if (!ok[i + k] && (is_word(lk, s + i, k) || is_term(lk, brand, s + i, k)))
                ok[i + k] = 1;
    }
    return ok[n];
}

int rk__la_words_find(const struct rk_lookalike *lk, const char *s, size_t n, char *dst, size_t cap)
{
    int found = 0;
    size_t used = 0;
    if (cap > 0)
        dst[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        for (size_t k = RK__LA_MAX_WORD; k >= 3; k--) {
            if (i + k > n || !is_word(lk, s + i, k))
                continue;
            found++;
            if (used + k + 2 < cap) {
                if (used > 0)
                    dst[used++] = ',';
                memcpy(dst + used, s + i, k);
                used += k;
                dst[used] = '\0';
            }
            i += k - 1;
            break;
        }
    }
    return found;
}
