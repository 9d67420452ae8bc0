/*
 * Japanese bank accounts, as victims and officers write them:
 *   「〇〇銀行 △△支店 普通 1234567 ヤマダタロウ」, 「三井住友銀行渋谷支店 普通預金
 * 口座番号1234567」, 「銀行コード0009 支店番号123 当座 7654321」. An account is identified by bank,
 * branch and the 7-digit number (numbers are unique within a branch whatever the account type), so
 * the canonical form is "<bank>-<branch>-<number>": <bank> is the 4-digit 金融機関コード when the
 * text gives it or the bank is one of the major banks listed below, otherwise the bank's name as
 * written; <branch> is the 3-digit 店番 when given, otherwise the branch name as written
 * ("渋谷支店"). The account type and the holder's name in kana go to the display form. A mention
 * without a bank, a branch or a 7-digit number is not reported: it would link unrelated cases.
 */
#include "obs-internal.h"

#include <string.h>

/* How far before the account type the bank and branch are looked for (bytes, about 50
 * Japanese characters: one sentence of an intake narrative). */
#define RK_BANK_WINDOW 160u

/* Major banks and their 金融機関コード (Zengin codes, public). Full-width spellings too. */
static const struct {
    const char *name;
    const char *code;
} banks[] = {
    {"みずほ", "0001"},
    {"三菱UFJ", "0005"},
    {"三菱ＵＦＪ", "0005"},
    {"三井住友", "0009"},
    {"埼玉りそな", "0017"},
    {"りそな", "0010"},
    {"PayPay", "0033"},
    {"ＰａｙＰａｙ", "0033"},
    {"セブン", "0034"},
    {"ソニー", "0035"},
    {"楽天", "0036"},
    {"住信SBIネット", "0038"},
    {"住信ＳＢＩネット", "0038"},
    {"auじぶん", "0039"},
    {"ａｕじぶん", "0039"},
    {"イオン", "0040"},
    {"GMOあおぞらネット", "0310"},
    {"ＧＭＯあおぞらネット", "0310"},
    {"ゆうちょ", "9900"},
    {"北海道", "0116"},
    {"千葉", "0134"},
    {"横浜", "0138"},
    {"静岡", "0149"},
    {"京都", "0158"},
    {"福岡", "0177"},
};

static const char *const bank_suffixes[] = {"銀行",     "信用金庫", "信金",
                                            "信用組合", "労働金庫", "農業協同組合"};
static const char *const branch_suffixes[] = {"支店", "出張所", "営業部", "本店"};
static const char *const prefixes_to_drop[] = {"振込先",   "振り込み先", "送金先", "入金先",
                                               "指定口座", "口座",       "宛先",   "指定"};

struct span {
    size_t a, b; /* [a, b) in the text; a == b when absent */
};

struct bank {
    struct span name, code, bname, bcode, holder;
    const char *table_code;
    const char *type; /* "普通" ... or NULL */
    char number[8];
    size_t start, end;
};

/* The first-byte test keeps these cheap: they run at every byte of a window. */
static int starts(const char *t, size_t n, size_t i, const char *w)
{
    if (i >= n || t[i] != w[0])
        return 0;
    size_t k = strlen(w);
    return i + k <= n && memcmp(t + i, w, k) == 0;
}

static int ends(const char *t, size_t lo, size_t i, const char *w)
{
    size_t k = strlen(w);
    return i >= lo + k && t[i - k] == w[0] && memcmp(t + i - k, w, k) == 0;
}

/* A digit at t[i] (ASCII or full-width): length and value, else 0. */
static size_t digit(const char *t, size_t n, size_t i, int *d)
{
    const unsigned char *p = (const unsigned char *)t + i;
    if (i < n && rk__is_digit(p[0])) {
        *d = p[0] - '0';
        return 1;
    }
    if (i + 3 <= n && p[0] == 0xEF && p[1] == 0xBC && p[2] >= 0x90 && p[2] <= 0x99) {
        *d = p[2] - 0x90;
        return 3;
    }
    return 0;
}

/* White space and the punctuation written between the parts: length at t[i], else 0. */
static size_t gap(const char *t, size_t n, size_t i)
{
    static const char *const g[] = {" ",  "\t", "\xE3\x80\x80", ":", "：", "・", "／", "/",
                                    "、", ",",  "，",           "-", "－"};
    for (size_t k = 0; k < sizeof g / sizeof g[0]; k++)
        if (starts(t, n, i, g[k]))
            return strlen(g[k]);
    return 0;
}

static size_t skip_gaps(const char *t, size_t n, size_t i)
{
    size_t k;
    while ((k = gap(t, n, i)) > 0)
        i += k;
    return i;
}

/* Reads exactly `want` digits at i (not followed by another digit) into out. */
static size_t read_digits(const char *t, size_t n, size_t i, size_t want, char *out)
{
    size_t j = i, got = 0, k;
    int d;
    while ((k = digit(t, n, j, &d)) > 0) {
        if (got == want)
            return 0;
        out[got++] = (char)('0' + d);
        j += k;
    }
    if (got != want)
        return 0;
    out[got] = '\0';
    return j - i;
}

/* Length of the UTF-8 character ending at t[i-1] (0 if invalid). */
static size_t char_before(const char *t, size_t lo, size_t i)
{
    size_t s = i;
    while (s > lo && ((unsigned char)t[s - 1] & 0xC0) == 0x80 && i - s < 3)
        s--;
    if (s == lo)
        return 0;
    s--;
    unsigned char c = (unsigned char)t[s];
    size_t want = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
    return want == i - s ? want : 0;
}

/* Characters of a bank or branch name: kanji, katakana, 〇々, full-width and ASCII letters
 * and digits, and the placeholder shapes (△ ○ ×) used in examples. */
static int name_char(const char *t, size_t i, size_t len)
{
    const unsigned char *p = (const unsigned char *)t + i;
    if (len == 1)
        return rk__is_alnum(p[0]);
    if (len == 2)
        return p[0] == 0xC3 && p[1] == 0x97; /* × */
    if (len != 3)
        return 0;
    uint32_t cp = (uint32_t)(p[0] & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x30A1 && cp <= 0x30FA) || cp == 0x30FC ||
           cp == 0x3007 || cp == 0x3005 || (cp >= 0x25A0 && cp <= 0x25FF) ||
           (cp >= 0xFF10 && cp <= 0xFF19) || (cp >= 0xFF21 && cp <= 0xFF3A) ||
           (cp >= 0xFF41 && cp <= 0xFF5A);
}

/* Katakana of a holder's name (full- or half-width, with ー and the middle dot). */
static int kana_char(const char *t, size_t i, size_t len)
{
    const unsigned char *p = (const unsigned char *)t + i;
    if (len != 3)
        return 0;
    uint32_t cp = (uint32_t)(p[0] & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
    return (cp >= 0x30A1 && cp <= 0x30FC) || (cp >= 0xFF66 && cp <= 0xFF9F);
}

/* Hiragana in names ("さくら信用金庫", "きらぼし銀行"), except the particles that join a name
 * to the words before it (は が を に で の へ と も や). */
static int hiragana_name_char(const char *t, size_t i)
{
    const unsigned char *p = (const unsigned char *)t + i;
    uint32_t cp = (uint32_t)(p[0] & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
    static const uint32_t particles[] = {0x306F, 0x304C, 0x3092, 0x306B, 0x3067,
                                         0x306E, 0x3078, 0x3068, 0x3082, 0x3084};
    if (p[0] != 0xE3 || cp < 0x3041 || cp > 0x3096)
        return 0;
    for (size_t k = 0; k < sizeof particles / sizeof particles[0]; k++)
        if (cp == particles[k])
            return 0;
    return 1;
}

/* Start of the name that ends at `end` (not before lo). */
static size_t name_start(const char *t, size_t lo, size_t end)
{
    size_t s = end, k;
    while (s > lo && (k = char_before(t, lo, s)) > 0 && end - s < 30) {
        if (!name_char(t, s - k, k) && !(k == 3 && hiragana_name_char(t, s - k)))
            break;
        s -= k;
    }
    /* Words that introduce the account are not part of the name. */
    for (size_t i = 0; i < sizeof prefixes_to_drop / sizeof prefixes_to_drop[0]; i++)
        if (starts(t, end, s, prefixes_to_drop[i]))
            s += strlen(prefixes_to_drop[i]);
    return s;
}

/* Finds "<keyword><gaps><digits>" in [lo, hi); fills `sp` with the digits. */
static void find_code(const char *t, size_t lo, size_t hi, const char *const *kw, size_t nkw,
                      size_t want, struct span *sp, size_t *kw_at)
{
    char tmp[8];
    for (size_t i = lo; i < hi; i++) {
        if (((unsigned char)t[i] & 0xC0) == 0x80)
            continue; /* keywords start on a character */
        for (size_t k = 0; k < nkw; k++) {
            if (!starts(t, hi, i, kw[k]))
                continue;
            size_t j = skip_gaps(t, hi, i + strlen(kw[k]));
            size_t got = read_digits(t, hi, j, want, tmp);
            if (got > 0) {
                sp->a = j;
                sp->b = j + got;
                *kw_at = i;
            }
        }
    }
}

/* Looks back from the account type (at `at`) for the bank and the branch. */
static void context(const char *t, size_t lo, size_t at, struct bank *bk)
{
    static const char *const bank_kw[] = {"銀行コード", "金融機関コード", "銀行番号"};
    static const char *const branch_kw[] = {"支店番号", "支店コード", "店番号", "店番"};
    size_t kw_at = 0; /* set whenever a code is found; 0 keeps a Release build quiet */
    find_code(t, lo, at, bank_kw, 3, 4, &bk->code, &kw_at);
    if (bk->code.b > bk->code.a && kw_at < bk->start)
        bk->start = kw_at;
    find_code(t, lo, at, branch_kw, 4, 3, &bk->bcode, &kw_at);
    if (bk->bcode.b > bk->bcode.a && kw_at < bk->start)
        bk->start = kw_at;
    /* The last bank suffix before the type that is not the start of "銀行コード". */
    size_t bank_end = 0;
    for (size_t i = lo; i < at; i++) {
        if (((unsigned char)t[i] & 0xC0) == 0x80)
            continue;
        for (size_t k = 0; k < sizeof bank_suffixes / sizeof bank_suffixes[0]; k++) {
            if (!starts(t, at, i, bank_suffixes[k]))
                continue;
            size_t e = i + strlen(bank_suffixes[k]);
            if (starts(t, at, e, "コード") || starts(t, at, e, "番号"))
                continue;
            size_t s = SIZE_MAX;
            const char *code = NULL;
            for (size_t b = 0; b < sizeof banks / sizeof banks[0]; b++)
                if (ends(t, lo, i, banks[b].name)) {
                    s = i - strlen(banks[b].name);
                    code = banks[b].code;
                    break;
                }
            if (s == SIZE_MAX)
                s = name_start(t, lo, i);
            /* The name and its table code change together: a later suffix without a name
             * before it ("㏋銀行") keeps both, so canonical forms parse back to themselves. */
            if (s < i) {
                bk->name.a = s;
                bk->name.b = e;
                bk->table_code = code;
                bank_end = e;
            }
        }
    }
    if (bk->name.b > bk->name.a && bk->name.a < bk->start)
        bk->start = bk->name.a;
    /* The branch name: the last branch suffix after the bank, not "支店番号". */
    for (size_t i = bank_end > lo ? bank_end : lo; i < at; i++) {
        if (((unsigned char)t[i] & 0xC0) == 0x80)
            continue;
        for (size_t k = 0; k < sizeof branch_suffixes / sizeof branch_suffixes[0]; k++) {
            if (!starts(t, at, i, branch_suffixes[k]))
                continue;
            size_t e = i + strlen(branch_suffixes[k]);
            if (starts(t, at, e, "番号") || starts(t, at, e, "コード"))
                continue;
            size_t s = name_start(t, bank_end > lo ? bank_end : lo, i);
            /* "本店営業部": take the whole name. */
            if (s < e && (s < i || strcmp(branch_suffixes[k], "本店") == 0 ||
                          strcmp(branch_suffixes[k], "営業部") == 0)) {
                bk->bname.a = s;
                bk->bname.b = e;
            }
        }
    }
    if (bk->bname.b > bk->bname.a && bk->bname.a < bk->start)
        bk->start = bk->bname.a;
    /* "渋谷支店(123)" gives the branch code in brackets. */
    if (bk->bcode.b == bk->bcode.a && bk->bname.b > bk->bname.a) {
        size_t j = bk->bname.b;
        char tmp[8];
        size_t open = starts(t, at, j, "(") ? 1 : starts(t, at, j, "（") ? 3 : 0;
        size_t got = open ? read_digits(t, at, j + open, 3, tmp) : 0;
        if (got > 0) {
            bk->bcode.a = j + open;
            bk->bcode.b = j + open + got;
        }
    }
}

static enum rk_status add_digits(struct rk_buf *b, const char *t, struct span sp)
{
    enum rk_status rc = RK_OK;
    int d;
    for (size_t i = sp.a; i < sp.b && rc == RK_OK;) {
        size_t k = digit(t, sp.b, i, &d);
        if (k == 0)
            break;
        rc = rk_buf_addc(b, (char)('0' + d));
        i += k;
    }
    return rc;
}

/* Appends a name with full-width letters and digits folded to ASCII. */
static enum rk_status add_name(struct rk_buf *b, const char *t, struct span sp)
{
    enum rk_status rc = RK_OK;
    for (size_t i = sp.a; i < sp.b && rc == RK_OK;) {
        unsigned char c;
        size_t k = rk__obs_fullwidth((const unsigned char *)t + i, sp.b - i, &c);
        if (k > 0) {
            rc = rk_buf_addc(b, (char)c);
            i += k;
        } else {
            rc = rk_buf_addc(b, t[i]);
            i++;
        }
    }
    return rc;
}

static enum rk_status format(const char *t, const struct bank *bk, struct rk__obs_out *o)
{
    struct rk_buf *c = &o->canon, *d = &o->disp;
    int has_code = bk->code.b > bk->code.a;
    int has_bcode = bk->bcode.b > bk->bcode.a;
    enum rk_status rc = RK_OK;
    if (has_code)
        rc = add_digits(c, t, bk->code);
    else if (bk->table_code != NULL)
        rc = rk_buf_adds(c, bk->table_code);
    else
        rc = add_name(c, t, bk->name);
    if (rc == RK_OK)
        rc = rk_buf_addc(c, '-');
    if (rc == RK_OK)
        rc = has_bcode ? add_digits(c, t, bk->bcode) : add_name(c, t, bk->bname);
    if (rc == RK_OK)
        rc = rk_buf_addc(c, '-');
    if (rc == RK_OK)
        rc = rk_buf_adds(c, bk->number);
    /* Display: bank(code) branch(code) type number holder; "銀行コード0009" and "支店番号123"
     * stand in for names the text did not give. */
    if (rc == RK_OK && bk->name.b > bk->name.a) {
        rc = add_name(d, t, bk->name);
        if (rc == RK_OK && (has_code || bk->table_code != NULL)) {
            rc = rk_buf_addc(d, '(');
            if (rc == RK_OK)
                rc = has_code ? add_digits(d, t, bk->code) : rk_buf_adds(d, bk->table_code);
            if (rc == RK_OK)
                rc = rk_buf_addc(d, ')');
        }
    } else if (rc == RK_OK) {
        rc = rk_buf_adds(d, "銀行コード");
        if (rc == RK_OK)
            rc = add_digits(d, t, bk->code);
    }
    if (rc == RK_OK)
        rc = rk_buf_addc(d, ' ');
    if (rc == RK_OK && bk->bname.b > bk->bname.a) {
        rc = add_name(d, t, bk->bname);
        if (rc == RK_OK && has_bcode) {
            rc = rk_buf_addc(d, '(');
            if (rc == RK_OK)
                rc = add_digits(d, t, bk->bcode);
            if (rc == RK_OK)
                rc = rk_buf_addc(d, ')');
        }
    } else if (rc == RK_OK) {
        rc = rk_buf_adds(d, "支店番号");
        if (rc == RK_OK)
            rc = add_digits(d, t, bk->bcode);
    }
    if (rc == RK_OK && bk->type != NULL) {
        rc = rk_buf_addc(d, ' ');
        if (rc == RK_OK)
            rc = rk_buf_adds(d, bk->type);
    }
    if (rc == RK_OK)
        rc = rk_buf_addc(d, ' ');
    if (rc == RK_OK)
        rc = rk_buf_adds(d, bk->number);
    if (rc == RK_OK && bk->holder.b > bk->holder.a) {
        rc = rk_buf_addc(d, ' ');
        if (rc == RK_OK)
            rc = rk_buf_add(d, t + bk->holder.a, bk->holder.b - bk->holder.a);
    }
    return rc;
}

/* Reads the account from the trigger at `at` (a type word or 口座番号). Returns 1 if found. */
static int account_at(const char *t, size_t n, size_t at, struct bank *bk)
{
    static const char *const types[] = {"普通", "当座", "貯蓄"};
    static const char *const fillers[] = {"預金", "口座番号", "口座", "番号", "No.", "No", "NO."};
    memset(bk, 0, sizeof *bk);
    bk->start = at;
    size_t i = at;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t k = 0; k < 3; k++)
            if (bk->type == NULL && starts(t, n, i, types[k])) {
                bk->type = types[k];
                i += strlen(types[k]);
            }
        for (int again = 1; again;) {
            again = 0;
            i = skip_gaps(t, n, i);
            for (size_t k = 0; k < sizeof fillers / sizeof fillers[0]; k++)
                if (starts(t, n, i, fillers[k])) {
                    i += strlen(fillers[k]);
                    again = 1;
                }
        }
    }
    size_t got = read_digits(t, n, i, 7, bk->number);
    if (got == 0)
        return 0;
    /* A following hyphen and digit means a longer number (a phone, a card). */
    size_t e = i + got;
    int d;
    if (e < n && (t[e] == '-' || rk__is_alnum((unsigned char)t[e])) &&
        (e + 1 >= n || digit(t, n, e + 1, &d) > 0 || rk__is_alnum((unsigned char)t[e])))
        return 0;
    bk->end = e;
    /* The holder: katakana after optional "名義" words. */
    size_t h = skip_gaps(t, n, e);
    static const char *const holder_kw[] = {"口座名義人", "口座名義", "名義人", "名義", "は"};
    for (size_t k = 0; k < sizeof holder_kw / sizeof holder_kw[0]; k++)
        if (starts(t, n, h, holder_kw[k])) {
            h = skip_gaps(t, n, h + strlen(holder_kw[k]));
            break;
        }
    size_t hs = h, he = h;
    while (h < n) {
        size_t k = 3;
        if (h + 3 <= n && kana_char(t, h, 3)) {
            h += k;
            he = h;
            continue;
        }
        /* One space between family and given name. */
        size_t g = starts(t, n, h, " ") ? 1 : starts(t, n, h, "\xE3\x80\x80") ? 3 : 0;
        if (g > 0 && he == h && h + g + 3 <= n && kana_char(t, h + g, 3)) {
            h += g;
            continue;
        }
        break;
    }
    if (he - hs >= 6) {
        bk->holder.a = hs;
        bk->holder.b = he;
        bk->end = he;
    }
    /* Bank and branch come before the trigger, in the same sentence. */
    size_t lo = at > RK_BANK_WINDOW ? at - RK_BANK_WINDOW : 0;
    for (size_t j = at; j > lo; j--) {
        if (t[j - 1] == '\n' || ends(t, lo, j, "。")) {
            lo = j;
            break;
        }
    }
    /* Do not start inside a UTF-8 character. */
    while (lo < at && ((unsigned char)t[lo] & 0xC0) == 0x80)
        lo++;
    context(t, lo, at, bk);
    int has_bank = bk->code.b > bk->code.a || bk->name.b > bk->name.a;
    int has_branch = bk->bcode.b > bk->bcode.a || bk->bname.b > bk->bname.a;
    return has_bank && has_branch;
}

enum rk_status rk__obs_bank_scan(const char *text, size_t len, rk__obs_bank_cb found,
                                 void *user_data)
{
    static const char *const triggers[] = {"普通", "当座", "貯蓄", "口座番号"};
    /* One pass for all four triggers: a bitmap of their first two bytes lets the loop test
     * each position with one load, and only a hit is compared in full. */
    uint64_t pairs[65536 / 64];
    memset(pairs, 0, sizeof pairs);
    for (size_t k = 0; k < 4; k++) {
        unsigned v = (unsigned char)triggers[k][0] << 8 | (unsigned char)triggers[k][1];
        pairs[v / 64] |= 1ull << (v % 64);
    }
    struct rk__obs_out o;
    struct bank bk;
    enum rk_status rc = RK_OK;
    size_t done = 0;
    const unsigned char *u = (const unsigned char *)text;
    rk__obs_out_init(&o);
    for (size_t at = 0; at + 6 <= len; at++) {
        unsigned v = (unsigned)u[at] << 8 | u[at + 1];
        if ((pairs[v / 64] >> (v % 64) & 1) == 0)
            continue;
        int hit = 0;
        for (size_t k = 0; k < 4 && !hit; k++)
            hit = starts(text, len, at, triggers[k]);
        if (!hit || at < done || !account_at(text, len, at, &bk))
            continue;
        rk__obs_out_reset(&o);
        rc = format(text, &bk, &o);
        if (rc == RK_OK)
            rc = found(bk.start, bk.end - bk.start, &o, user_data);
        if (rc != RK_OK)
            break;
        done = bk.end;
    }
    rk__obs_out_free(&o);
    return rc;
}

enum rk_status rk__obs_bank_at_number(const char *text, size_t len, size_t num,
                                      rk__obs_bank_cb found, void *user_data)
{
    static const char *const triggers[] = {"普通", "当座", "貯蓄", "口座番号"};
    /* The type or "口座番号" sits at most a few words before the number ("普通預金 口座番号
     * 1234567"): 48 bytes is sixteen Japanese characters. */
    size_t lo = num > 48 ? num - 48 : 0;
    struct bank bk;
    for (size_t at = lo; at < num; at++) {
        if (((unsigned char)text[at] & 0xC0) == 0x80)
            continue;
        int hit = 0;
        for (size_t k = 0; k < 4 && !hit; k++)
            hit = starts(text, num, at, triggers[k]);
        if (!hit || !account_at(text, len, at, &bk))
            continue;
        if (bk.end < num)
            continue; /* the account found ends before this number: another one */
        struct rk__obs_out o;
        rk__obs_out_init(&o);
        enum rk_status rc = format(text, &bk, &o);
        if (rc == RK_OK)
            rc = found(bk.start, bk.end - bk.start, &o, user_data);
        rk__obs_out_free(&o);
        return rc;
    }
    return RK_OK;
}

struct first {
    struct rk__obs_out *o;
    int found;
};

static enum rk_status take_first(size_t off, size_t len, struct rk__obs_out *o, void *ud)
{
    (void)off;
    (void)len;
    struct first *f = ud;
    if (f->found)
        return RK_OK;
    f->found = 1;
    enum rk_status rc = rk_buf_add(&f->o->canon, o->canon.data, o->canon.len);
    if (rc == RK_OK && o->disp.len > 0)
        rc = rk_buf_add(&f->o->disp, o->disp.data, o->disp.len);
    return rc;
}

/* Whether [s, s+n) is a name of name characters ending with one of `suffixes`. */
static int name_with_suffix(const char *s, size_t n, const char *const *suffixes, size_t ns)
{
    int ends_ok = 0;
    for (size_t k = 0; k < ns; k++)
        if (ends(s, 0, n, suffixes[k]))
            ends_ok = 1;
    if (!ends_ok || n > 90)
        return 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t k = c < 0x80 ? 1 : c >= 0xE0 && c < 0xF0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
        if (k == 0 || i + k > n)
            return 0;
        if (!name_char(s, i, k) && !(k == 3 && hiragana_name_char(s, i)))
            return 0;
        i += k;
    }
    return 1;
}

/*
 * The canonical form of an account known by names, "〇〇銀行-△△支店-1234567" (either part may
 * be a code instead), so that every canonical form parses back to itself. A major bank's name
 * becomes its code, as in extraction.
 */
static enum rk_status canonical_names(const char *s, size_t n, struct rk__obs_out *o)
{
    char num[8];
    const char *d2 = memrchr(s, '-', n);
    if (d2 == NULL)
        return RK_EINVAL;
    size_t at = (size_t)(d2 - s) + 1;
    if (n - at != 7 || read_digits(s, n, at, 7, num) != 7)
        return RK_EINVAL;
    const char *d1 = memrchr(s, '-', (size_t)(d2 - s));
    if (d1 == NULL || d1 == s || d1 + 1 == d2)
        return RK_EINVAL;
    size_t bn = (size_t)(d1 - s), rn = (size_t)(d2 - d1 - 1);
    const char *br = d1 + 1;
    char tmp[8];
    int bank_code = bn == 4 && read_digits(s, bn, 0, 4, tmp) == 4;
    int branch_code = rn == 3 && read_digits(br, rn, 0, 3, tmp) == 3;
    if (!bank_code &&
        !name_with_suffix(s, bn, bank_suffixes, sizeof bank_suffixes / sizeof bank_suffixes[0]))
        return RK_EINVAL;
    if (!branch_code && !name_with_suffix(br, rn, branch_suffixes,
                                          sizeof branch_suffixes / sizeof branch_suffixes[0]))
        return RK_EINVAL;
    const char *code = NULL;
    for (size_t b = 0; !bank_code && b < sizeof banks / sizeof banks[0]; b++) {
        size_t k = strlen(banks[b].name);
        if (bn == k + strlen("銀行") && memcmp(s, banks[b].name, k) == 0 &&
            memcmp(s + k, "銀行", strlen("銀行")) == 0)
            code = banks[b].code;
    }
    enum rk_status rc = code != NULL ? rk_buf_adds(&o->canon, code) : rk_buf_add(&o->canon, s, bn);
    if (rc == RK_OK)
        rc = rk_buf_add(&o->canon, d1, (size_t)(n - bn));
    return rc;
}

enum rk_status rk__obs_bank(const char *s, size_t n, struct rk__obs_out *o)
{
    /* The canonical form itself, "0009-123-1234567", optionally with the Zengin type digit
     * ("0009-123-1-1234567"). */
    char code[8], branch[8], num[8], type[2];
    size_t i = 0, k;
    if ((k = read_digits(s, n, i, 4, code)) == 4 && i + 4 < n && s[4] == '-' &&
        read_digits(s, n, 5, 3, branch) == 3 && n > 9 && s[8] == '-') {
        i = 9;
        if (read_digits(s, n, i, 1, type) == 1 && i + 1 < n && s[i + 1] == '-') {
            if (strchr("01249", type[0]) == NULL)
                return RK_EINVAL;
            i += 2;
        }
        if (read_digits(s, n, i, 7, num) == 7 && i + 7 == n)
            return rk_buf_addf(&o->canon, "%s-%s-%s", code, branch, num);
        return RK_EINVAL;
    }
    enum rk_status rc = canonical_names(s, n, o);
    if (rc != RK_EINVAL)
        return rc;
    struct first f = {o, 0};
    rc = rk__obs_bank_scan(s, n, take_first, &f);
    if (rc != RK_OK)
        return rc;
    return f.found ? RK_OK : RK_EINVAL;
}
