/*
 * Indicator-file loaders: plain lists, CSV with a type column, STIX 2.1 bundles and MISP event
 * JSON. Each one turns what it reads into (type hint, value) pairs for rk_sweep_builder_add(),
 * which detects and canonicalises. A value that is not a supported indicator is counted as
 * skipped; only a file that is not of the format at all fails the load.
 */
#include "sweep-int.h"

#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <strings.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "renkei/alloc.h"

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (err == NULL || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* Adds one value; RK_EINVAL and RK_ETOOBIG of a single value only count it as skipped. */
static enum rk_status add_one(struct rk_sweep_builder *b, enum rk_sweep_type hint, const char *v,
                              size_t n, struct rk_sweep_load_stats *st)
{
    enum rk_status rc = rk_sweep_builder_add(b, hint, v, n);
    if (rc == RK_OK) {
        st->added++;
        return RK_OK;
    }
    if (rc == RK_EINVAL || (rc == RK_ETOOBIG && n > RK_MAX_SWEEP_INDICATOR)) {
        st->skipped++;
        return RK_OK;
    }
    return rc;
}

/*
 * Maps a type name of the usual vocabularies (ours, MISP attribute types, CSV exports of common
 * platforms) to a hint. `*part` tells which part of a MISP composite value "a|b" holds the
 * indicator: 0 the whole value, 1 the first, 2 the second, 3 both.
 */
static enum rk_sweep_type type_from_name(const char *s, size_t n, int *part)
{
    static const struct {
        const char *name;
        enum rk_sweep_type t;
        int part;
    } m[] = {
        {"ip", RK_SWEEP_IPV4, 0},          {"ipv4", RK_SWEEP_IPV4, 0},
        {"ipv6", RK_SWEEP_IPV4, 0},        {"ip-src", RK_SWEEP_IPV4, 0},
        {"ip-dst", RK_SWEEP_IPV4, 0},      {"ip-src|port", RK_SWEEP_IPV4, 1},
        {"ip-dst|port", RK_SWEEP_IPV4, 1}, {"ipv4-addr", RK_SWEEP_IPV4, 0},
        {"ipv6-addr", RK_SWEEP_IPV4, 0},   {"cidr", RK_SWEEP_IPV4, 0},
        {"domain", RK_SWEEP_DOMAIN, 0},    {"hostname", RK_SWEEP_DOMAIN, 0},
        {"domain-name", RK_SWEEP_DOMAIN, 0}, {"fqdn", RK_SWEEP_DOMAIN, 0},
        {"host", RK_SWEEP_DOMAIN, 0},      {"domain|ip", RK_SWEEP_DOMAIN, 3},
        {"hostname|port", RK_SWEEP_DOMAIN, 1}, {"url", RK_SWEEP_URL, 0},
        {"uri", RK_SWEEP_URL, 0},          {"email", RK_SWEEP_EMAIL, 0},
        {"email-src", RK_SWEEP_EMAIL, 0},  {"email-dst", RK_SWEEP_EMAIL, 0},
        {"email-addr", RK_SWEEP_EMAIL, 0}, {"md5", RK_SWEEP_MD5, 0},
        {"sha1", RK_SWEEP_MD5, 0},         {"sha256", RK_SWEEP_MD5, 0},
        {"sha-1", RK_SWEEP_MD5, 0},        {"sha-256", RK_SWEEP_MD5, 0},
        {"hash", RK_SWEEP_MD5, 0},         {"filehash", RK_SWEEP_MD5, 0},
        {"filename|md5", RK_SWEEP_MD5, 2}, {"filename|sha1", RK_SWEEP_MD5, 2},
        {"filename|sha256", RK_SWEEP_MD5, 2},
    };
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
        if (strlen(m[i].name) == n && strncasecmp(m[i].name, s, n) == 0) {
            *part = m[i].part;
            return m[i].t;
        }
    }
    *part = 0;
    return RK_SWEEP_NONE;
}

/* Adds a value that may be a MISP composite "a|b". */
static enum rk_status add_parts(struct rk_sweep_builder *b, enum rk_sweep_type hint, int part,
                                const char *v, size_t n, struct rk_sweep_load_stats *st)
{
    const char *bar = part != 0 ? memchr(v, '|', n) : NULL;
    if (part == 0 || bar == NULL)
        return add_one(b, hint, v, n, st);
    size_t a = (size_t)(bar - v);
    enum rk_status rc = RK_OK;
    if (part == 1 || part == 3)
        rc = add_one(b, hint, v, a, st);
    if (rc == RK_OK && (part == 2 || part == 3))
        rc = add_one(b, part == 3 ? RK_SWEEP_NONE : hint, bar + 1, n - a - 1, st);
    return rc;
}

/* ===== Plain lists ===== */

/* The line ends in p[0, 64) as bits. */
static inline uint64_t nl_mask64(const char *p)
{
    uint64_t m = 0;
#if defined(__SSE2__)
    const __m128i nl = _mm_set1_epi8('\n');
    for (int k = 0; k < 4; k++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
        m |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, nl)) << (16 * k);
    }
#else
    for (int k = 0; k < 64; k++)
        m |= (uint64_t)(p[k] == '\n') << k;
#endif
    return m;
}

/*
 * One value a line. The line ends are found 64 bytes at a time as a bit mask (lines are short:
 * a memchr() call a line was a tenth of a build), the last partial block with memchr().
 */
static enum rk_status load_lines(struct rk_sweep_builder *b, const char *d, size_t len,
                                 struct rk_sweep_load_stats *st)
{
    size_t i = 0, bb = 0; /* bb: the block of the mask m, its line ends before i cleared */
    uint64_t m = len >= 64 ? nl_mask64(d) : 0;
    while (i < len) {
        size_t e;
        for (;;) {
            if (m != 0) {
                e = bb + (size_t)__builtin_ctzll(m);
                m &= m - 1;
                break;
            }
            if (bb + 128 <= len) {
                bb += 64;
                m = nl_mask64(d + bb);
                continue;
            }
            /* Past the whole blocks (or none): no line end is left in [i, bb + 64). */
            const char *nl = memchr(d + i, '\n', len - i);
            e = nl ? (size_t)(nl - d) : len;
            break;
        }
        /* Blanks trimmed; a value's first and last bytes are almost never one, and all three
         * are below '!', so one compare answers for most lines. */
        size_t s = i;
        while (s < e && (unsigned char)d[s] <= ' ' && (d[s] == ' ' || d[s] == '\t' || d[s] == '\r'))
            s++;
        size_t t = e;
        while (t > s && (unsigned char)d[t - 1] <= ' ' &&
               (d[t - 1] == ' ' || d[t - 1] == '\t' || d[t - 1] == '\r'))
            t--;
        if (t > s && d[s] != '#') {
            enum rk_status rc = add_one(b, RK_SWEEP_NONE, d + s, t - s, st);
            if (rc != RK_OK)
                return rc;
        }
        i = e + 1;
    }
    return RK_OK;
}

/* A plain list at least this large is read by two threads (smaller ones are not worth a
 * thread). */
#define PLAIN_SPLIT_MIN ((size_t)1 << 20)

/* The second half of a plain list, read by its own thread into its own builder. */
struct plain_part {
    struct rk_sweep_builder *b;
    const char *d;
    size_t len;
    struct rk_sweep_load_stats st;
    enum rk_status rc;
};

static void *plain_part_run(void *arg)
{
    struct plain_part *p = arg;
    rk__sw_builder_presize(p->b, p->len);
    p->rc = load_lines(p->b, p->d, p->len, &p->st);
    return NULL;
}

/*
 * Canonicalising is the larger half of building an index from text, so a large list is cut at
 * a line end near its middle and the halves read at once, the second into a builder of its
 * own whose records are then appended to `b`'s: the records end up in file order, exactly as
 * one thread would have added them, so the index is the same bytes on one core or two.
 */
static enum rk_status load_plain(struct rk_sweep_builder *b, const char *d, size_t len,
                                 struct rk_sweep_load_stats *st)
{
    const char *nl = len >= PLAIN_SPLIT_MIN ? memchr(d + len / 2, '\n', len - len / 2) : NULL;
    if (nl == NULL) {
        if (len >= PLAIN_SPLIT_MIN)
            rk__sw_builder_presize(b, len);
        return load_lines(b, d, len, st);
    }
    size_t mid = (size_t)(nl - d) + 1;
    struct plain_part p2;
    memset(&p2, 0, sizeof p2);
    p2.d = d + mid;
    p2.len = len - mid;
    enum rk_status rc = rk_sweep_builder_create(&p2.b);
    if (rc != RK_OK)
        return rc;
    pthread_t th;
    int threaded = pthread_create(&th, NULL, plain_part_run, &p2) == 0;
    rk__sw_builder_presize(b, mid);
    rc = load_lines(b, d, mid, st);
    if (threaded)
        pthread_join(th, NULL);
    else if (rc == RK_OK)
        plain_part_run(&p2); /* no thread to be had: the same work, in turn */
    if (rc == RK_OK)
        rc = p2.rc;
    if (rc == RK_OK)
        rc = rk__sw_builder_absorb(b, p2.b);
    st->added += p2.st.added;
    st->skipped += p2.st.skipped;
    rk_sweep_builder_destroy(p2.b);
    return rc;
}

/* ===== CSV ===== */

/* Splits one CSV record starting at d[*pos]; fields are returned unquoted in `fld`/`fl` (a
 * quoted field with doubled quotes is unescaped into `scratch`). Returns the field count. */
#define CSV_MAX_FIELDS 64
struct csv_row {
    const char *f[CSV_MAX_FIELDS];
    size_t n[CSV_MAX_FIELDS];
    int count;
    char scratch[RK_MAX_SWEEP_INDICATOR * 2];
    size_t used;
};

static void csv_next(const char *d, size_t len, size_t *pos, struct csv_row *r)
{
    size_t i = *pos;
    r->count = 0;
    r->used = 0;
    for (;;) {
        const char *fs;
        size_t fn = 0;
        if (i < len && d[i] == '"') {
            i++;
            fs = r->scratch + r->used;
            while (i < len) {
                if (d[i] == '"') {
                    if (i + 1 < len && d[i + 1] == '"') {
                        i++;
                    } else {
                        i++;
                        break;
                    }
                }
                if (r->used < sizeof r->scratch)
                    r->scratch[r->used++] = d[i], fn++;
                i++;
            }
            while (i < len && d[i] != ',' && d[i] != '\n')
                i++;
        } else {
            fs = d + i;
            while (i < len && d[i] != ',' && d[i] != '\n')
                i++, fn++;
            if (fn > 0 && fs[fn - 1] == '\r')
                fn--;
        }
        if (r->count < CSV_MAX_FIELDS) {
            r->f[r->count] = fs;
            r->n[r->count] = fn;
            r->count++;
        }
        if (i >= len || d[i] == '\n') {
            *pos = i + 1;
            return;
        }
        i++; /* the comma */
    }
}

static int field_is(const struct csv_row *r, int k, const char *name)
{
    size_t n = r->n[k];
    const char *f = r->f[k];
    while (n > 0 && (*f == ' ' || *f == '#'))
        f++, n--;
    while (n > 0 && f[n - 1] == ' ')
        n--;
    return strlen(name) == n && strncasecmp(f, name, n) == 0;
}

static enum rk_status load_csv(struct rk_sweep_builder *b, const char *d, size_t len,
                               struct rk_sweep_load_stats *st, char *err, size_t errlen)
{
    struct csv_row *r = rk_malloc(sizeof *r);
    enum rk_status rc = RK_ENOMEM;
    size_t pos = 0;
    int tcol = -1, vcol = -1;
    if (r == NULL)
        goto out;
    csv_next(d, len, &pos, r);
    for (int k = 0; k < r->count; k++) {
        if (field_is(r, k, "type") || field_is(r, k, "indicator_type") ||
            field_is(r, k, "ioc_type"))
            tcol = k;
        else if (field_is(r, k, "value") || field_is(r, k, "indicator") ||
                 field_is(r, k, "ioc") || field_is(r, k, "observable"))
            vcol = k;
    }
    if (tcol < 0 || vcol < 0) {
        set_err(err, errlen, "CSV header has no \"type\" and \"value\" columns");
        rc = RK_EINVAL;
        goto out;
    }
    rc = RK_OK;
    while (pos < len && rc == RK_OK) {
        csv_next(d, len, &pos, r);
        if (r->count <= tcol || r->count <= vcol) {
            if (!(r->count == 1 && r->n[0] == 0))
                st->skipped++;
            continue;
        }
        int part;
        enum rk_sweep_type hint = type_from_name(r->f[tcol], r->n[tcol], &part);
        if (hint == RK_SWEEP_NONE) {
            st->skipped++;
            continue;
        }
        rc = add_parts(b, hint, part, r->f[vcol], r->n[vcol], st);
    }
out:
    rk_free(r);
    return rc;
}

/* ===== STIX 2.1 ===== */

/* Maps an object path of a STIX comparison to a hint. */
static enum rk_sweep_type stix_path(const char *p, size_t n)
{
    static const struct {
        const char *path;
        enum rk_sweep_type t;
    } m[] = {{"ipv4-addr:value", RK_SWEEP_IPV4},  {"ipv6-addr:value", RK_SWEEP_IPV4},
             {"domain-name:value", RK_SWEEP_DOMAIN}, {"url:value", RK_SWEEP_URL},
             {"email-addr:value", RK_SWEEP_EMAIL},  {"file:hashes.'SHA-256'", RK_SWEEP_MD5},
             {"file:hashes.'SHA-1'", RK_SWEEP_MD5}, {"file:hashes.MD5", RK_SWEEP_MD5},
             {"file:hashes.'MD5'", RK_SWEEP_MD5},   {"file:hashes.SHA256", RK_SWEEP_MD5},
             {"file:hashes.SHA1", RK_SWEEP_MD5},    {"file:hashes.\"SHA-256\"", RK_SWEEP_MD5}};
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
        if (strlen(m[i].path) == n && strncasecmp(m[i].path, p, n) == 0)
            return m[i].t;
    return RK_SWEEP_NONE;
}

/*
 * Reads the comparisons of a pattern made of `path = 'value'` joined by OR, inside one pair
 * of brackets or several joined by OR. A pattern with AND, FOLLOWEDBY or another operator is
 * not a set of single indicators and is skipped whole.
 */
static enum rk_status load_stix_pattern(struct rk_sweep_builder *b, const char *p,
                                        struct rk_sweep_load_stats *st)
{
    struct {
        enum rk_sweep_type t;
        char v[RK_MAX_SWEEP_INDICATOR + 1];
        size_t n;
    } *vals = NULL;
    size_t nvals = 0, cap = 0, i = 0, len = strlen(p);
    enum rk_status rc = RK_OK;
    int ok = 1;
    while (ok && i < len) {
        while (i < len && (p[i] == ' ' || p[i] == '[' || p[i] == ']' || p[i] == '(' ||
                           p[i] == ')'))
            i++;
        if (i >= len)
            break;
        size_t ps = i;
        while (i < len && p[i] != ' ' && p[i] != '=' && p[i] != '!')
            i++;
        size_t pe = i;
        while (i < len && p[i] == ' ')
            i++;
        if (i >= len || p[i] != '=' || pe == ps) {
            ok = 0;
            break;
        }
        i++;
        while (i < len && p[i] == ' ')
            i++;
        if (i >= len || p[i] != '\'') {
            ok = 0;
            break;
        }
        i++;
        if (nvals == cap) {
            size_t nc = cap ? cap * 2 : 4;
            void *nv = rk_reallocarray(vals, nc, sizeof *vals);
            if (nv == NULL) {
                rc = RK_ENOMEM;
                goto out;
            }
            vals = nv;
            cap = nc;
        }
        size_t n = 0;
        while (i < len && p[i] != '\'') {
            if (p[i] == '\\' && i + 1 < len)
                i++;
            if (n < RK_MAX_SWEEP_INDICATOR)
                vals[nvals].v[n++] = p[i];
            i++;
        }
        if (i >= len) {
            ok = 0;
            break;
        }
        i++;
        vals[nvals].n = n;
        vals[nvals].t = stix_path(p + ps, pe - ps);
        nvals++;
        while (i < len && (p[i] == ' ' || p[i] == ']' || p[i] == ')'))
            i++;
        if (i < len) {
            if (len - i >= 2 && strncmp(p + i, "OR", 2) == 0)
                i += 2;
            else
                ok = 0;
        }
    }
    if (!ok || nvals == 0) {
        st->skipped++;
        goto out;
    }
    for (size_t k = 0; k < nvals && rc == RK_OK; k++) {
        if (vals[k].t == RK_SWEEP_NONE)
            st->skipped++;
        else
            rc = add_one(b, vals[k].t, vals[k].v, vals[k].n, st);
    }
out:
    rk_free(vals);
    return rc;
}

static enum rk_status load_stix(struct rk_sweep_builder *b, json_t *root,
                                struct rk_sweep_load_stats *st)
{
    json_t *objs = json_object_get(root, "objects"), *o;
    size_t i;
    enum rk_status rc = RK_OK;
    if (json_is_object(root) && objs == NULL && json_is_string(json_object_get(root, "pattern")))
        return load_stix_pattern(b, json_string_value(json_object_get(root, "pattern")), st);
    json_array_foreach(objs, i, o)
    {
        const char *type = json_string_value(json_object_get(o, "type"));
        const char *pt = json_string_value(json_object_get(o, "pattern_type"));
        const char *pat = json_string_value(json_object_get(o, "pattern"));
        if (type == NULL || strcmp(type, "indicator") != 0)
            continue;
        if (pat == NULL || (pt != NULL && strcmp(pt, "stix") != 0)) {
            st->skipped++;
            continue;
        }
        rc = load_stix_pattern(b, pat, st);
        if (rc != RK_OK)
            break;
    }
    return rc;
}

/* ===== MISP ===== */

static enum rk_status misp_attrs(struct rk_sweep_builder *b, json_t *attrs,
                                 struct rk_sweep_load_stats *st)
{
    size_t i;
    json_t *a;
    enum rk_status rc = RK_OK;
    json_array_foreach(attrs, i, a)
    {
        const char *t = json_string_value(json_object_get(a, "type"));
        const char *v = json_string_value(json_object_get(a, "value"));
        if (t == NULL || v == NULL) {
            st->skipped++;
            continue;
        }
        int part;
        enum rk_sweep_type hint = type_from_name(t, strlen(t), &part);
        if (hint == RK_SWEEP_NONE) {
            st->skipped++;
            continue;
        }
        rc = add_parts(b, hint, part, v, strlen(v), st);
        if (rc != RK_OK)
            break;
    }
    return rc;
}

static enum rk_status misp_event(struct rk_sweep_builder *b, json_t *ev,
                                 struct rk_sweep_load_stats *st)
{
    json_t *inner = json_object_get(ev, "Event"), *o;
    size_t i;
    if (inner != NULL)
        ev = inner;
    enum rk_status rc = misp_attrs(b, json_object_get(ev, "Attribute"), st);
    json_array_foreach(json_object_get(ev, "Object"), i, o)
    {
        if (rc != RK_OK)
            break;
        rc = misp_attrs(b, json_object_get(o, "Attribute"), st);
    }
    return rc;
}

static enum rk_status load_misp(struct rk_sweep_builder *b, json_t *root,
                                struct rk_sweep_load_stats *st)
{
    json_t *list = root, *resp = json_object_get(root, "response"), *e;
    size_t i;
    enum rk_status rc = RK_OK;
    if (resp != NULL) {
        json_t *attrs = json_object_get(resp, "Attribute");
        if (attrs != NULL)
            return misp_attrs(b, attrs, st);
        list = resp;
    }
    if (json_is_object(list))
        return misp_event(b, list, st);
    json_array_foreach(list, i, e)
    {
        rc = misp_event(b, e, st);
        if (rc != RK_OK)
            break;
    }
    return rc;
}

/* ===== Entry point ===== */

static int looks_like_csv(const char *d, size_t len)
{
    const char *nl = memchr(d, '\n', len);
    size_t n = nl ? (size_t)(nl - d) : len;
    struct csv_row *r = rk_malloc(sizeof *r);
    int found = 0;
    size_t pos = 0;
    if (r == NULL || memchr(d, ',', n) == NULL) {
        rk_free(r);
        return 0;
    }
    csv_next(d, n, &pos, r);
    for (int k = 0; k < r->count; k++)
        if (field_is(r, k, "type") || field_is(r, k, "indicator_type") ||
            field_is(r, k, "ioc_type"))
            found = 1;
    rk_free(r);
    return found;
}

enum rk_status rk_sweep_builder_load(struct rk_sweep_builder *b, enum rk_sweep_format fmt,
                                     const char *data, size_t len,
                                     struct rk_sweep_load_stats *stats, char *err,
                                     size_t errlen)
{
    struct rk_sweep_load_stats dummy;
    struct rk_sweep_load_stats *st = stats ? stats : &dummy;
    enum rk_status rc;
    memset(st, 0, sizeof *st);
    if (len > RK_MAX_SWEEP_FEED) {
        set_err(err, errlen, "indicator file larger than %llu bytes",
                (unsigned long long)RK_MAX_SWEEP_FEED);
        return RK_ETOOBIG;
    }
    size_t s = 0;
    if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
        s = 3; /* a UTF-8 byte-order mark */
    while (s < len && (data[s] == ' ' || data[s] == '\t' || data[s] == '\r' || data[s] == '\n'))
        s++;
    if (fmt == RK_SWEEP_FMT_AUTO) {
        if (s < len && (data[s] == '{' || data[s] == '['))
            fmt = RK_SWEEP_FMT_MISP; /* refined below once parsed */
        else if (looks_like_csv(data + s, len - s))
            fmt = RK_SWEEP_FMT_CSV;
        else
            fmt = RK_SWEEP_FMT_PLAIN;
        if (fmt == RK_SWEEP_FMT_MISP)
            fmt = RK_SWEEP_FMT_AUTO; /* JSON: STIX or MISP, decided from the document */
    }
    if (fmt == RK_SWEEP_FMT_PLAIN)
        return load_plain(b, data + s, len - s, st);
    if (fmt == RK_SWEEP_FMT_CSV) {
        rc = load_csv(b, data + s, len - s, st, err, errlen);
        return rc;
    }
    json_error_t je;
    json_t *root = json_loadb(data + s, len - s, JSON_REJECT_DUPLICATES, &je);
    if (root == NULL) {
        set_err(err, errlen, "not valid JSON: %s (line %d, column %d)", je.text, je.line,
                je.column);
        return RK_EINVAL;
    }
    if (fmt == RK_SWEEP_FMT_AUTO) {
        const char *t = json_string_value(json_object_get(root, "type"));
        if (t != NULL && (strcmp(t, "bundle") == 0 || strcmp(t, "indicator") == 0))
            fmt = RK_SWEEP_FMT_STIX;
        else if (json_object_get(root, "Event") || json_object_get(root, "response") ||
                 json_object_get(root, "Attribute") || json_is_array(root))
            fmt = RK_SWEEP_FMT_MISP;
        else {
            set_err(err, errlen, "JSON is neither a STIX 2.1 bundle nor a MISP event");
            json_decref(root);
            return RK_EINVAL;
        }
    }
    rc = fmt == RK_SWEEP_FMT_STIX ? load_stix(b, root, st) : load_misp(b, root, st);
    json_decref(root);
    return rc;
}
