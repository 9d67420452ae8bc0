/*
 * Warninglists: editable text files of values that are known-good or shared infrastructure,
 * each with a name, a description and its provenance, matched exactly, by CIDR containment or
 * by domain suffix. The format (docs/correlation.md, data/warninglists/README.md):
 *
 *     # comment
 *     @name public-dns-resolvers
 *     @description Public recursive DNS resolvers
 *     @source https://developers.google.com/speed/public-dns (2026-11)
 *     @match cidr
 *     @types ipv4 ipv6            (optional; defaults below)
 *     8.8.8.8
 *     2001:4860:4860::/48
 *
 * Headers come before the first entry. A bad line is an error naming the origin and the line,
 * and a list that fails to load leaves the set unchanged. CIDR entries are kept as sorted,
 * merged intervals so a lookup is a binary search, however many cloud ranges a list holds.
 */
#include "renkei/correlate.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "correlate/correlate-int.h"
#include "renkei/alloc.h"
#include "renkei/limits.h"

/* Lists in one set: a value records the matching list in one byte (0 = none). */
#define WL_MAX_LISTS 254u

enum wl_match { WL_EXACT, WL_CIDR, WL_SUFFIX };
static const char *const match_names[] = {"exact", "cidr", "suffix"};

struct v4range {
    uint32_t lo, hi;
};
struct v6range {
    uint8_t lo[16], hi[16];
};

struct wl_list {
    char *name, *description, *source;
    enum wl_match match;
    char *types; /* space-separated type names with a leading and trailing space, or NULL */
    size_t entries;
    /* exact and suffix: a set of strings */
    char *strs;
    size_t strs_len, strs_cap;
    uint32_t *offs;
    uint32_t noffs, offs_cap;
    struct rk__corr_htab tab;
    /* cidr */
    struct v4range *v4;
    size_t nv4, v4_cap;
    struct v6range *v6;
    size_t nv6, v6_cap;
};

struct rk_corr_wlset {
    struct wl_list *lists[WL_MAX_LISTS];
    size_t count;
    char errmsg[320];
};

/* ===== Lifecycle ===== */

static void list_free(struct wl_list *l)
{
    if (l == NULL)
        return;
    rk_free(l->name);
    rk_free(l->description);
    rk_free(l->source);
    rk_free(l->types);
    rk_free(l->strs);
    rk_free(l->offs);
    rk__corr_htab_free(&l->tab);
    rk_free(l->v4);
    rk_free(l->v6);
    rk_free(l);
}

enum rk_status rk_corr_wlset_create(struct rk_corr_wlset **out)
{
    *out = rk_calloc(1, sizeof **out);
    return *out == NULL ? RK_ENOMEM : RK_OK;
}

void rk_corr_wlset_destroy(struct rk_corr_wlset *set)
{
    if (set == NULL)
        return;
    for (size_t i = 0; i < set->count; i++)
        list_free(set->lists[i]);
    rk_free(set);
}

const char *rk_corr_wlset_errmsg(const struct rk_corr_wlset *set)
{
    return set->errmsg;
}

size_t rk_corr_wlset_count(const struct rk_corr_wlset *set)
{
    return set->count;
}

void rk_corr_wlset_info(const struct rk_corr_wlset *set, size_t i, struct rk_corr_wlinfo *out)
{
    const struct wl_list *l = set->lists[i];
    out->name = l->name;
    out->description = l->description;
    out->source = l->source;
    out->match = match_names[l->match];
    out->entries = l->entries;
}

/* ===== String sets ===== */

struct skey {
    const struct wl_list *l;
    const char *s;
    size_t len;
};

static int str_eq(const void *ctx, uint32_t id)
{
    const struct skey *k = ctx;
    const char *s = k->l->strs + k->l->offs[id];
    return strncmp(s, k->s, k->len) == 0 && s[k->len] == '\0';
}

static uint32_t str_hash_of(const void *ctx, uint32_t id)
{
    const struct wl_list *l = ctx;
    const char *s = l->strs + l->offs[id];
    return rk__corr_hash(s, strlen(s), 0);
}

static int str_has(const struct wl_list *l, const char *s, size_t len)
{
    if (l->tab.slots == NULL)
        return 0;
    struct skey k = {l, s, len};
    return *rk__corr_htab_find(&l->tab, rk__corr_hash(s, len, 0), str_eq, &k) != 0;
}

static enum rk_status str_add(struct wl_list *l, const char *s, size_t len)
{
    enum rk_status rc = rk__corr_htab_reserve(&l->tab, str_hash_of, l);
    if (rc != RK_OK)
        return rc;
    struct skey k = {l, s, len};
    uint32_t *slot = rk__corr_htab_find(&l->tab, rk__corr_hash(s, len, 0), str_eq, &k);
    if (*slot != 0)
        return RK_OK;
    if (l->strs_len + len + 1 > l->strs_cap) {
        size_t nc = l->strs_cap == 0 ? 1024 : l->strs_cap * 2;
        while (nc < l->strs_len + len + 1)
            nc *= 2;
        char *ns = rk_realloc(l->strs, nc);
        if (ns == NULL)
            return RK_ENOMEM;
        l->strs = ns;
        l->strs_cap = nc;
    }
    if (l->noffs == l->offs_cap) {
        uint32_t nc = l->offs_cap == 0 ? 64 : l->offs_cap * 2;
        uint32_t *no = rk_reallocarray(l->offs, nc, sizeof *no);
        if (no == NULL)
            return RK_ENOMEM;
        l->offs = no;
        l->offs_cap = nc;
    }
    memcpy(l->strs + l->strs_len, s, len);
    l->strs[l->strs_len + len] = '\0';
    l->offs[l->noffs] = (uint32_t)l->strs_len;
    l->strs_len += len + 1;
    *slot = ++l->noffs;
    l->tab.used++;
    l->entries++;
    return RK_OK;
}

/* ===== Ranges ===== */

/* The first and last address of a network, as 16 big-endian bytes. */
static void net_range(const uint8_t addr[16], unsigned prefix, unsigned bits, uint8_t lo[16],
                      uint8_t hi[16])
{
    memcpy(lo, addr, 16);
    memcpy(hi, addr, 16);
    for (unsigned b = prefix; b < bits; b++) {
        lo[b / 8] &= (uint8_t) ~(0x80u >> (b % 8));
        hi[b / 8] |= (uint8_t)(0x80u >> (b % 8));
    }
}

static enum rk_status range_add(struct wl_list *l, int family, const uint8_t addr[16],
                                unsigned prefix)
{
    uint8_t lo[16], hi[16];
    net_range(addr, prefix, family == 4 ? 32 : 128, lo, hi);
    if (family == 4) {
        if (l->nv4 == l->v4_cap) {
            size_t nc = l->v4_cap == 0 ? 32 : l->v4_cap * 2;
            struct v4range *n = rk_reallocarray(l->v4, nc, sizeof *n);
            if (n == NULL)
                return RK_ENOMEM;
            l->v4 = n;
            l->v4_cap = nc;
        }
        l->v4[l->nv4].lo =
            (uint32_t)lo[0] << 24 | (uint32_t)lo[1] << 16 | (uint32_t)lo[2] << 8 | lo[3];
        l->v4[l->nv4].hi =
            (uint32_t)hi[0] << 24 | (uint32_t)hi[1] << 16 | (uint32_t)hi[2] << 8 | hi[3];
        l->nv4++;
    } else {
        if (l->nv6 == l->v6_cap) {
            size_t nc = l->v6_cap == 0 ? 16 : l->v6_cap * 2;
            struct v6range *n = rk_reallocarray(l->v6, nc, sizeof *n);
            if (n == NULL)
                return RK_ENOMEM;
            l->v6 = n;
            l->v6_cap = nc;
        }
        memcpy(l->v6[l->nv6].lo, lo, 16);
        memcpy(l->v6[l->nv6].hi, hi, 16);
        l->nv6++;
    }
    l->entries++;
    return RK_OK;
}

static int cmp_v4(const void *a, const void *b)
{
    const struct v4range *x = a, *y = b;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static int cmp_v6(const void *a, const void *b)
{
    return memcmp(((const struct v6range *)a)->lo, ((const struct v6range *)b)->lo, 16);
}

/* True when b starts at or before the address after a's end. */
static int v6_touches(const uint8_t ahi[16], const uint8_t blo[16])
{
    uint8_t next[16];
    memcpy(next, ahi, 16);
    int i = 15;
    while (i >= 0 && ++next[i] == 0)
        i--;
    if (i < 0)
        return 1; /* ahi is the last address: everything after overlaps */
    return memcmp(blo, next, 16) <= 0;
}

/* Sorts and merges overlapping or adjacent ranges, so that containment is one search. */
static void ranges_finish(struct wl_list *l)
{
    if (l->nv4 > 1) {
        qsort(l->v4, l->nv4, sizeof *l->v4, cmp_v4);
        size_t w = 0;
        for (size_t i = 1; i < l->nv4; i++) {
            if (l->v4[w].hi == UINT32_MAX || l->v4[i].lo <= l->v4[w].hi + 1) {
                if (l->v4[i].hi > l->v4[w].hi)
                    l->v4[w].hi = l->v4[i].hi;
            } else {
                l->v4[++w] = l->v4[i];
            }
        }
        l->nv4 = w + 1;
    }
    if (l->nv6 > 1) {
        qsort(l->v6, l->nv6, sizeof *l->v6, cmp_v6);
        size_t w = 0;
        for (size_t i = 1; i < l->nv6; i++) {
            if (v6_touches(l->v6[w].hi, l->v6[i].lo)) {
                if (memcmp(l->v6[i].hi, l->v6[w].hi, 16) > 0)
                    memcpy(l->v6[w].hi, l->v6[i].hi, 16);
            } else {
                l->v6[++w] = l->v6[i];
            }
        }
        l->nv6 = w + 1;
    }
}

static int v4_contains(const struct wl_list *l, uint32_t lo, uint32_t hi)
{
    size_t a = 0, b = l->nv4;
    while (a < b) { /* first range with lo > value lo */
        size_t m = a + (b - a) / 2;
        if (l->v4[m].lo <= lo)
            a = m + 1;
        else
            b = m;
    }
    return a > 0 && l->v4[a - 1].hi >= hi;
}

static int v6_contains(const struct wl_list *l, const uint8_t lo[16], const uint8_t hi[16])
{
    size_t a = 0, b = l->nv6;
    while (a < b) {
        size_t m = a + (b - a) / 2;
        if (memcmp(l->v6[m].lo, lo, 16) <= 0)
            a = m + 1;
        else
            b = m;
    }
    return a > 0 && memcmp(l->v6[a - 1].hi, hi, 16) >= 0;
}

/* ===== Matching ===== */

static int type_allowed(const struct wl_list *l, const char *type)
{
    if (l->types == NULL) {
        switch (l->match) {
        case WL_EXACT:
            return 1;
        case WL_CIDR:
            return strcmp(type, "ipv4") == 0 || strcmp(type, "ipv6") == 0 ||
                   strcmp(type, "cidr") == 0;
        case WL_SUFFIX:
            return strcmp(type, "domain") == 0;
        }
        return 0;
    }
    size_t tl = strlen(type);
    if (tl == 0)
        return 0;
    for (const char *p = l->types; (p = strstr(p, type)) != NULL; p++)
        if (p > l->types && p[-1] == ' ' && p[tl] == ' ')
            return 1;
    return 0;
}

static int list_match(const struct wl_list *l, const char *type, const char *value)
{
    if (!type_allowed(l, type))
        return 0;
    size_t len = strlen(value);
    switch (l->match) {
    case WL_EXACT:
        return str_has(l, value, len);
    case WL_SUFFIX: {
        /* An e-mail address (when @types allows it) is matched by its domain. */
        const char *at = strrchr(value, '@');
        for (const char *p = at != NULL ? at + 1 : value;;) {
            if (str_has(l, p, strlen(p)))
                return 1;
            p = strchr(p, '.');
            if (p == NULL)
                return 0;
            p++;
        }
    }
    case WL_CIDR: {
        int fam;
        uint8_t addr[16], lo[16], hi[16];
        unsigned prefix;
        if (rk__corr_parse_net(value, len, &fam, addr, &prefix) != 0)
            return 0;
        net_range(addr, prefix, fam == 4 ? 32 : 128, lo, hi);
        if (fam == 6)
            return v6_contains(l, lo, hi);
        return v4_contains(
            l, (uint32_t)lo[0] << 24 | (uint32_t)lo[1] << 16 | (uint32_t)lo[2] << 8 | lo[3],
            (uint32_t)hi[0] << 24 | (uint32_t)hi[1] << 16 | (uint32_t)hi[2] << 8 | hi[3]);
    }
    }
    return 0;
}

uint32_t rk__corr_wlset_match_no(const struct rk_corr_wlset *set, const char *type,
                                 const char *value)
{
    for (size_t i = 0; i < set->count; i++)
        if (list_match(set->lists[i], type, value))
            return (uint32_t)i + 1;
    return 0;
}

const char *rk__corr_wlset_name(const struct rk_corr_wlset *set, uint32_t no)
{
    return no >= 1 && no <= set->count ? set->lists[no - 1]->name : "?";
}

const char *rk_corr_wlset_match(const struct rk_corr_wlset *set, const char *type,
                                const char *value)
{
    uint32_t no = rk__corr_wlset_match_no(set, type, value);
    return no == 0 ? NULL : set->lists[no - 1]->name;
}

/* ===== Parsing ===== */

struct parser {
    struct rk_corr_wlset *set;
    const char *origin;
    size_t line;
    struct wl_list *l;
    int have_match;
};

static enum rk_status perr(struct parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static enum rk_status perr(struct parser *p, const char *fmt, ...)
{
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (p->line > 0)
        snprintf(p->set->errmsg, sizeof p->set->errmsg, "%.80s:%zu: %s", p->origin, p->line, msg);
    else
        snprintf(p->set->errmsg, sizeof p->set->errmsg, "%.80s: %s", p->origin, msg);
    return RK_EINVAL;
}

static int is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

static enum rk_status set_field(struct parser *p, char **field, const char *key, const char *v,
                                size_t len)
{
    if (*field != NULL)
        return perr(p, "@%s given twice", key);
    if (len == 0)
        return perr(p, "@%s has no value", key);
    *field = rk_strndup(v, len);
    return *field == NULL ? RK_ENOMEM : RK_OK;
}

static enum rk_status parse_header(struct parser *p, const char *s, size_t len)
{
    size_t klen = 0;
    while (klen < len && s[klen] != ' ' && s[klen] != '\t')
        klen++;
    const char *v = s + klen;
    size_t vlen = len - klen;
    while (vlen > 0 && (*v == ' ' || *v == '\t')) {
        v++;
        vlen--;
    }
    struct wl_list *l = p->l;
    if (klen == 4 && memcmp(s, "name", 4) == 0) {
        for (size_t i = 0; i < vlen; i++)
            if (!is_name_char(v[i]))
                return perr(p, "@name must be lower-case letters, digits, '-' or '_'");
        if (vlen > 64)
            return perr(p, "@name is longer than 64 bytes");
        return set_field(p, &l->name, "name", v, vlen);
    }
    if (klen == 11 && memcmp(s, "description", 11) == 0)
        return set_field(p, &l->description, "description", v, vlen);
    if (klen == 6 && memcmp(s, "source", 6) == 0)
        return set_field(p, &l->source, "source", v, vlen);
    if (klen == 5 && memcmp(s, "match", 5) == 0) {
        if (p->have_match)
            return perr(p, "@match given twice");
        for (int m = WL_EXACT; m <= WL_SUFFIX; m++) {
            if (vlen == strlen(match_names[m]) && memcmp(v, match_names[m], vlen) == 0) {
                l->match = (enum wl_match)m;
                p->have_match = 1;
                return RK_OK;
            }
        }
        return perr(p, "@match must be exact, cidr or suffix");
    }
    if (klen == 5 && memcmp(s, "types", 5) == 0) {
        if (l->types != NULL)
            return perr(p, "@types given twice");
        if (vlen == 0)
            return perr(p, "@types has no value");
        l->types = rk_malloc(vlen + 3);
        if (l->types == NULL)
            return RK_ENOMEM;
        l->types[0] = ' ';
        for (size_t i = 0; i < vlen; i++) {
            char c = v[i] == ',' || v[i] == '\t' ? ' ' : v[i];
            if (c != ' ' && !is_name_char(c))
                return perr(p, "@types must list type names such as 'ipv4 ipv6'");
            l->types[i + 1] = c;
        }
        l->types[vlen + 1] = ' ';
        l->types[vlen + 2] = '\0';
        return RK_OK;
    }
    return perr(p, "unknown header '@%.*s' (expected name, description, source, match, types)",
                (int)(klen > 32 ? 32 : klen), s);
}

static enum rk_status parse_entry(struct parser *p, const char *s, size_t len)
{
    struct wl_list *l = p->l;
    for (size_t i = 0; i < len; i++)
        if (s[i] == ' ' || s[i] == '\t')
            return perr(p, "an entry must be one value without spaces");
    switch (l->match) {
    case WL_EXACT:
        return str_add(l, s, len);
    case WL_SUFFIX: {
        char dom[256];
        if (len >= sizeof dom)
            return perr(p, "domain longer than 255 bytes");
        for (size_t i = 0; i < len; i++) {
            char c = s[i];
            if (c >= 'A' && c <= 'Z')
                c = (char)(c + 32);
            if (!is_name_char(c) && c != '.')
                return perr(p, "'%.*s' is not a domain (use the A-label form for IDN)",
                            (int)(len > 64 ? 64 : len), s);
            dom[i] = c;
        }
        dom[len] = '\0';
        if (dom[0] == '.' || dom[len - 1] == '.' || strstr(dom, "..") != NULL)
            return perr(p, "'%.*s' is not a domain", (int)(len > 64 ? 64 : len), s);
        return str_add(l, dom, len);
    }
    case WL_CIDR: {
        int fam;
        uint8_t addr[16], lo[16], hi[16];
        unsigned prefix;
        if (rk__corr_parse_net(s, len, &fam, addr, &prefix) != 0)
            return perr(p, "'%.*s' is not an IPv4 or IPv6 address or CIDR",
                        (int)(len > 64 ? 64 : len), s);
        net_range(addr, prefix, fam == 4 ? 32 : 128, lo, hi);
        if (memcmp(lo, addr, 16) != 0)
            return perr(p, "'%.*s' has host bits set beyond the prefix", (int)(len > 64 ? 64 : len),
                        s);
        return range_add(l, fam, addr, prefix);
    }
    }
    return RK_EINVAL;
}

static enum rk_status parse_line(struct parser *p, const char *s, size_t len)
{
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r'))
        len--;
    while (len > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        len--;
    }
    if (len == 0 || s[0] == '#')
        return RK_OK;
    if (s[0] == '@') {
        if (p->l->entries > 0)
            return perr(p, "header after the first entry");
        return parse_header(p, s + 1, len - 1);
    }
    if (p->l->name == NULL || p->l->description == NULL || p->l->source == NULL || !p->have_match)
        return perr(p, "entry before the @name, @description, @source and @match headers");
    return parse_entry(p, s, len);
}

enum rk_status rk_corr_wlset_load_mem(struct rk_corr_wlset *set, const char *origin,
                                      const char *data, size_t len)
{
    struct parser p = {set, origin != NULL ? origin : "(memory)", 0, NULL, 0};
    enum rk_status rc;
    set->errmsg[0] = '\0';
    if (len > RK_MAX_CORR_WL_FILE) {
        perr(&p, "larger than %u bytes", RK_MAX_CORR_WL_FILE);
        return RK_ETOOBIG;
    }
    if (set->count >= WL_MAX_LISTS) {
        perr(&p, "more than %u warninglists", WL_MAX_LISTS);
        return RK_ETOOBIG;
    }
    p.l = rk_calloc(1, sizeof *p.l);
    if (p.l == NULL)
        return RK_ENOMEM;
    size_t pos = 0;
    rc = RK_OK;
    while (pos < len && rc == RK_OK) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t end = nl != NULL ? (size_t)(nl - data) : len;
        p.line++;
        if (end - pos > RK_MAX_CORR_WL_LINE)
            rc = perr(&p, "line longer than %u bytes", RK_MAX_CORR_WL_LINE);
        else if (memchr(data + pos, '\0', end - pos) != NULL)
            rc = perr(&p, "NUL byte in line");
        else
            rc = parse_line(&p, data + pos, end - pos);
        pos = end + 1;
    }
    if (rc != RK_OK)
        goto out;
    p.line = 0;
    if (p.l->name == NULL || p.l->description == NULL || p.l->source == NULL || !p.have_match) {
        rc = perr(&p, "missing one of the headers @name, @description, @source, @match");
        goto out;
    }
    if (p.l->entries == 0) {
        rc = perr(&p, "list '%s' has no entries", p.l->name);
        goto out;
    }
    for (size_t i = 0; i < set->count; i++) {
        if (strcmp(set->lists[i]->name, p.l->name) == 0) {
            perr(&p, "a list named '%s' is already loaded", p.l->name);
            rc = RK_ECONFLICT;
            goto out;
        }
    }
    ranges_finish(p.l);
    set->lists[set->count++] = p.l;
    p.l = NULL;
out:
    list_free(p.l);
    return rc;
}

enum rk_status rk_corr_wlset_load_file(struct rk_corr_wlset *set, const char *path)
{
    char *data = NULL;
    enum rk_status rc = RK_EIO;
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (f == NULL || fstat(fileno(f), &st) != 0) {
        snprintf(set->errmsg, sizeof set->errmsg, "%.200s: cannot open", path);
        goto out;
    }
    if (st.st_size < 0 || (unsigned long long)st.st_size > RK_MAX_CORR_WL_FILE) {
        snprintf(set->errmsg, sizeof set->errmsg, "%.200s: larger than %u bytes", path,
                 RK_MAX_CORR_WL_FILE);
        rc = RK_ETOOBIG;
        goto out;
    }
    size_t size = (size_t)st.st_size;
    data = rk_malloc(size + 1);
    if (data == NULL) {
        rc = RK_ENOMEM;
        goto out;
    }
    if (fread(data, 1, size, f) != size) {
        snprintf(set->errmsg, sizeof set->errmsg, "%.200s: read error", path);
        goto out;
    }
    const char *base = strrchr(path, '/');
    rc = rk_corr_wlset_load_mem(set, base != NULL ? base + 1 : path, data, size);
out:
    if (f != NULL)
        fclose(f);
    rk_free(data);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

enum rk_status rk_corr_wlset_load_dir(struct rk_corr_wlset *set, const char *dir)
{
    char **names = NULL;
    size_t n = 0, cap = 0;
    enum rk_status rc = RK_OK;
    DIR *d = opendir(dir);
    if (d == NULL) {
        snprintf(set->errmsg, sizeof set->errmsg, "%.200s: cannot open directory", dir);
        return RK_EIO;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || len < 5 || strcmp(e->d_name + len - 4, ".txt") != 0)
            continue;
        if (n == cap) {
            size_t nc = cap == 0 ? 16 : cap * 2;
            char **nn = rk_reallocarray(names, nc, sizeof *nn);
            if (nn == NULL) {
                rc = RK_ENOMEM;
                goto out;
            }
            names = nn;
            cap = nc;
        }
        names[n] = rk_strdup(e->d_name);
        if (names[n] == NULL) {
            rc = RK_ENOMEM;
            goto out;
        }
        n++;
    }
    if (n > 0)
        qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n && rc == RK_OK; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        rc = rk_corr_wlset_load_file(set, path);
    }
out:
    closedir(d);
    for (size_t i = 0; i < n; i++)
        rk_free(names[i]);
    rk_free(names);
    return rc;
}
