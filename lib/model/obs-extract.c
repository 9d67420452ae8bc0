/*
 * Extraction of every observable from free text, in one pass.
 *
 * Why the pass looks the way it does: narratives are mostly Japanese, and every observable but
 * the bank account is written in ASCII (or its full-width twin). So the scanner skips bytes that
 * cannot start an observable with a table lookup, and only at a "run" (a stretch of ASCII
 * letters, digits and URL punctuation, full-width forms and defanging brackets included) does
 * it refang the run and try the recognisers, in this order: phone numbers (which may continue
 * past a space), URLs (at "://", and the host inside the URL is reported too), e-mail addresses
 * (at '@'), then each remaining word (IP, CIDR, hash, wallet, file name, domain, host/path URL).
 * Japanese text and punctuation (「」、。（）) end a run, so "https://example.jp/にアクセス"
 * yields "https://example.jp/". Bank accounts are written in Japanese words, so a separate scan
 * looks for their keywords (obs-bank.c).
 */
#include "obs-internal.h"

#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "renkei/alloc.h"
#include "renkei/limits.h"

/* Longest run examined at once; a longer stretch without a delimiter is examined in pieces
 * of this size (twice RK_MAX_OBS_VALUE, so that any reportable value fits in one piece). */
#define RK_OBS_RUN_MAX (2u * RK_MAX_OBS_VALUE)

/* ===== Types and lists ===== */

static const char *const type_names[RK_OBS_TYPE_COUNT] = {
    "none", "ipv4", "ipv6",   "cidr",  "domain",       "url",           "email",
    "md5",  "sha1", "sha256", "phone", "bank-account", "crypto-wallet", "filename",
};

const char *rk_obs_type_name(enum rk_obs_type t)
{
    return (t >= 0 && t < RK_OBS_TYPE_COUNT) ? type_names[t] : "none";
}

enum rk_obs_type rk_obs_type_from_name(const char *name)
{
    for (int t = 1; name != NULL && t < RK_OBS_TYPE_COUNT; t++)
        if (strcmp(name, type_names[t]) == 0)
            return (enum rk_obs_type)t;
    return RK_OBS_NONE;
}

void rk_obs_clear(struct rk_obs *o)
{
    if (o == NULL)
        return;
    /* value, canonical and display share the one allocation that starts at value. */
    rk_free(o->value);
    memset(o, 0, sizeof *o);
}

void rk_obs_list_clear(struct rk_obs_list *l)
{
    if (l == NULL)
        return;
    for (size_t i = 0; i < l->count; i++)
        rk_obs_clear(&l->items[i]);
    rk_free(l->items);
    l->items = NULL;
    l->count = 0;
    l->cap = 0;
}

/* Fills `o` from a recogniser's output; on failure `o` is left zeroed. One allocation holds
 * the three strings: the extractor makes one observable every few hundred bytes of text. */
static enum rk_status obs_fill(struct rk_obs *o, enum rk_obs_type type, const char *value,
                               size_t vlen, size_t off, const struct rk__obs_out *r)
{
    size_t clen = r->canon.len;
    size_t dlen = r->disp.len;
    if (dlen > 0 && dlen == clen && memcmp(r->disp.data, r->canon.data, clen) == 0)
        dlen = 0; /* a display form equal to the canonical one adds nothing */
    memset(o, 0, sizeof *o);
    char *p = rk_malloc(vlen + 1 + clen + 1 + (dlen > 0 ? dlen + 1 : 0));
    if (p == NULL)
        return RK_ENOMEM;
    o->type = type;
    o->offset = off;
    o->length = vlen;
    o->value = p;
    memcpy(p, value, vlen);
    p[vlen] = '\0';
    o->canonical = p + vlen + 1;
    if (clen > 0)
        memcpy(o->canonical, r->canon.data, clen);
    o->canonical[clen] = '\0';
    if (dlen > 0) {
        o->display = o->canonical + clen + 1;
        memcpy(o->display, r->disp.data, dlen);
        o->display[dlen] = '\0';
    }
    return RK_OK;
}

/* ===== Word classification (shared with rk_obs_parse) ===== */

static int all_of(const char *s, size_t n, int (*pred)(unsigned char))
{
    for (size_t i = 0; i < n; i++)
        if (!pred((unsigned char)s[i]))
            return 0;
    return 1;
}

static int is_b58(unsigned char c)
{
    return rk__is_alnum(c) && c != '0' && c != 'O' && c != 'I' && c != 'l';
}

static int is_hexc(unsigned char c)
{
    return rk__is_hex(c);
}

enum rk_status rk__obs_word(const char *s, size_t n, struct rk__obs_out *o, enum rk_obs_type *type)
{
    enum rk_status rc;
    if (n == 0)
        return RK_EINVAL;
    if (memchr(s, '/', n) != NULL) {
        *type = RK_OBS_CIDR;
        rc = rk__obs_cidr(s, n, o);
        if (rc != RK_EINVAL)
            return rc;
        *type = RK_OBS_URL;
        return rk__obs_url(s, n, o);
    }
    if (memchr(s, ':', n) != NULL) {
        *type = RK_OBS_IPV6;
        return rk__obs_ipv6(s, n, o);
    }
    if (n == 42 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        *type = RK_OBS_CRYPTO_WALLET;
        return rk__obs_wallet(s, n, o);
    }
    if ((n == 32 || n == 40 || n == 64) && all_of(s, n, is_hexc))
        return rk__obs_hash(s, n, o, type);
    if (n >= 14 && (s[0] == 'b' || s[0] == 'B') && (s[1] == 'c' || s[1] == 'C') && s[2] == '1') {
        *type = RK_OBS_CRYPTO_WALLET;
        rc = rk__obs_wallet(s, n, o);
        if (rc != RK_EINVAL)
            return rc;
    }
    if (n >= 26 && n <= 35 && (s[0] == '1' || s[0] == '3') && all_of(s, n, is_b58)) {
        *type = RK_OBS_CRYPTO_WALLET;
        rc = rk__obs_wallet(s, n, o);
        if (rc != RK_EINVAL)
            return rc;
    }
    /* Every remaining type has a dot; most plain words stop here. */
    if (memchr(s, '.', n) == NULL)
        return RK_EINVAL;
    if (rk__is_digit((unsigned char)s[0])) {
        *type = RK_OBS_IPV4;
        rc = rk__obs_ipv4(s, n, o);
        if (rc != RK_EINVAL)
            return rc;
    }
    *type = RK_OBS_FILENAME;
    rc = rk__obs_filename(s, n, o);
    if (rc != RK_EINVAL)
        return rc;
    *type = RK_OBS_DOMAIN;
    return rk__obs_domain(s, n, o);
}

/* ===== rk_obs_parse ===== */

static enum rk_status parse_as(const char *r, size_t n, enum rk_obs_type hint,
                               struct rk__obs_out *o, enum rk_obs_type *type)
{
    enum rk_status rc;
    *type = hint;
    switch (hint) {
    case RK_OBS_IPV4:
        return rk__obs_ipv4(r, n, o);
    case RK_OBS_IPV6:
        return rk__obs_ipv6(r, n, o);
    case RK_OBS_CIDR:
        return rk__obs_cidr(r, n, o);
    case RK_OBS_DOMAIN:
        return rk__obs_domain(r, n, o);
    case RK_OBS_URL:
        return rk__obs_url(r, n, o);
    case RK_OBS_EMAIL:
        return rk__obs_email(r, n, o);
    case RK_OBS_MD5:
    case RK_OBS_SHA1:
    case RK_OBS_SHA256:
        rc = rk__obs_hash(r, n, o, type);
        if (rc == RK_OK && *type != hint)
            rc = RK_EINVAL;
        return rc;
    case RK_OBS_PHONE:
        return rk__obs_phone(r, n, o);
    case RK_OBS_BANK_ACCOUNT:
        return rk__obs_bank(r, n, o);
    case RK_OBS_CRYPTO_WALLET:
        return rk__obs_wallet(r, n, o);
    case RK_OBS_FILENAME:
        return rk__obs_filename(r, n, o);
    default:
        break;
    }
    /* Detection: the most specific shapes first. */
    if (memmem(r, n, "://", 3) != NULL) {
        *type = RK_OBS_URL;
        return rk__obs_url(r, n, o);
    }
    if (memchr(r, '@', n) != NULL) {
        *type = RK_OBS_EMAIL;
        return rk__obs_email(r, n, o);
    }
    *type = RK_OBS_PHONE;
    rc = rk__obs_phone(r, n, o);
    if (rc != RK_EINVAL)
        return rc;
    rk__obs_out_reset(o);
    int ascii = 1;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)r[i] >= 0x80)
            ascii = 0;
    if (!ascii) {
        *type = RK_OBS_BANK_ACCOUNT;
        rc = rk__obs_bank(r, n, o);
        if (rc != RK_EINVAL)
            return rc;
        rk__obs_out_reset(o);
    }
    rc = rk__obs_word(r, n, o, type);
    if (rc == RK_EINVAL && ascii) {
        /* The canonical bank form "0009-123-1234567" is ASCII. */
        rk__obs_out_reset(o);
        *type = RK_OBS_BANK_ACCOUNT;
        rc = rk__obs_bank(r, n, o);
    }
    return rc;
}

enum rk_status rk_obs_parse(const char *in, size_t len, enum rk_obs_type hint, struct rk_obs *out)
{
    struct rk__obs_out o;
    struct rk_buf r;
    enum rk_obs_type type = RK_OBS_NONE;
    enum rk_status rc;
    memset(out, 0, sizeof *out);
    if (len > RK_MAX_OBS_VALUE)
        return RK_ETOOBIG;
    if (hint < 0 || hint >= RK_OBS_TYPE_COUNT)
        return RK_EINVAL;
    rk__obs_out_init(&o);
    rk_buf_init(&r, RK_MAX_OBS_VALUE + 1);
    if (!rk__obs_utf8_valid(in, len)) {
        rc = RK_EINVAL;
        goto out;
    }
    /* Refang until nothing changes: "（(dot))" refangs to "(.)", which refangs again. The
     * canonical form must be a fixed point, so that parsing it gives it back. */
    rc = rk__obs_refang(in, len, &r, NULL);
    for (int round = 0; rc == RK_OK && round < 4; round++) {
        struct rk_buf again;
        rk_buf_init(&again, RK_MAX_OBS_VALUE + 1);
        rc = rk__obs_refang(r.data, r.len, &again, NULL);
        int same = rc == RK_OK && again.len == r.len && memcmp(again.data, r.data, r.len) == 0;
        if (rc == RK_OK && !same) {
            rk_buf_free(&r);
            r = again;
        } else {
            rk_buf_free(&again);
        }
        if (same)
            break;
    }
    if (rc != RK_OK)
        goto out;
    if (r.len == 0 || memchr(r.data, '\0', r.len) != NULL) {
        rc = RK_EINVAL;
        goto out;
    }
    rc = parse_as(r.data, r.len, hint, &o, &type);
    if (rc != RK_OK)
        goto out;
    rc = obs_fill(out, type, in, len, 0, &o);
out:
    rk_buf_free(&r);
    rk__obs_out_free(&o);
    if (rc != RK_OK)
        memset(out, 0, sizeof *out);
    return rc;
}

/* ===== Extraction ===== */

struct ex {
    const unsigned char *t; /* the text */
    size_t n;
    struct rk_obs_list *out;
    size_t first;                     /* out->count before this call */
    struct rk__obs_out o;             /* recogniser scratch */
    struct rk_buf run;                /* the refanged run */
    uint32_t map[RK_OBS_RUN_MAX + 1]; /* run byte -> offset from the run start */
    size_t run_start;                 /* raw offset of the run */
    size_t resume;                    /* raw offset where the scan goes on after this run */
};

/* Characters that may continue a run (ASCII): letters, digits and URL punctuation. A table,
 * because the scanner asks for every byte of every run. */
static const uint8_t run_chars[256] = {
    ['0' ... '9'] = 1, ['A' ... 'Z'] = 1, ['a' ... 'z'] = 1, ['.'] = 1, ['-'] = 1, ['_'] = 1,
    [':'] = 1,         ['/'] = 1,         ['@'] = 1,         ['%'] = 1, ['?'] = 1, ['='] = 1,
    ['&'] = 1,         ['+'] = 1,         ['#'] = 1,         ['~'] = 1,
};

static int run_char(unsigned char c)
{
    return run_chars[c];
}

/* Characters a word (host, address, hash, wallet, file name) is made of. */
static int word_char(unsigned char c)
{
    return rk__is_alnum(c) || c == '.' || c == '-' || c == '_' || c == ':' || c == '/';
}

static enum rk_status emit(struct ex *x, enum rk_obs_type type, size_t off, size_t len)
{
    struct rk_obs_list *l = x->out;
    if (l->count - x->first >= RK_MAX_OBS_ITEMS)
        return RK_OK; /* policy: keep the first RK_MAX_OBS_ITEMS */
    /* A value is always well-formed UTF-8 (JSON needs it); a span that took in a broken
     * sequence next to a Japanese file name or bank name is dropped. */
    if (!rk__obs_utf8_valid((const char *)x->t + off, len) ||
        !rk__obs_utf8_valid(x->o.canon.data ? x->o.canon.data : "", x->o.canon.len))
        return RK_OK;
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        struct rk_obs *p = rk_reallocarray(l->items, cap, sizeof *p);
        if (p == NULL)
            return RK_ENOMEM;
        l->items = p;
        l->cap = cap;
    }
    enum rk_status rc =
        obs_fill(&l->items[l->count], type, (const char *)x->t + off, len, off, &x->o);
    if (rc == RK_OK)
        l->count++;
    return rc;
}

/* Raw offset of run byte i. */
static size_t raw(const struct ex *x, size_t i)
{
    return x->run_start + x->map[i];
}

/* Emits a recognised run range [a, b) whose canonical form is in x->o. */
static enum rk_status emit_run(struct ex *x, enum rk_obs_type type, size_t a, size_t b)
{
    size_t ra = raw(x, a), rb = raw(x, b);
    return emit(x, type, ra, rb - ra);
}

static int ends_with_ci(const unsigned char *t, size_t end, const char *w)
{
    size_t k = strlen(w);
    if (end < k)
        return 0;
    for (size_t i = 0; i < k; i++)
        if (rk__lower(t[end - k + i]) != (unsigned char)w[i])
            return 0;
    /* An ASCII word must start at a word boundary. */
    if ((unsigned char)w[0] < 0x80 && end > k && rk__is_alpha(t[end - k - 1]))
        return 0;
    return 1;
}

/* Whether a dotted quad at raw offset `off` is introduced as a version number. */
static int version_context(const struct ex *x, size_t off)
{
    size_t e = off;
    while (e > 0 && (x->t[e - 1] == ' ' || x->t[e - 1] == ':' || x->t[e - 1] == '\t'))
        e--;
    if (e >= 3 && memcmp(x->t + e - 3, "\xEF\xBC\x9A", 3) == 0) /* ： */
        e -= 3;
    static const char *const words[] = {"version",    "ver.",    "ver", "v",
                                        "バージョン", "ﾊﾞｰｼﾞｮﾝ", "版",  "build",
                                        "firmware",   "release", "rev."};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (ends_with_ci(x->t, e, words[i]))
            return 1;
    return 0;
}

static int has_digit_and_letter(const char *s, size_t n)
{
    int d = 0, a = 0;
    for (size_t i = 0; i < n; i++) {
        d |= rk__is_digit((unsigned char)s[i]);
        a |= rk__is_alpha((unsigned char)s[i]);
    }
    return d && a;
}

/* Japanese punctuation and white space that bound a quoted file name. */
static int opens_name(const unsigned char *p, size_t avail)
{
    static const char *const opens[] = {"「", "『", "【", "（", "“", "\xE3\x80\x80"};
    for (size_t i = 0; i < sizeof opens / sizeof opens[0]; i++) {
        size_t k = strlen(opens[i]);
        if (avail >= k && memcmp(p, opens[i], k) == 0)
            return (int)k;
    }
    return 0;
}

/*
 * A file name whose stem is Japanese ("「請求書.pdf.exe」"): the run starts at the dot, so look
 * back for an opening quote, bracket or white space with no other punctuation in between.
 */
static size_t japanese_stem(const struct ex *x, size_t dot)
{
    size_t limit = dot > 120 ? dot - 120 : 0;
    for (size_t b = dot; b > limit;) {
        unsigned char c = x->t[b - 1];
        if (c == ' ' || c == '\n' || c == '\t' || c == '"' || c == '\'')
            return b == dot ? SIZE_MAX : b;
        if (c < 0x80)
            return SIZE_MAX;
        /* Step back one UTF-8 character. */
        size_t s = b - 1;
        while (s > limit && (x->t[s] & 0xC0) == 0x80)
            s--;
        int k = opens_name(x->t + s, b - s);
        if (k > 0 && s + (size_t)k == b)
            return b == dot ? SIZE_MAX : b;
        if ((x->t[s] & 0xC0) == 0x80 || x->t[s] < 0xC2)
            return SIZE_MAX; /* invalid UTF-8 */
        /* Other Japanese punctuation (、。」・：) ends the search without a name. */
        if (x->t[s] == 0xE3 && x->t[s + 1] == 0x80)
            return SIZE_MAX;
        if (x->t[s] == 0xEF && x->t[s + 1] == 0xBC)
            return SIZE_MAX;
        b = s;
    }
    return dot == 0 ? SIZE_MAX : (limit == 0 && dot <= 120 ? 0 : SIZE_MAX);
}

static enum rk_status word(struct ex *x, size_t a, size_t b, int depth);

/* Splits [a, b) at every `sep` and classifies the pieces. */
static enum rk_status split_words(struct ex *x, size_t a, size_t b, char sep, int depth)
{
    const char *r = x->run.data;
    enum rk_status rc = RK_OK;
    size_t s = a;
    for (size_t i = a; i <= b && rc == RK_OK; i++) {
        if (i == b || r[i] == sep) {
            if (i > s)
                rc = word(x, s, i, depth + 1);
            s = i + 1;
        }
    }
    return rc;
}

static enum rk_status emit_url_host(struct ex *x, size_t a, size_t b);

static enum rk_status word(struct ex *x, size_t a, size_t b, int depth)
{
    const char *r = x->run.data;
    int lead_dot = a < b && r[a] == '.';
    /* Leading punctuation is not part of a word, but "::1" starts with its colons. */
    while (a < b && strchr(".:/-_", r[a]) != NULL &&
           !(b - a >= 2 && r[a] == ':' && r[a + 1] == ':'))
        a++;
    while (b > a && strchr(".:/-_", r[b - 1]) != NULL)
        b--;
    if (b <= a)
        return RK_OK;
    if (lead_dot && a > 0 && r[a - 1] == '.' && x->map[a - 1] == 0) {
        /* ".pdf.exe" at the start of a run: a file name with a Japanese stem? */
        size_t dot = raw(x, a - 1);
        size_t stem = japanese_stem(x, dot);
        size_t end = raw(x, b);
        if (stem != SIZE_MAX && end - stem <= 255) {
            /* The canonical name is the refanged one, as rk_obs_parse() would make it. */
            struct rk_buf name;
            rk_buf_init(&name, RK_MAX_OBS_VALUE);
            rk__obs_out_reset(&x->o);
            enum rk_status rc = rk__obs_refang((const char *)x->t + stem, end - stem, &name, NULL);
            if (rc == RK_OK)
                rc = rk__obs_filename(name.data, name.len, &x->o);
            rk_buf_free(&name);
            if (rc == RK_OK)
                return emit(x, RK_OBS_FILENAME, stem, end - stem);
            if (rc == RK_ENOMEM)
                return rc;
        }
    }
    enum rk_obs_type type;
    rk__obs_out_reset(&x->o);
    enum rk_status rc = rk__obs_word(r + a, b - a, &x->o, &type);
    if (rc == RK_ENOMEM || rc == RK_ETOOBIG)
        return rc == RK_ETOOBIG ? RK_OK : rc;
    if (rc == RK_OK) {
        if ((type == RK_OBS_MD5 || type == RK_OBS_SHA1 || type == RK_OBS_SHA256) &&
            !has_digit_and_letter(r + a, b - a))
            return RK_OK; /* a long run of digits is a number, not a hash */
        if (type == RK_OBS_IPV4 && version_context(x, raw(x, a)))
            return RK_OK;
        if (type == RK_OBS_FILENAME && lead_dot)
            return RK_OK; /* ".pdf.exe" with a stem we could not delimit */
        if (type == RK_OBS_URL) {
            rc = emit_run(x, type, a, b);
            return rc == RK_OK ? emit_url_host(x, a, b) : rc;
        }
        return emit_run(x, type, a, b);
    }
    if (depth >= 2)
        return RK_OK;
    if (memchr(r + a, '/', b - a) != NULL)
        return split_words(x, a, b, '/', depth);
    if (memchr(r + a, ':', b - a) != NULL)
        return split_words(x, a, b, ':', depth);
    return RK_OK;
}

/* Reports the host of a URL found at run range [a, b). */
static enum rk_status emit_url_host(struct ex *x, size_t a, size_t b)
{
    const char *r = x->run.data;
    size_t h = a;
    for (size_t i = a; i + 3 <= b && i < a + 9; i++)
        if (memcmp(r + i, "://", 3) == 0) {
            h = i + 3;
            break;
        }
    size_t e = h;
    while (e < b && r[e] != '/' && r[e] != '?' && r[e] != '#')
        e++;
    for (size_t i = h; i < e; i++)
        if (r[i] == '@')
            h = i + 1;
    size_t he = h;
    enum rk_obs_type kind;
    enum rk_status rc;
    rk__obs_out_reset(&x->o);
    if (h < e && r[h] == '[') {
        /* The address without its brackets. */
        h++;
        he = h;
        while (he < e && r[he] != ']')
            he++;
        kind = RK_OBS_IPV6;
        rc = rk__obs_ipv6(r + h, he - h, &x->o);
    } else {
        while (he < e && r[he] != ':')
            he++;
        rc = he > h ? rk__obs_host(r + h, he - h, &x->o.canon, &x->o.disp, &kind) : RK_EINVAL;
    }
    if (rc != RK_OK)
        return rc == RK_ENOMEM ? rc : RK_OK;
    return emit_run(x, kind, h, he);
}

/* Trailing characters that end a sentence rather than a URL. */
static int url_trailer(char c)
{
    return c == '.' || c == ',' || c == ':' || c == ';' || c == '!' || c == '?' || c == '\'';
}

/* Words in [a, b) that are not URLs or e-mail addresses. */
static enum rk_status words(struct ex *x, size_t a, size_t b)
{
    const char *r = x->run.data;
    enum rk_status rc = RK_OK;
    size_t s = a;
    for (size_t i = a; i <= b && rc == RK_OK; i++) {
        if (i == b || !word_char((unsigned char)r[i])) {
            if (i > s)
                rc = word(x, s, i, 0);
            s = i + 1;
        }
    }
    return rc;
}

/* E-mail addresses in [a, b), then the words between them. */
static enum rk_status emails(struct ex *x, size_t a, size_t b)
{
    const char *r = x->run.data;
    enum rk_status rc = RK_OK;
    size_t done = a;
    for (size_t q = a; q < b && rc == RK_OK; q++) {
        const char *at = memchr(r + q, '@', b - q);
        if (at == NULL)
            break;
        q = (size_t)(at - r);
        if (q < done)
            continue;
        size_t ls = q;
        while (ls > done && rk__obs_email_local_char((unsigned char)r[ls - 1]) &&
               r[ls - 1] != '/' && r[ls - 1] != '?' && r[ls - 1] != '=' && r[ls - 1] != '&')
            ls--;
        while (ls < q && r[ls] == '.')
            ls++;
        size_t de = q + 1;
        while (de < b && (rk__is_alnum((unsigned char)r[de]) || r[de] == '.' || r[de] == '-'))
            de++;
        while (de > q + 1 && (r[de - 1] == '.' || r[de - 1] == '-'))
            de--;
        if (ls == q || de == q + 1)
            continue;
        rk__obs_out_reset(&x->o);
        enum rk_status e = rk__obs_email(r + ls, de - ls, &x->o);
        if (e == RK_ENOMEM)
            return e;
        if (e != RK_OK)
            continue;
        /* Emit before the words in front reuse the scratch output. */
        rc = emit_run(x, RK_OBS_EMAIL, ls, de);
        if (rc == RK_OK)
            rc = words(x, done, ls);
        done = de;
    }
    if (rc == RK_OK)
        rc = words(x, done, b);
    return rc;
}

/* URLs in [a, b) (at each "://"), then e-mail and words in what lies between. */
static enum rk_status urls(struct ex *x, size_t a, size_t b)
{
    const char *r = x->run.data;
    enum rk_status rc = RK_OK;
    size_t done = a;
    for (size_t q = a; q + 3 <= b && rc == RK_OK; q++) {
        const char *colon = memchr(r + q, ':', b - q);
        if (colon == NULL)
            break;
        q = (size_t)(colon - r);
        if (q + 3 > b || r[q + 1] != '/' || r[q + 2] != '/')
            continue;
        size_t k = rk__obs_scheme_before(r + done, q - done);
        if (k == 0)
            continue;
        size_t us = q - k, ue = b;
        while (ue > q + 3 && url_trailer(r[ue - 1]))
            ue--;
        if (ue - us > RK_MAX_OBS_VALUE)
            ue = us + RK_MAX_OBS_VALUE;
        rk__obs_out_reset(&x->o);
        enum rk_status e = rk__obs_url(r + us, ue - us, &x->o);
        if (e == RK_ENOMEM)
            return e;
        if (e != RK_OK)
            continue;
        rc = emit_run(x, RK_OBS_URL, us, ue);
        if (rc == RK_OK)
            rc = emit_url_host(x, us, ue);
        if (rc == RK_OK)
            rc = emails(x, done, us);
        done = ue;
        q = ue > 0 ? ue - 1 : ue;
    }
    if (rc == RK_OK)
        rc = emails(x, done, b);
    return rc;
}

/* Whether a phone number may start at run byte k. */
static int phone_start(const struct ex *x, size_t k)
{
    const char *r = x->run.data;
    if (r[k] != '0' && r[k] != '+')
        return 0;
    if (k == 0)
        return 1;
    return r[k - 1] == ':' || r[k - 1] == '=' ? 1 : 0;
}

/* Looks for a phone number in the run; returns the run byte where it starts (or run.len). */
static enum rk_status phones(struct ex *x, size_t *cut)
{
    *cut = x->run.len;
    for (size_t k = 0; k < x->run.len; k++) {
        if (!phone_start(x, k))
            continue;
        size_t at = raw(x, k);
        /* "(03)1234-5678" and "（03）..." begin before the run. */
        if (k == 0 && at >= 1 && x->t[at - 1] == '(')
            at -= 1;
        else if (k == 0 && at >= 3 && memcmp(x->t + at - 3, "\xEF\xBC\x88", 3) == 0)
            at -= 3;
        enum rk_status rc;
        rk__obs_out_reset(&x->o);
        size_t got = rk__obs_phone_scan(x->t + at, x->n - at, &x->o, &rc);
        if (rc != RK_OK)
            return rc;
        if (got == 0)
            continue;
        rc = emit(x, RK_OBS_PHONE, at, got);
        if (rc != RK_OK)
            return rc;
        *cut = k;
        if (at + got > x->resume)
            x->resume = at + got;
        return RK_OK;
    }
    return RK_OK;
}

/* Whether the raw run [s, e) could hold anything at all (a cheap test before refanging). */
static int run_worth(const unsigned char *t, size_t s, size_t e)
{
    /* A wallet or hash is long; a phone number starts with 0 or + (and may go on after a
     * space, so its first run can be short); everything else has one of these bytes. Words
     * and numbers such as "Windows", "iPhone15" or "2024" are skipped here. */
    if (e - s >= 26 || t[s] == '0' || t[s] == '+')
        return 1;
    for (size_t i = s; i < e; i++)
        if (t[i] == '.' || t[i] == '@' || t[i] == ':' || t[i] >= 0x80 || t[i] == '[' ||
            t[i] == '(' || t[i] == '{')
            return 1;
    return 0;
}

/* Byte length of the defanging token or bracketed IPv6 host at t[i], or 0. */
static size_t bracket_len(const struct ex *x, size_t s, size_t i)
{
    const char *repl;
    size_t k = rk__obs_defang(x->t + i, x->n - i, &repl);
    if (k > 0)
        return k;
    /* "http://[2001:db8::1]/": a bracketed host right after "://". */
    if (x->t[i] == '[' && i >= s + 3 && memcmp(x->t + i - 3, "://", 3) == 0) {
        size_t j = i + 1;
        while (j < x->n && j < i + 48 && (rk__is_hex(x->t[j]) || x->t[j] == ':' || x->t[j] == '.'))
            j++;
        if (j < x->n && x->t[j] == ']')
            return j + 1 - i;
    }
    return 0;
}

/* The end of the run starting at s. */
static size_t run_end(const struct ex *x, size_t s)
{
    size_t i = s, max = s + RK_OBS_RUN_MAX; /* refanging never lengthens a run */
    if (max > x->n)
        max = x->n;
    while (i < max) {
        unsigned char c = x->t[i], f;
        size_t k;
        if (c < 0x80) {
            if (run_char(c)) {
                i++;
                continue;
            }
            if ((c == '[' || c == '(' || c == '{') && (k = bracket_len(x, s, i)) > 0) {
                i += k;
                continue;
            }
            break;
        }
        if (c == 0xEF && (k = rk__obs_fullwidth(x->t + i, x->n - i, &f)) > 0) {
            if (run_char(f)) {
                i += k;
                continue;
            }
            if ((f == '[' || f == '(' || f == '{') && (k = bracket_len(x, s, i)) > 0) {
                i += k;
                continue;
            }
        }
        break;
    }
    return i;
}

static enum rk_status bank_found(size_t off, size_t len, struct rk__obs_out *o, void *ud)
{
    struct ex *x = ud;
    struct rk__obs_out keep = x->o;
    x->o = *o;
    enum rk_status rc = emit(x, RK_OBS_BANK_ACCOUNT, off, len);
    x->o = keep;
    return rc;
}

/* Whether the run is a 7-digit number (ASCII or full-width), as bank account numbers are. */
static int seven_digits(const unsigned char *t, size_t s, size_t e)
{
    if (e - s == 7) {
        for (size_t i = s; i < e; i++)
            if (!rk__is_digit(t[i]))
                return 0;
        return 1;
    }
    if (e - s == 21) {
        for (size_t i = s; i < e; i += 3)
            if (t[i] != 0xEF || t[i + 1] != 0xBC || t[i + 2] < 0x90 || t[i + 2] > 0x99)
                return 0;
        return 1;
    }
    return 0;
}

/* Whether the UTF-8 character at p may be part of an internationalised host name: not white
 * space and not Japanese or full-width punctuation (the full-width dot is a dot). */
static size_t idn_char(const unsigned char *p, size_t avail)
{
    if (p[0] < 0x80)
        return (rk__is_alnum(p[0]) || p[0] == '.' || p[0] == '-') ? 1 : 0;
    if (p[0] < 0xC2 || p[0] > 0xEF || avail < 3 || p[0] < 0xE0)
        return 0; /* two-byte letters are not used in Japanese host names */
    if (p[0] == 0xE3 && p[1] == 0x80)
        return 0; /* U+3000..U+303F: 、。「」『』【】 and the ideographic space */
    if (p[0] == 0xEF && p[1] == 0xBC && p[2] == 0x8E)
        return 3; /* ． */
    if (p[0] == 0xEF &&
        ((p[1] == 0xBC && p[2] < 0x90) || (p[1] == 0xBC && p[2] >= 0x9A && p[2] <= 0xA0)))
        return 0; /* full-width punctuation: （）：？ ... */
    if (p[0] == 0xEF && p[1] == 0xBD && p[2] >= 0x9B && p[2] <= 0xA5)
        return 0; /* ｛｜｝～ and half-width 。「」、・ */
    if ((p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
        return 0;
    return 3;
}

/*
 * A URL whose host is written in Unicode ("https://例え.jp/login"): the run stops at the first
 * Japanese character, so the run ends with "://". The host goes on over Unicode characters and
 * ASCII letters, digits, dots and hyphens; as Japanese prose may follow it without a space
 * ("https://例え.jpにアクセス"), the top-level label is cut where its ASCII letters end.
 */
static enum rk_status idn_url(struct ex *x, size_t e)
{
    const char *r = x->run.data;
    size_t m = x->run.len;
    if (m < 4 || memcmp(r + m - 3, "://", 3) != 0 || e >= x->n || x->t[e] < 0x80)
        return RK_OK;
    size_t k = rk__obs_scheme_before(r, m - 3);
    if (k == 0)
        return RK_OK;
    size_t us = raw(x, m - 3 - k);
    size_t i = e, last_dot = SIZE_MAX, step;
    size_t tld = SIZE_MAX;
    const char *repl;
    for (;;) {
        if (i >= x->n || i - e >= 253 * 3)
            break;
        if ((step = rk__obs_defang(x->t + i, x->n - i, &repl)) > 0 && strcmp(repl, ".") == 0) {
            last_dot = i; /* "日本語[.]example[.]com" */
            tld = i + step;
        } else if ((step = idn_char(x->t + i, x->n - i)) > 0) {
            if (x->t[i] == '.' ||
                (x->t[i] == 0xEF && x->t[i + 1] == 0xBC && x->t[i + 2] == 0x8E)) { /* ． */
                last_dot = i;
                tld = i + step;
            }
        } else {
            break;
        }
        i += step;
    }
    if (last_dot == SIZE_MAX || last_dot < e)
        return RK_OK;
    size_t te = tld;
    while (te < i && (rk__is_alnum(x->t[te]) || x->t[te] == '-'))
        te++;
    if (te == tld)
        return RK_OK;
    size_t end = te;
    if (end < x->n && strchr("/:?#", x->t[end]) != NULL && x->t[end] != '\0')
        end = run_end(x, end);
    /* Refang and examine [us, end) as a run of its own. */
    enum rk_status rc = rk__obs_refang((const char *)x->t + us, end - us, &x->run, x->map);
    if (rc != RK_OK)
        return rc;
    x->run_start = us;
    size_t ue = x->run.len;
    while (ue > 0 && url_trailer(x->run.data[ue - 1]))
        ue--;
    rk__obs_out_reset(&x->o);
    rc = rk__obs_url(x->run.data, ue, &x->o);
    if (rc != RK_OK)
        return rc == RK_ENOMEM ? rc : RK_OK;
    rc = emit_run(x, RK_OBS_URL, 0, ue);
    if (rc == RK_OK)
        rc = emit_url_host(x, 0, ue);
    if (x->resume < end)
        x->resume = end;
    return rc;
}

static enum rk_status do_run(struct ex *x, size_t s, size_t e)
{
    x->run_start = s;
    x->resume = e;
    if (seven_digits(x->t, s, e))
        return rk__obs_bank_at_number((const char *)x->t, x->n, s, bank_found, x);
    if (!run_worth(x->t, s, e))
        return RK_OK;
    enum rk_status rc = rk__obs_refang((const char *)x->t + s, e - s, &x->run, x->map);
    if (rc != RK_OK)
        return rc;
    size_t cut;
    rc = phones(x, &cut);
    if (rc == RK_OK)
        rc = urls(x, 0, cut);
    if (rc == RK_OK)
        rc = idn_url(x, e);
    return rc;
}

/* Bytes that can start a run: ASCII run characters, brackets (defanging) and 0xEF (the lead
 * byte of the full-width forms). */
static int run_start(unsigned char c)
{
    return (c < 0x80 && (run_char(c) || c == '[' || c == '(' || c == '{')) || c == 0xEF;
}

static int cmp_offset(const void *pa, const void *pb)
{
    const struct rk_obs *a = pa, *b = pb;
    if (a->offset != b->offset)
        return a->offset < b->offset ? -1 : 1;
    /* Same start: the longer (a URL before its host) first. */
    if (a->length != b->length)
        return a->length > b->length ? -1 : 1;
    return (int)a->type - (int)b->type;
}

/*
 * Returns the first offset >= i whose byte is ASCII or 0xEF (the lead byte of the full-width
 * forms), or len. Japanese text is nearly all other bytes, so this is where the scanner spends
 * its time on plain narrative: 16 bytes a step with SSE2, 8 with plain 64-bit words elsewhere.
 */
static size_t skip_plain(const unsigned char *t, size_t i, size_t len)
{
#if defined(__SSE2__)
    const __m128i ef = _mm_set1_epi8((char)0xEF);
    while (i + 16 <= len) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(t + i));
        unsigned stop = ((unsigned)~_mm_movemask_epi8(v) & 0xFFFFu) |
                        (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, ef));
        if (stop != 0)
            return i + (size_t)__builtin_ctz(stop);
        i += 16;
    }
#endif
    while (i + 8 <= len) {
        uint64_t w;
        memcpy(&w, t + i, 8);
        uint64_t x = w ^ 0xEFEFEFEFEFEFEFEFull;
        uint64_t has_ef = (x - 0x0101010101010101ull) & ~x & 0x8080808080808080ull;
        if ((~w & 0x8080808080808080ull) != 0 || has_ef != 0)
            break;
        i += 8;
    }
    while (i < len && t[i] >= 0x80 && t[i] != 0xEF)
        i++;
    return i;
}

/*
 * Puts out->items[first..] in offset order. The scan emits them nearly in order (a URL's host
 * after the URL, the words before a URL after it, a bank account when its number is reached),
 * so insertion sort does it in about linear time.
 */
static void sort_items(struct rk_obs_list *l, size_t first)
{
    struct rk_obs *v = l->items;
    for (size_t i = first + 1; i < l->count; i++) {
        struct rk_obs t = v[i];
        size_t j = i;
        while (j > first && cmp_offset(&v[j - 1], &t) > 0) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = t;
    }
}

enum rk_status rk_obs_extract(const char *text, size_t len, struct rk_obs_list *out)
{
    if (len > RK_MAX_OBS_TEXT)
        return RK_ETOOBIG;
    struct ex *x = rk_malloc(sizeof *x);
    if (x == NULL)
        return RK_ENOMEM;
    x->t = (const unsigned char *)text;
    x->n = len;
    x->out = out;
    x->first = out->count;
    rk__obs_out_init(&x->o);
    rk_buf_init(&x->run, RK_OBS_RUN_MAX + 1);
    uint8_t start[256];
    for (int c = 0; c < 256; c++)
        start[c] = (uint8_t)run_start((unsigned char)c);
    enum rk_status rc = RK_OK;
    size_t i = 0;
    while (i < len && rc == RK_OK) {
        /* Japanese text is nearly all bytes >= 0x80 other than 0xEF: skip eight at a time
         * while no byte is ASCII or 0xEF (the lead byte of the full-width forms). */
        while (i < len) {
            i = skip_plain(x->t, i, len);
            if (i >= len || start[x->t[i]])
                break;
            i++;
        }
        if (i >= len)
            break;
        size_t e = run_end(x, i);
        if (e == i) {
            i++;
            continue;
        }
        rc = do_run(x, i, e);
        i = x->resume > e ? x->resume : e;
    }
    if (rc == RK_OK)
        sort_items(out, x->first);
    if (rc != RK_OK) {
        while (out->count > x->first)
            rk_obs_clear(&out->items[--out->count]);
    }
    rk_buf_free(&x->run);
    rk__obs_out_free(&x->o);
    rk_free(x);
    return rc;
}
