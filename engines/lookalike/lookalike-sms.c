/*
 * Smishing: scores an SMS text for the lure patterns seen in Japan (DOMAIN.md §4): parcel
 * 不在通知, carrier/bank/card/electricity account alerts, prize and refund lures, requests to
 * install an app from an unknown source, and combines them with the lookalike score of every
 * URL or bare domain in the text. A text that names a brand but links elsewhere is the classic
 * shape and gets its own rule; a text whose links all go to the named brand's real domain is
 * marked down, so that genuine notices are not reported.
 *
 * Also here: extraction of the text from a JSON line, a small strict parser of one object.
 */
#include "lookalike-int.h"

#include <string.h>

#include "renkei/limits.h"

/* ===== Rules ===== */

struct sms_rule {
    const char *name;
    int weight;
    const char *needles[12];
};

/* Needles are UTF-8 substrings; ASCII letters are matched case-insensitively. */
static const struct sms_rule rules[] = {
    {"parcel-absence",
     40,
     {"不在", "持ち帰り", "持ち戻り", "再配達", "お届けにあがりました", "配達できません",
      "redeliver", "missed delivery", NULL}},
    {"parcel-mention", 15, {"お荷物", "荷物", "宅配", "配送", "発送", "配達", "parcel", NULL}},
    {"account-suspension",
     35,
     {"利用停止", "一時停止", "停止しました", "停止されました", "停止いたしました", "ロック",
      "利用制限", "凍結", "suspended", "locked", NULL}},
    {"security-alert",
     30,
     {"不正利用", "不正アクセス", "不審な", "異常なログイン", "第三者", "unusual", NULL}},
    {"identity-verification",
     25,
     {"本人確認", "ご確認ください", "確認が必要", "確認してください", "再登録", "情報を更新",
      "更新してください", "ご登録情報", "verify", NULL}},
    {"payment-problem",
     20,
     {"未払い", "未納", "お支払い", "支払い", "料金", "請求", "引き落とし", "決済", "payment",
      NULL}},
    {"utility-account", 20, {"電気料金", "電力", "ガス料金", "水道料金", "電気", NULL}},
    {"prize-lure", 40, {"当選", "プレゼント", "景品", "抽選", "特典", "ギフト", "prize", NULL}},
    {"refund-lure", 35, {"還付金", "返金", "払い戻し", "給付金", "失効", "refund", NULL}},
    {"urgency",
     15,
     {"至急", "本日中", "24時間以内", "期限", "直ちに", "早急", "速やかに", "今すぐ", "urgent",
      NULL}},
    {"app-install",
     40,
     {"提供元不明", "アプリをインストール", "インストールしてください", ".apk", NULL}},
};

#define NRULES (sizeof rules / sizeof rules[0])

static unsigned char lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* Case-insensitive (ASCII) substring search. */
static int contains(const char *h, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    if (m == 0 || m > n)
        return 0;
    for (size_t i = 0; i + m <= n; i++) {
        size_t k = 0;
        while (k < m && lower((unsigned char)h[i + k]) == lower((unsigned char)needle[k]))
            k++;
        if (k == m)
            return 1;
    }
    return 0;
}

static void add_rule(struct rk_lookalike_sms_result *out, const char *name)
{
    if (out->n_rules < RK_LOOKALIKE_SMS_MAX_RULES)
        out->rules[out->n_rules++] = name;
}

/* ===== URLs in text ===== */

static int url_byte(unsigned char c)
{
    return c > 0x20 && c < 0x7f && c != '"' && c != '<' && c != '>' && c != '\'' && c != '(' &&
           c != ')' && c != '[' && c != ']' && c != '{' && c != '}' && c != '|' && c != '\\' &&
           c != '^' && c != '`';
}

static int alnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Finds the next URL or bare domain at or after *pos; returns its span or 0. */
static int next_url(const char *t, size_t n, size_t *pos, size_t *b, size_t *e)
{
    size_t i = *pos;
    while (i < n) {
        if (!url_byte((unsigned char)t[i]) || (i > 0 && url_byte((unsigned char)t[i - 1]))) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < n && url_byte((unsigned char)t[j]))
            j++;
        /* Trailing punctuation belongs to the sentence. */
        while (j > i && (t[j - 1] == '.' || t[j - 1] == ',' || t[j - 1] == '!' || t[j - 1] == '?' ||
                         t[j - 1] == ':' || t[j - 1] == ';'))
            j--;
        *pos = j + 1;
        int scheme = contains(t + i, j - i > 10 ? 10 : j - i, "://");
        /* A bare domain: letters, digits, hyphens and dots up to the first '/', with a dot and
         * an alphabetic last label of two letters or more. */
        size_t h = i;
        while (h < j && (alnum((unsigned char)t[h]) || t[h] == '-' || t[h] == '.'))
            h++;
        size_t last = h;
        while (last > i && t[last - 1] != '.')
            last--;
        int bare = last > i + 1 && h - last >= 2 && (h == j || t[h] == '/' || t[h] == ':') &&
                   !(t[last] >= '0' && t[last] <= '9');
        if (scheme || bare) {
            *b = i;
            *e = j;
            return 1;
        }
        i = j + 1;
    }
    *pos = n;
    return 0;
}

enum rk_status rk_lookalike_sms_check(struct rk_lookalike_scanner *s, const char *text, size_t len,
                                      struct rk_lookalike_sms_result *out)
{
    const struct rk_lookalike *lk = s->lk;
    memset(out, 0, sizeof *out);
    out->brand = -1;
    if (len > RK_MAX_LOOKALIKE_SMS)
        return RK_ETOOBIG;
    if (len == 0 || !rk__la_valid_text((const unsigned char *)text, len))
        return RK_EINVAL;
    int rscore = 0;
    for (size_t r = 0; r < NRULES; r++) {
        for (size_t k = 0; rules[r].needles[k] != NULL; k++) {
            if (contains(text, len, rules[r].needles[k])) {
                add_rule(out, rules[r].name);
                rscore += rules[r].weight;
                break;
            }
        }
    }
    /* The brand the text names: its Japanese or English name, or one of its Japanese keywords
     * (ドコモ, ヤマト, 佐川: how senders are written in SMS headers such as 【ドコモ】). */
    int named = -1;
    for (size_t b = 0; b < lk->nbrands && named < 0; b++) {
        const struct rk__la_brand *br = &lk->brands[b];
        if ((br->name_ja && strlen(br->name_ja) >= 2 && contains(text, len, br->name_ja)) ||
            (br->name_en && strlen(br->name_en) >= 4 && contains(text, len, br->name_en)))
            named = (int)b;
        for (int32_t t = br->first_term; named < 0 && t < br->first_term + br->nterms; t++) {
            const struct rk__la_term *term = &lk->terms[t];
            if (!term->ascii && term->len >= 6 && contains(text, len, term->text))
                named = (int)b;
        }
    }
    /* The URLs. */
    int urlbest = 0, foreign = 0, official = 0, nlinks = 0;
    size_t pos = 0, ub, ue;
    while (next_url(text, len, &pos, &ub, &ue)) {
        struct rk_lookalike_match m;
        enum rk_status rc = rk_lookalike_check(s, text + ub, ue - ub, &m);
        if (rc == RK_ENOMEM)
            return rc;
        if (rc != RK_OK)
            continue;
        nlinks++;
        int legit = rk_lookalike_is_legit(lk, m.registrable);
        if (named >= 0) {
            int own = 0;
            for (size_t g = 0; g < lk->nlegit; g++)
                if (lk->legit[g].brand == named && strcmp(lk->legit[g].domain, m.registrable) == 0)
                    own = 1;
            if (own)
                official++;
            else
                foreign++;
        } else if (legit) {
            official++;
        }
        if (m.score > urlbest) {
            urlbest = m.score;
            if (m.brand >= 0)
                out->brand = m.brand;
        }
        if (out->n_urls < RK_LOOKALIKE_SMS_MAX_URLS) {
            struct rk_lookalike_sms_url *u = &out->urls[out->n_urls++];
            size_t n = ue - ub < sizeof u->url - 1 ? ue - ub : sizeof u->url - 1;
            memcpy(u->url, text + ub, n);
            u->url[n] = '\0';
            u->m = m;
            size_t rn = strlen(m.registrable);
            if (rn >= sizeof u->registrable)
                rn = sizeof u->registrable - 1;
            memcpy(u->registrable, m.registrable, rn);
            u->registrable[rn] = '\0';
            u->m.registrable = u->registrable;
            u->m.host = u->registrable;
        }
    }
    if (out->brand < 0)
        out->brand = named;
    if (named >= 0 && foreign > 0 && rscore > 0) {
        add_rule(out, "brand-named-link-elsewhere");
        rscore += 25;
    }
    if (rscore > 90)
        rscore = 90;
    int score;
    if (nlinks == 0) {
        /* Without a link the text may still lure to a phone number, but it is weaker. */
        score = rscore > 60 ? 60 : rscore;
    } else {
        score = rscore > 0 ? rscore + 10 : 0;
        if (urlbest > score)
            score = urlbest;
        if (urlbest >= 50 && rscore >= 30)
            score += 10;
        if (official > 0 && foreign == 0 && urlbest == 0) {
            add_rule(out, "links-to-official-domain");
            score -= 40;
        }
    }
    out->score = score < 0 ? 0 : score > 100 ? 100 : score;
    return RK_OK;
}

/* ===== JSON lines ===== */

static size_t skip_ws(const char *s, size_t n, size_t i)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
        i++;
    return i;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

static int hex4(const char *s, size_t n, size_t i, unsigned *out)
{
    if (i + 4 > n)
        return 0;
    unsigned v = 0;
    for (size_t k = 0; k < 4; k++) {
        int h = hexval(s[i + k]);
        if (h < 0)
            return 0;
        v = v * 16 + (unsigned)h;
    }
    *out = v;
    return 1;
}

/* Parses a JSON string starting at the opening quote s[*i]; decodes into dst when dst != NULL.
 * Returns RK_OK (and *i after the closing quote), RK_EINVAL or RK_ETOOBIG. */
static enum rk_status json_string(const char *s, size_t n, size_t *i, char *dst, size_t cap,
                                  size_t *dlen)
{
    size_t p = *i + 1, m = 0;
    while (p < n && s[p] != '"') {
        unsigned char c = (unsigned char)s[p];
        char enc[4];
        size_t ne = 0;
        if (c < 0x20)
            return RK_EINVAL;
        if (c != '\\') {
            enc[0] = (char)c;
            ne = 1;
            p++;
        } else {
            if (p + 1 >= n)
                return RK_EINVAL;
            char e = s[p + 1];
            p += 2;
            switch (e) {
            case '"':
            case '\\':
            case '/':
                enc[0] = e;
                ne = 1;
                break;
            case 'b':
                enc[0] = '\b';
                ne = 1;
                break;
            case 'f':
                enc[0] = '\f';
                ne = 1;
                break;
            case 'n':
                enc[0] = '\n';
                ne = 1;
                break;
            case 'r':
                enc[0] = '\r';
                ne = 1;
                break;
            case 't':
                enc[0] = '\t';
                ne = 1;
                break;
            case 'u': {
                unsigned cp;
                if (!hex4(s, n, p, &cp))
                    return RK_EINVAL;
                p += 4;
                if (cp >= 0xd800 && cp <= 0xdbff) {
                    unsigned lo;
                    if (p + 6 > n || s[p] != '\\' || s[p + 1] != 'u' || !hex4(s, n, p + 2, &lo) ||
                        lo < 0xdc00 || lo > 0xdfff)
                        return RK_EINVAL;
                    p += 6;
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                } else if (cp >= 0xdc00 && cp <= 0xdfff) {
                    return RK_EINVAL;
                }
                if (cp < 0x80) {
                    enc[0] = (char)cp;
                    ne = 1;
                } else if (cp < 0x800) {
                    enc[0] = (char)(0xc0 | (cp >> 6));
                    enc[1] = (char)(0x80 | (cp & 0x3f));
                    ne = 2;
                } else if (cp < 0x10000) {
                    enc[0] = (char)(0xe0 | (cp >> 12));
                    enc[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
                    enc[2] = (char)(0x80 | (cp & 0x3f));
                    ne = 3;
                } else {
                    enc[0] = (char)(0xf0 | (cp >> 18));
                    enc[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
                    enc[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
                    enc[3] = (char)(0x80 | (cp & 0x3f));
                    ne = 4;
                }
                break;
            }
            default:
                return RK_EINVAL;
            }
        }
        if (dst != NULL) {
            if (m + ne >= cap)
                return RK_ETOOBIG;
            memcpy(dst + m, enc, ne);
        }
        m += ne;
    }
    if (p >= n)
        return RK_EINVAL;
    *i = p + 1;
    if (dst != NULL) {
        dst[m] = '\0';
        *dlen = m;
    }
    return RK_OK;
}

/* Skips any JSON value at s[*i] (nesting bounded by a depth counter). */
static enum rk_status json_skip(const char *s, size_t n, size_t *i)
{
    size_t p = *i;
    int depth = 0;
    do {
        p = skip_ws(s, n, p);
        if (p >= n)
            return RK_EINVAL;
        char c = s[p];
        if (c == '"') {
            size_t dl;
            enum rk_status rc = json_string(s, n, &p, NULL, 0, &dl);
            if (rc != RK_OK)
                return rc;
        } else if (c == '{' || c == '[') {
            if (++depth > 64)
                return RK_EINVAL;
            p++;
            continue;
        } else if (c == '}' || c == ']') {
            if (depth == 0)
                return RK_EINVAL;
            depth--;
            p++;
        } else if (c == ',' || c == ':') {
            if (depth == 0)
                return RK_EINVAL;
            p++;
            continue;
        } else {
            size_t q = p;
            while (q < n && ((s[q] >= 'a' && s[q] <= 'z') || (s[q] >= '0' && s[q] <= '9') ||
                             s[q] == '-' || s[q] == '+' || s[q] == '.' || s[q] == 'E'))
                q++;
            if (q == p)
                return RK_EINVAL;
            p = q;
        }
    } while (depth > 0);
    *i = p;
    return RK_OK;
}

enum rk_status rk_lookalike_sms_from_json(const char *line, size_t len, char *dst, size_t cap,
                                          size_t *out_len)
{
    size_t i = skip_ws(line, len, 0);
    if (cap == 0 || i >= len || line[i] != '{')
        return RK_EINVAL;
    i++;
    for (;;) {
        i = skip_ws(line, len, i);
        if (i >= len || line[i] != '"')
            return RK_EINVAL;
        char key[16];
        size_t klen = 0, kb = i;
        enum rk_status rc = json_string(line, len, &i, NULL, 0, &klen);
        if (rc != RK_OK)
            return rc;
        klen = i - kb - 2;
        if (klen < sizeof key) {
            memcpy(key, line + kb + 1, klen);
            key[klen] = '\0';
        } else {
            key[0] = '\0';
        }
        i = skip_ws(line, len, i);
        if (i >= len || line[i] != ':')
            return RK_EINVAL;
        i = skip_ws(line, len, i + 1);
        if (i < len && line[i] == '"' &&
            (strcmp(key, "text") == 0 || strcmp(key, "body") == 0 || strcmp(key, "message") == 0))
            return json_string(line, len, &i, dst, cap, out_len);
        rc = json_skip(line, len, &i);
        if (rc != RK_OK)
            return rc;
        i = skip_ws(line, len, i);
        if (i < len && line[i] == ',') {
            i++;
            continue;
        }
        return RK_EINVAL; /* '}' without a text member, or garbage */
    }
}
