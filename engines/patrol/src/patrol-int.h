/*
 * Internal interfaces shared by the files of the patrol engine (rk__ names cross files, STYLE.md
 * rule 2). Nothing here is public.
 */
#ifndef RENKEI_PATROL_INT_H
#define RENKEI_PATROL_INT_H

#include <stddef.h>
#include <stdint.h>

#include <hs.h>

#include "renkei/buf.h"
#include "renkei/patrol.h"

/* The voiced (semi = 0) or semi-voiced (semi = 1) form of hiragana `c`, or 0 if it has none. */
uint32_t rk__patrol_voice(uint32_t c, int semi);
/* Decodes one strict UTF-8 sequence; returns its length or 0 when invalid. */
size_t rk__patrol_utf8_get(const unsigned char *p, size_t n, uint32_t *cp);
/* Appends the folded form of one code point (used for the literal parts of regex patterns). */
enum rk_status rk__patrol_fold_cp(const struct rk_patrol_norm *n, uint32_t cp, struct rk_buf *out);

enum { RK__PATROL_LIT = 0, RK__PATROL_RE = 1 };

struct rk__patrol_category {
    struct rk_patrol_category pub; /* the public view; its strings are the two below */
    char *key;
    char *label;
};

struct rk__patrol_context {
    char *name;
};

/* One compiled pattern: a rule (category >= 0) or a context pattern (context >= 0). */
struct rk__patrol_pattern {
    char *id;   /* rule id; for contexts "ctx:<name>" */
    char *file; /* file name, for compile errors */
    size_t line;
    int kind;   /* RK__PATROL_LIT or RK__PATROL_RE */
    char *expr; /* normalised literal, or folded regex */
    size_t expr_len;
    int category; /* rule: category index; context pattern: -1 */
    int context;  /* context pattern: context index; rule: -1 */
    double weight;
    uint64_t near_mask; /* rule: contexts (bit per context index, < 64) of which one must be near */
    uint32_t window;    /* bytes of normalised text either side searched for the context */
    hs_database_t *som_db; /* regex only: this pattern alone with start-of-match, see below */
};

struct rk_patrol_dict {
    const struct rk_patrol_norm *norm;
    struct rk__patrol_category *cats;
    size_t n_cats, cap_cats;
    struct rk__patrol_context *ctxs;
    size_t n_ctxs, cap_ctxs;
    struct rk__patrol_pattern *pats;
    size_t n_pats, cap_pats;
    size_t n_rules;
    /* The one database of every pattern, compiled without start-of-match (SOM) tracking:
     * SOM halves Vectorscan's speed on this dictionary. A literal's start is its end minus its
     * length; a regex's start is found afterwards, only for hits that become evidence of a
     * finding, by running that regex's own small SOM database (som_db) over the record. */
    hs_database_t *db; /* NULL until compiled */
    /* The prefilter: every positive-weight rule, each reporting once, scanned first. A finding
     * needs its category's score to reach the threshold, and the sum of the weights of the
     * positive rules present bounds that score from above (a rule with a context may not count,
     * negative rules only lower it); when no category's bound reaches its threshold the record
     * has no finding and skips `db`, which is several times slower: contexts and innocent rules
     * (@handles, URLs, prices, 映画, 猫) are the bulk of its hits, and most posts hold at most
     * one 0.5 slang word. NULL when the dictionary has no positive rule (then every record gets
     * the full scan). */
    hs_database_t *pre_db;
};

#endif
