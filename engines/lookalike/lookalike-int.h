/*
 * Internal structures of the lookalike engine, shared by its .c files (rk__la_ prefix). The
 * public header renkei/lookalike.h declares only opaque handles.
 *
 * Layout of the compiled detector: brands and their terms (labels and keywords) live in flat
 * arrays; the Aho-Corasick automaton is a full DFA over byte classes so the scan is one table
 * load per byte; the edit-distance index chains the fuzzy-matched labels by first letter and
 * length; the legitimate domains are an open-addressing set.
 */
#ifndef RK_LOOKALIKE_INT_H
#define RK_LOOKALIKE_INT_H

#include <stddef.h>
#include <stdint.h>

#include <libpsl.h>
#include <unicode/uspoof.h>

#include "renkei/limits.h"
#include "renkei/lookalike.h"

enum rk__la_term_kind { RK__LA_LABEL = 1, RK__LA_KEYWORD = 2 };

struct rk__la_brand {
    char *id;
    char *name_ja;
    char *name_en;
    char *sector;
    int32_t first_term, nterms; /* its terms are terms[first_term .. first_term + nterms) */
};

struct rk__la_term {
    char *text;    /* lowercase, no hyphens; ASCII [a-z0-9] or UTF-8 */
    uint32_t len;  /* bytes */
    int32_t brand; /* owner */
    uint8_t kind;  /* enum rk__la_term_kind */
    uint8_t maxd;  /* largest Damerau-Levenshtein distance matched (0 = exact only) */
    uint8_t ascii; /* 1 when the term is ASCII */
};

struct rk__la_psl_rule {
    char *text; /* ASCII (punycode) suffix, without "!" and "*." */
    uint32_t len;
    uint8_t kind; /* flags of lookalike-psl.c: rule, exception, wildcard base, parent */
};

/* Longest suffix, in labels, that the rule table is consulted for (the list's rules have at
 * most 5 labels; a longer one read from a future list is still honoured up to this). */
#define RK__LA_PSL_MAXK 16
#define RK__LA_PSL_FILE "/usr/share/publicsuffix/public_suffix_list.dat"

struct rk__la_legit {
    char *domain;
    int32_t brand;
};

/* One slot of an open-addressing hash table; key 0 means empty. */
struct rk__la_slot {
    uint64_t key;
    int32_t first; /* head of a chain in the table's chain array */
};

struct rk__la_chain {
    int32_t item; /* index of the item (legit domain, word, PSL entry) */
    int32_t next; /* -1 ends the chain */
};

struct rk__la_table {
    struct rk__la_slot *slots;
    size_t mask; /* capacity - 1 (a power of two) */
    struct rk__la_chain *chain;
    size_t nchain, capchain;
};

struct rk_lookalike {
    struct rk__la_brand *brands;
    size_t nbrands, capbrands;
    struct rk__la_term *terms;
    size_t nterms, capterms;
    struct rk__la_legit *legit;
    size_t nlegit, caplegit;
    int compiled;

    /* Aho-Corasick DFA. */
    uint8_t cls[256]; /* byte -> class; class 0 = byte in no term */
    uint32_t nclasses;
    uint32_t nstates;
    int32_t *delta;    /* nstates * nclasses */
    int32_t *out_term; /* per state: head of its own output chain in `outs`, or -1 */
    int32_t *dict;     /* per state: nearest proper suffix state with outputs, or -1 */
    struct rk__la_chain *outs;
    size_t nouts;

    /* Edit-distance candidates: fuzzy-matched labels chained by (first letter, length). */
    int32_t ed_head[36][RK_MAX_LOOKALIKE_TERM + 1];
    int32_t *ed_next;  /* per term */
    uint64_t *ed_mask; /* per term: set of its letters and digits (bit rk__la_ed_class) */
    size_t n_fuzzy;
    struct rk__la_table leg; /* legitimate domains */
    /* Registrable domains under which a listed legitimate domain is a subdomain (e.g. naver.jp
     * for line.naver.jp): only hosts under these need the slower per-suffix check. */
    struct rk__la_table legpar;
    struct rk__la_table words; /* combosquatting vocabulary */

    psl_ctx_t *psl;
    /* The Public Suffix List as hash tables (lookalike-psl.c); psl_rules NULL: use libpsl. */
    struct rk__la_psl_rule *psl_rules;
    size_t npsl, cappsl;
    struct rk__la_table pslrule;
    uint32_t psl_maxlabels;
    USpoofChecker *spoof;
    char errmsg[256];
};

struct rk_lookalike_scanner {
    const struct rk_lookalike *lk;
    USpoofChecker *spoof;                      /* this thread's clone */
    char host[RK_MAX_LOOKALIKE_NAME + 8];      /* ASCII (punycode) form */
    char uhost[RK_MAX_LOOKALIKE_NAME * 4 + 8]; /* display form, IDN decoded */
    char reg[RK_MAX_LOOKALIKE_NAME + 8];
    /* Per-brand accumulation for the current input. */
    int *bscore;
    uint8_t *bnreasons;
    struct rk_lookalike_reason *breasons; /* nbrands * RK_LOOKALIKE_MAX_REASONS */
    int32_t *touched;
    int *bspec; /* per brand: length of its most specific matched term */
    size_t ntouched;
};

/* Hashes (FNV-1a, then a final mix so that the low bits used by the tables are spread). */
uint64_t rk__la_hash(const char *s, size_t n);
/* Index of a lowercase letter or digit in ed_head (0..35), or -1. */
static inline int rk__la_ed_class(unsigned char c)
{
    return c >= 'a' && c <= 'z' ? c - 'a' : c >= '0' && c <= '9' ? 26 + (c - '0') : -1;
}

/* Inserts (key -> item) into a table; grows the chain array. RK_OK or RK_ENOMEM. */
enum rk_status rk__la_table_init(struct rk__la_table *t, size_t expected);
enum rk_status rk__la_table_add(struct rk__la_table *t, uint64_t key, int32_t item);
/* Returns the head of the chain of `key`, or -1. */
int32_t rk__la_table_find(const struct rk__la_table *t, uint64_t key);
void rk__la_table_free(struct rk__la_table *t);

/* Builds the automaton and the hash tables (lookalike-index.c). */
enum rk_status rk__la_build_indexes(struct rk_lookalike *lk);
/* Optimal-string-alignment distance of a and b, or limit + 1 when it is larger than `limit`. */
int rk__la_osa(const char *a, size_t na, const char *b, size_t nb, int limit);

/* Combosquatting vocabulary (lookalike-words.c). */
/* 1 when all of s[0..n) splits into phishing words, digits and terms of `brand` (-1: none);
 * an empty string is 1. */
int rk__la_words_cover(const struct rk_lookalike *lk, const char *s, size_t n, int32_t brand);
/* Writes up to `cap` words of length >= 3 found inside s[0..n) as "a,b"; returns how many. */
int rk__la_words_find(const struct rk_lookalike *lk, const char *s, size_t n, char *dst,
                      size_t cap);
/* The vocabulary, NULL-terminated (indexed into lk->words at compile time). */
extern const char *const rk__la_words[];

/* 1 when s[0..n) is valid UTF-8 without control characters. */
int rk__la_valid_utf8(const unsigned char *s, size_t n);
/* The same, allowing tab, CR and LF (texts). */
int rk__la_valid_text(const unsigned char *s, size_t n);

/* 1 when `host` (whose registrable domain is `reg`, a pointer into host) is a legitimate
 * domain: its registrable domain is listed, or the host is under a listed subdomain. */
int rk__la_legit_host(const struct rk_lookalike *lk, const char *host, const char *reg);

/* Public Suffix List (lookalike-psl.c). */
enum rk_status rk__la_psl_load(struct rk_lookalike *lk, const char *path);
void rk__la_psl_free(struct rk_lookalike *lk);
/* The registrable domain of a lowercase ASCII host: a pointer into `host`, or NULL when the
 * host is a public suffix or shorter. Same answers as psl_registrable_domain(). */
const char *rk__la_registrable(const struct rk_lookalike *lk, const char *host);

/* Normalises one input into s->host (lowercase ASCII, punycode). RK_OK or a skip status. */
enum rk_status rk__la_normalise(struct rk_lookalike_scanner *s, const char *in, size_t len);

#define RK__LA_SKIP(primary, k) ((enum rk_status)((int)(primary) | ((int)(k) << 8)))

#endif
