/*
 * Exports for sensors: the store's indicators, for one audience, as the files a network sensor
 * loads (docs/sweep.md "Exports for sensors"):
 *   - Suricata: dataset files (domains as base64 `string` sets, addresses as `ipv4`/`ip` sets,
 *     file hashes as the hex lists of filemd5/filesha1/filesha256) and a rules file that loads
 *     them; CIDRs, which a dataset cannot hold, become one rule each;
 *   - a Zeek Intel framework file (Intel::ADDR/SUBNET/DOMAIN/URL/EMAIL/FILE_HASH, URLs without
 *     their scheme as Zeek's HTTP scripts see them);
 *   - a DNS RPZ zone (the name and its subdomains, rpz-ip for addresses and CIDRs);
 *   - plain blocklists, one value a line, one file per type.
 * The audience rule is applied by the indicator source (lib/model/indicator-source.c) through
 * lib/share/access.c; the case references that make a line traceable come from it too, so a
 * line carries a case reference only when the audience may see that case.
 */
#include "share/export-sensor.h"

#include <stdio.h>
#include <string.h>

#include "model/obs-internal.h"
#include "renkei/alloc.h"
#include "renkei/buf.h"
#include "renkei/limits.h"
#include "renkei/parse.h"
#include "share/access.h"
#include "store/store.h"

/* ===== Types and formats ===== */

enum xtype { T_IPV4, T_IPV6, T_CIDR, T_DOMAIN, T_URL, T_EMAIL, T_MD5, T_SHA1, T_SHA256, T_COUNT };

static const char *const type_names[T_COUNT] = {"ipv4",  "ipv6", "cidr", "domain", "url",
                                                "email", "md5",  "sha1", "sha256"};

enum xfmt { F_SURI_DATASETS, F_SURI_RULES, F_ZEEK, F_RPZ, F_BLOCKLIST, F_COUNT };

#define BIT(t) (1u << (t))
#define SURI_TYPES                                                                                 \
    (BIT(T_IPV4) | BIT(T_IPV6) | BIT(T_CIDR) | BIT(T_DOMAIN) | BIT(T_MD5) | BIT(T_SHA1) |          \
     BIT(T_SHA256))
#define ALL_TYPES ((1u << T_COUNT) - 1u)

static const struct {
    const char *name;
    unsigned carries; /* bit set of enum xtype */
    int per_type;     /* one file per type */
} formats[F_COUNT] = {
    [F_SURI_DATASETS] = {"suricata-datasets", SURI_TYPES, 1},
    [F_SURI_RULES] = {"suricata-rules", SURI_TYPES, 0},
    [F_ZEEK] = {"zeek-intel", ALL_TYPES, 0},
    [F_RPZ] = {"rpz", BIT(T_IPV4) | BIT(T_IPV6) | BIT(T_CIDR) | BIT(T_DOMAIN), 0},
    [F_BLOCKLIST] = {"blocklist", ALL_TYPES, 1},
};

static int type_index(const char *name)
{
    for (int t = 0; t < T_COUNT; t++) {
        if (name != NULL && strcmp(name, type_names[t]) == 0)
            return t;
    }
    return -1;
}

static int format_index(const char *name)
{
    for (int f = 0; f < F_COUNT; f++) {
        if (name != NULL && strcmp(name, formats[f].name) == 0)
            return f;
    }
    return -1;
}

int rk_export_format_valid(const char *format)
{
    return format_index(format) >= 0;
}

int rk_export_format_per_type(const char *format)
{
    int f = format_index(format);
    return f >= 0 && formats[f].per_type;
}

/* Sid offsets from the base, fixed per rule so that a sensor keeps its sids across exports;
 * CIDR rules follow from RULE_CIDR_FIRST in value order. */
enum {
    SID_DNS = 1,
    SID_HTTP_HOST = 2,
    SID_TLS_SNI = 3,
    SID_IPV4_DST = 11,
    SID_IPV4_SRC = 12,
    SID_IPV6_DST = 21,
    SID_IPV6_SRC = 22,
    SID_MD5 = 31,
    SID_SHA1 = 41,
    SID_SHA256 = 51,
    SID_CIDR_FIRST = 1000,
};

/* Highest sid Suricata accepts (a 32-bit unsigned number). */
#define SID_MAX 4294967295LL

struct rk__export_writer {
    enum xfmt fmt;
    int only; /* enum xtype, or -1 for every carried type */
    char audience[16];
    char tlp_max[16]; /* "" = none */
    int64_t sid_base;
    int64_t now;
    struct rk_buf body[T_COUNT]; /* per type; the single-file formats use body[0] */
    uint64_t count[T_COUNT];
    uint64_t skipped;
};

enum rk_status rk__export_begin(const struct rk_export_opts *o, int64_t now,
                                struct rk__export_writer **out, struct rk_error *err)
{
    *out = NULL;
    int f = format_index(o->format);
    if (f < 0)
        return rk__err(err, RK_EINVAL, "format",
                       "unknown format (suricata-datasets, suricata-rules, zeek-intel, rpz, "
                       "blocklist)");
    int only = -1;
    if (o->type != NULL) {
        only = type_index(o->type);
        if (only < 0)
            return rk__err(err, RK_EINVAL, "type",
                           "unknown type (ipv4, ipv6, cidr, domain, url, email, md5, sha1, "
                           "sha256)");
        if (!(formats[f].carries & BIT(only)))
            return rk__err(err, RK_EINVAL, "type", "the format %s does not carry %s values",
                           formats[f].name, type_names[only]);
    }
    if (f == F_SURI_DATASETS && only == T_CIDR)
        return rk__err(err, RK_EINVAL, "type",
                       "a Suricata dataset cannot hold CIDRs; they are rules (suricata-rules)");
    if (o->audience == NULL)
        return rk__err(err, RK_EINVAL, "audience",
                       "an export needs an audience (police, partners or public)");
    if (!rk__access_audience_valid(o->audience))
        return rk__err(err, RK_EINVAL, "audience", "unknown audience (police, partners or public)");
    if (o->tlp_max != NULL && rk__access_tlp_rank(o->tlp_max) < 0)
        return rk__err(err, RK_EINVAL, "tlp_max",
                       "unknown TLP (CLEAR, GREEN, AMBER, AMBER+STRICT or RED)");
    int64_t base = o->sid_base != 0 ? o->sid_base : RK_EXPORT_SID_BASE_DEFAULT;
    /* The CIDR rules need room after the base; a billion is more than any export holds. */
    if (base < 1 || base > SID_MAX - 1000000000LL)
        return rk__err(err, RK_EINVAL, "sid_base", "must be between 1 and %lld",
                       SID_MAX - 1000000000LL);
    struct rk__export_writer *w = rk_calloc(1, sizeof(*w));
    if (w == NULL)
        return rk__err(err, RK_ENOMEM, NULL, "out of memory");
    w->fmt = (enum xfmt)f;
    w->only = only;
    snprintf(w->audience, sizeof(w->audience), "%s", o->audience);
    snprintf(w->tlp_max, sizeof(w->tlp_max), "%s", o->tlp_max ? o->tlp_max : "");
    w->sid_base = base;
    w->now = now;
    for (int t = 0; t < T_COUNT; t++)
        rk_buf_init(&w->body[t], RK_MAX_EXPORT_BYTES);
    *out = w;
    return RK_OK;
}

void rk__export_abort(struct rk__export_writer *w)
{
    if (w == NULL)
        return;
    for (int t = 0; t < T_COUNT; t++)
        rk_buf_free(&w->body[t]);
    rk_free(w);
}

/* ===== Pieces of lines ===== */

static enum rk_status add_base64(struct rk_buf *b, const char *s)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    enum rk_status rc = RK_OK;
    for (size_t i = 0; i < n && rc == RK_OK; i += 3) {
        unsigned v = (unsigned)p[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        char q[4] = {tab[(v >> 18) & 63], tab[(v >> 12) & 63], i + 1 < n ? tab[(v >> 6) & 63] : '=',
                     i + 2 < n ? tab[v & 63] : '='};
        rc = rk_buf_add(b, q, 4);
    }
    return rc;
}

/* " TLP:GREEN C2026-000001,C2026-000002" (the references only when there are any). */
static enum rk_status add_trace(struct rk_buf *b, const struct rk_store_indicator *ind,
                                const char *sep)
{
    enum rk_status rc = rk_buf_addf(b, "TLP:%s", ind->tlp);
    for (size_t i = 0; i < ind->ncases && rc == RK_OK; i++)
        rc = rk_buf_addf(b, "%s%s", i == 0 ? sep : ",", ind->cases[i].ref);
    return rc;
}

/* A value a line-oriented sensor file can hold: printable ASCII without spaces. Canonical
 * values are (hosts are A-labels, URLs percent-encoded); an e-mail local part "as given" may
 * not be, and such a value is skipped rather than break the file. */
static int plain_value(const char *v)
{
    if (*v == '\0')
        return 0;
    for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
        if (*p <= 0x20 || *p >= 0x7f || *p == '"' || *p == ';')
            return 0;
    }
    return 1;
}

enum rk_status rk__export_rpz_ip(const char *type, const char *value, struct rk_buf *out)
{
    char addr[64];
    long prefix = -1;
    const char *slash = strchr(value, '/');
    size_t n = slash ? (size_t)(slash - value) : strlen(value);
    if (n >= sizeof(addr))
        return RK_EINVAL;
    memcpy(addr, value, n);
    addr[n] = '\0';
    if (slash != NULL) {
        int64_t p;
        if (rk_parse_i64(slash + 1, strlen(slash + 1), 0, 128, &p) != RK_OK)
            return RK_EINVAL;
        prefix = (long)p;
    }
    (void)type;
    uint8_t b[16];
    unsigned a4[4];
    int v4 = strchr(addr, ':') == NULL;
    if (v4) {
        const char *p = addr;
        for (int i = 0; i < 4; i++) {
            int64_t x;
            const char *dot = i < 3 ? strchr(p, '.') : p + strlen(p);
            if (dot == NULL || rk_parse_i64(p, (size_t)(dot - p), 0, 255, &x) != RK_OK)
                return RK_EINVAL;
            a4[i] = (unsigned)x;
            p = dot + 1;
        }
        if (prefix > 32)
            return RK_EINVAL;
        return rk_buf_addf(out, "%ld.%u.%u.%u.%u.rpz-ip", prefix < 0 ? 32 : prefix, a4[3], a4[2],
                           a4[1], a4[0]);
    }
    if (!rk__obs_ipv6_bytes(addr, strlen(addr), b))
        return RK_EINVAL;
    unsigned g[8];
    for (int i = 0; i < 8; i++)
        g[i] = (unsigned)b[2 * i] << 8 | b[2 * i + 1];
    /* RFC 5952's choice of the run to compress: the longest run of two or more zero groups,
     * the leftmost on ties; RPZ writes it as "zz". */
    int best = -1, bestlen = 1;
    for (int i = 0; i < 8;) {
        int j = i;
        while (j < 8 && g[j] == 0)
            j++;
        if (j - i > bestlen) {
            best = i;
            bestlen = j - i;
        }
        i = j > i ? j : i + 1;
    }
    enum rk_status rc = rk_buf_addf(out, "%ld", prefix < 0 ? 128 : prefix);
    for (int i = 7; i >= 0 && rc == RK_OK; i--) {
        if (best >= 0 && i >= best && i < best + bestlen) {
            if (i == best)
                rc = rk_buf_adds(out, ".zz");
            continue;
        }
        rc = rk_buf_addf(out, ".%x", g[i]);
    }
    if (rc == RK_OK)
        rc = rk_buf_adds(out, ".rpz-ip");
    return rc;
}

/* ===== Adding indicators ===== */

static enum rk_status add_suricata(struct rk__export_writer *w, int t,
                                   const struct rk_store_indicator *ind)
{
    struct rk_buf *b = &w->body[t];
    enum rk_status rc;
    switch (t) {
    case T_DOMAIN:
        rc = add_base64(b, ind->value);
        break;
    case T_CIDR: {
        int64_t sid = w->sid_base + SID_CIDR_FIRST + (int64_t)w->count[T_CIDR];
        rc = rk_buf_addf(b, "alert ip any any <> %s any (msg:\"Renkei CIDR %s ", ind->value,
                         ind->value);
        if (rc == RK_OK)
            rc = add_trace(b, ind, " ");
        if (rc == RK_OK)
            rc = rk_buf_addf(b, "\"; classtype:bad-unknown; sid:%lld; rev:1;)", (long long)sid);
        break;
    }
    default:
        rc = rk_buf_adds(b, ind->value);
        break;
    }
    return rc == RK_OK ? rk_buf_addc(b, '\n') : rc;
}

static const char *zeek_type(int t)
{
    switch (t) {
    case T_IPV4:
    case T_IPV6:
        return "Intel::ADDR";
    case T_CIDR:
        return "Intel::SUBNET";
    case T_DOMAIN:
        return "Intel::DOMAIN";
    case T_URL:
        return "Intel::URL";
    case T_EMAIL:
        return "Intel::EMAIL";
    default:
        return "Intel::FILE_HASH";
    }
}

static enum rk_status add_zeek(struct rk__export_writer *w, int t,
                               const struct rk_store_indicator *ind)
{
    struct rk_buf *b = &w->body[0];
    const char *v = ind->value;
    /* Zeek's HTTP scripts see a URL as host and path, without the scheme. */
    const char *scheme = t == T_URL ? strstr(v, "://") : NULL;
    if (scheme != NULL)
        v = scheme + 3;
    enum rk_status rc = rk_buf_addf(b, "%s\t%s\trenkei\t", v, zeek_type(t));
    if (rc == RK_OK)
        rc = add_trace(b, ind, " ");
    return rc == RK_OK ? rk_buf_adds(b, "\t-\n") : rc;
}

static enum rk_status add_rpz(struct rk__export_writer *w, int t,
                              const struct rk_store_indicator *ind)
{
    struct rk_buf *b = &w->body[0];
    enum rk_status rc;
    if (t == T_DOMAIN) {
        rc = rk_buf_addf(b, "%s CNAME . ; ", ind->value);
        if (rc == RK_OK)
            rc = add_trace(b, ind, " ");
        if (rc == RK_OK)
            rc = rk_buf_addf(b, "\n*.%s CNAME .\n", ind->value);
        return rc;
    }
    size_t mark = b->len;
    rc = rk__export_rpz_ip(type_names[t], ind->value, b);
    if (rc == RK_EINVAL) {
        b->len = mark;
        if (b->data != NULL)
            b->data[mark] = '\0';
        w->skipped++;
        return RK_OK;
    }
    if (rc == RK_OK)
        rc = rk_buf_adds(b, " CNAME . ; ");
    if (rc == RK_OK)
        rc = add_trace(b, ind, " ");
    return rc == RK_OK ? rk_buf_addc(b, '\n') : rc;
}

enum rk_status rk__export_add(void *writer, const struct rk_store_indicator *ind,
                              struct rk_error *err)
{
    struct rk__export_writer *w = writer;
    int t = type_index(ind->type);
    if (t < 0 || !(formats[w->fmt].carries & BIT(t)) || (w->only >= 0 && t != w->only))
        return RK_OK;
    if (!plain_value(ind->value)) {
        w->skipped++;
        return RK_OK;
    }
    uint64_t before = 0;
    for (int i = 0; i < T_COUNT; i++)
        before += w->body[i].len;
    if (before > RK_MAX_EXPORT_BYTES)
        return rk__err(err, RK_ETOOBIG, NULL, "the export is larger than %llu bytes",
                       (unsigned long long)RK_MAX_EXPORT_BYTES);
    uint64_t skipped = w->skipped;
    enum rk_status rc;
    switch (w->fmt) {
    case F_SURI_DATASETS:
    case F_SURI_RULES:
        rc = add_suricata(w, t, ind);
        break;
    case F_ZEEK:
        rc = add_zeek(w, t, ind);
        break;
    case F_RPZ:
        rc = add_rpz(w, t, ind);
        break;
    default:
        rc = rk_buf_adds(&w->body[t], ind->value);
        if (rc == RK_OK)
            rc = rk_buf_addc(&w->body[t], '\n');
        break;
    }
    if (rc != RK_OK)
        return rk__err(err, rc, NULL,
                       rc == RK_ETOOBIG ? "the export is too large" : "out of memory");
    if (w->skipped == skipped)
        w->count[t]++;
    return RK_OK;
}

/* ===== Assembling the files ===== */

static enum rk_status add_file(struct rk_export *x, const char *name, const char *ctype,
                               struct rk_buf *b, uint64_t count)
{
    struct rk_export_file *n = rk_reallocarray(x->files, x->nfiles + 1, sizeof(*n));
    if (n == NULL)
        return RK_ENOMEM;
    x->files = n;
    struct rk_export_file *f = &x->files[x->nfiles];
    memset(f, 0, sizeof(*f));
    snprintf(f->name, sizeof(f->name), "%s", name);
    f->content_type = ctype;
    f->len = b->len;
    f->data = rk_buf_steal(b);
    f->count = count;
    if (f->data == NULL)
        return RK_ENOMEM;
    x->nfiles++;
    return RK_OK;
}

static int wanted(const struct rk__export_writer *w, int t)
{
    return (formats[w->fmt].carries & BIT(t)) && (w->only < 0 || w->only == t);
}

static enum rk_status header(const struct rk__export_writer *w, struct rk_buf *b,
                             const char *comment, uint64_t total)
{
    char at[21];
    rk__time_format(w->now, at);
    return rk_buf_addf(b,
                       "%s Renkei export %s for audience %s, TLP ceiling %s, %s, %llu indicators\n",
                       comment, formats[w->fmt].name, w->audience, w->tlp_max[0] ? w->tlp_max : "-",
                       at, (unsigned long long)total);
}

/* The file a dataset or hash list of type t is written to. */
static const char *list_file(int t)
{
    switch (t) {
    case T_DOMAIN:
        return "renkei-domain.lst";
    case T_IPV4:
        return "renkei-ipv4.lst";
    case T_IPV6:
        return "renkei-ipv6.lst";
    case T_MD5:
        return "renkei-md5.txt";
    case T_SHA1:
        return "renkei-sha1.txt";
    default:
        return "renkei-sha256.txt";
    }
}

static enum rk_status rule(struct rk_buf *b, const struct rk__export_writer *w, const char *proto,
                           const char *what, const char *match, int off)
{
    return rk_buf_addf(b,
                       "alert %s any any -> any any (msg:\"Renkei %s\"; %s; classtype:bad-unknown;"
                       " sid:%lld; rev:1;)\n",
                       proto, what, match, (long long)(w->sid_base + off));
}

static enum rk_status suricata_rules(struct rk__export_writer *w, struct rk_buf *b, uint64_t total)
{
    char m[160];
    enum rk_status rc = header(w, b, "#", total);
    if (rc == RK_OK)
        rc = rk_buf_adds(b, "# Needs Suricata 7 or later (ip.src/ip.dst, to_lowercase); the files "
                            "named by load and file* sit next to this file.\n");
    if (rc == RK_OK && w->count[T_DOMAIN] > 0) {
        const char *ds = "dataset:isset,renkei-domain,type string,load renkei-domain.lst";
        snprintf(m, sizeof(m), "dns.query; to_lowercase; %s", ds);
        rc = rule(b, w, "dns", "domain indicator (DNS query)", m, SID_DNS);
        snprintf(m, sizeof(m), "http.host; %s", ds);
        if (rc == RK_OK)
            rc = rule(b, w, "http", "domain indicator (HTTP host)", m, SID_HTTP_HOST);
        snprintf(m, sizeof(m), "tls.sni; to_lowercase; %s", ds);
        if (rc == RK_OK)
            rc = rule(b, w, "tls", "domain indicator (TLS SNI)", m, SID_TLS_SNI);
    }
    static const struct {
        int t, dst, src;
        const char *set, *dtype, *label;
    } ips[] = {{T_IPV4, SID_IPV4_DST, SID_IPV4_SRC, "renkei-ipv4", "ipv4", "IPv4"},
               {T_IPV6, SID_IPV6_DST, SID_IPV6_SRC, "renkei-ipv6", "ip", "IPv6"}};
    for (size_t i = 0; i < 2 && rc == RK_OK; i++) {
        if (w->count[ips[i].t] == 0)
            continue;
        char what[64];
        snprintf(m, sizeof(m), "ip.dst; dataset:isset,%s,type %s,load %s.lst", ips[i].set,
                 ips[i].dtype, ips[i].set);
        snprintf(what, sizeof(what), "%s indicator (destination)", ips[i].label);
        rc = rule(b, w, "ip", what, m, ips[i].dst);
        snprintf(m, sizeof(m), "ip.src; dataset:isset,%s,type %s,load %s.lst", ips[i].set,
                 ips[i].dtype, ips[i].set);
        snprintf(what, sizeof(what), "%s indicator (source)", ips[i].label);
        if (rc == RK_OK)
            rc = rule(b, w, "ip", what, m, ips[i].src);
    }
    static const struct {
        int t, sid;
        const char *kw, *label;
    } hashes[] = {{T_MD5, SID_MD5, "filemd5", "MD5"},
                  {T_SHA1, SID_SHA1, "filesha1", "SHA-1"},
                  {T_SHA256, SID_SHA256, "filesha256", "SHA-256"}};
    for (size_t i = 0; i < 3 && rc == RK_OK; i++) {
        if (w->count[hashes[i].t] == 0)
            continue;
        char what[64];
        snprintf(m, sizeof(m), "%s:%s", hashes[i].kw, list_file(hashes[i].t));
        snprintf(what, sizeof(what), "%s file hash indicator (HTTP)", hashes[i].label);
        rc = rule(b, w, "http", what, m, hashes[i].sid);
        snprintf(what, sizeof(what), "%s file hash indicator (SMTP)", hashes[i].label);
        if (rc == RK_OK)
            rc = rule(b, w, "smtp", what, m, hashes[i].sid + 1);
    }
    if (rc == RK_OK && w->body[T_CIDR].len > 0)
        rc = rk_buf_add(b, w->body[T_CIDR].data, w->body[T_CIDR].len);
    return rc;
}

static enum rk_status assemble(struct rk__export_writer *w, struct rk_export *x, uint64_t total)
{
    struct rk_buf b;
    rk_buf_init(&b, RK_MAX_EXPORT_BYTES);
    enum rk_status rc = RK_OK;
    char name[64];
    switch (w->fmt) {
    case F_SURI_DATASETS:
        for (int t = 0; t < T_COUNT && rc == RK_OK; t++) {
            if (!wanted(w, t) || t == T_CIDR || (w->count[t] == 0 && w->only != t))
                continue;
            rc = add_file(x, list_file(t), "text/plain; charset=utf-8", &w->body[t], w->count[t]);
        }
        /* The rules go with the datasets unless one type was asked for (a single file over
         * HTTP): then suricata-rules gives the rules. */
        if (rc == RK_OK && w->only < 0) {
            rc = suricata_rules(w, &b, total);
            if (rc == RK_OK)
                rc = add_file(x, "renkei.rules", "text/plain; charset=utf-8", &b, 0);
        }
        break;
    case F_SURI_RULES:
        rc = suricata_rules(w, &b, total);
        if (rc == RK_OK)
            rc = add_file(x, "renkei.rules", "text/plain; charset=utf-8", &b, total);
        break;
    case F_ZEEK:
        rc = rk_buf_adds(&b, "#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\t"
                             "meta.url\n");
        if (rc == RK_OK && w->body[0].len > 0)
            rc = rk_buf_add(&b, w->body[0].data, w->body[0].len);
        if (rc == RK_OK)
            rc = add_file(x, "renkei.intel", "text/plain; charset=utf-8", &b, total);
        break;
    case F_RPZ:
        rc = header(w, &b, ";", total);
        /* The serial is the export time: every export is newer than the one before. Names are
         * relative, so the operator loads the file under any zone name. */
        if (rc == RK_OK)
            rc = rk_buf_addf(&b,
                             "$TTL 300\n@ SOA localhost. hostmaster.localhost. %lld 3600 600 "
                             "604800 300\n@ NS localhost.\n",
                             (long long)(w->now & 0xffffffffLL));
        if (rc == RK_OK && w->body[0].len > 0)
            rc = rk_buf_add(&b, w->body[0].data, w->body[0].len);
        if (rc == RK_OK)
            rc = add_file(x, "renkei.rpz", "text/dns; charset=utf-8", &b, total);
        break;
    default:
        for (int t = 0; t < T_COUNT && rc == RK_OK; t++) {
            if (!wanted(w, t))
                continue;
            snprintf(name, sizeof(name), "blocklist-%s.txt", type_names[t]);
            rc = add_file(x, name, "text/plain; charset=utf-8", &w->body[t], w->count[t]);
        }
        break;
    }
    rk_buf_free(&b);
    return rc;
}

enum rk_status rk__export_finish(struct rk__export_writer *w, struct rk_export **out,
                                 struct rk_error *err)
{
    *out = NULL;
    struct rk_export *x = rk_calloc(1, sizeof(*x));
    enum rk_status rc = x == NULL ? RK_ENOMEM : RK_OK;
    uint64_t total = 0;
    for (int t = 0; t < T_COUNT; t++)
        total += w->count[t];
    if (rc == RK_OK) {
        x->count = total;
        x->skipped = w->skipped;
        rc = assemble(w, x, total);
    }
    rk__export_abort(w);
    if (rc != RK_OK) {
        rk_export_destroy(x);
        return rk__err(err, rc, NULL,
                       rc == RK_ETOOBIG ? "the export is too large" : "out of memory");
    }
    *out = x;
    return RK_OK;
}

void rk_export_destroy(struct rk_export *x)
{
    if (x == NULL)
        return;
    for (size_t i = 0; i < x->nfiles; i++)
        rk_free(x->files[i].data);
    rk_free(x->files);
    rk_free(x);
}

/* ===== The service call ===== */

enum rk_status rk_export_sensor(struct rk_store *s, const struct rk_actor *who,
                                const struct rk_export_opts *o, struct rk_export **out,
                                struct rk_error *err)
{
    struct rk__export_writer *w = NULL;
    struct rk_conn *c = NULL;
    struct rk_export *x = NULL;
    struct rk_access a;
    *out = NULL;
    enum rk_status rc = rk__conn_get(s, &c, err);
    if (rc != RK_OK)
        return rc;
    /* Exporting for sensors is HQ's work: analysts and supervisors (as for patrol review). */
    rc = rk__access_load(c, who, &a, err);
    if (rc == RK_OK && !rk__access_is_installation(&a) &&
        !(who->role == RK_ROLE_ANALYST || who->role == RK_ROLE_SUPERVISOR))
        rc = rk__err(err, RK_EFORBIDDEN, NULL, "the role %s may not export indicators",
                     rk_role_name(who->role));
    rk__conn_put(s, c);
    c = NULL;
    if (rc == RK_OK)
        rc = rk__export_begin(o, rk__now_unix(), &w, err);
    if (rc != RK_OK)
        return rc;
    struct rk_indicator_filter f = {.tlp_max = o->tlp_max, .audience = o->audience};
    rc = rk__store_indicators_each(s, who, &f, rk__export_add, w, err);
    if (rc != RK_OK) {
        rk__export_abort(w);
        return rc;
    }
    rc = rk__export_finish(w, &x, err);
    if (rc != RK_OK)
        return rc;
    /* The release of data is a write to the record: its event commits before anything leaves. */
    char detail[200];
    snprintf(detail, sizeof(detail), "format=%s type=%s audience=%s tlp_max=%s count=%llu",
             o->format, o->type ? o->type : "*", o->audience, o->tlp_max ? o->tlp_max : "-",
             (unsigned long long)x->count);
    struct rk_audit_event ev;
    rk__audit_event(&ev, who, "export", "indicators", "", detail);
    rc = rk__conn_get(s, &c, err);
    if (rc == RK_OK)
        rc = rk__tx_begin(s, c, err);
    if (rc == RK_OK) {
        rc = rk__audit_append(c, &ev, err);
        if (rc == RK_OK)
            rc = rk__tx_commit(s, c, err);
        else
            rk__tx_rollback(s, c);
    }
    if (c != NULL)
        rk__conn_put(s, c);
    if (rc != RK_OK) {
        rk_export_destroy(x);
        return rc;
    }
    *out = x;
    return RK_OK;
}
