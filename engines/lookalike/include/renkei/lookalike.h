/*
 * rk_lookalike: the phishing lookalike-domain detector of Renkei. A brand list (see
 * docs/lookalike.md for the format) is compiled once into an immutable `struct rk_lookalike`
 * (brands, an Aho-Corasick automaton over brand labels and keywords, an index of the fuzzy
 * labels by first letter and length for Damerau-Levenshtein matching, the set of legitimate
 * domains, the Public Suffix List and an ICU spoof checker). Each worker thread then owns a `struct rk_lookalike_scanner` that
 * holds its scratch memory, and checks domain names or URLs one at a time.
 *
 * The same scanner also scores SMS texts (smishing): rule reasons for the known Japanese lure
 * patterns combined with the lookalike score of every URL in the text.
 *
 * Thread-safety: a compiled `struct rk_lookalike` may be shared by any number of threads; a
 * scanner must be used by one thread at a time.
 */
#ifndef RENKEI_LOOKALIKE_H
#define RENKEI_LOOKALIKE_H

#include <stddef.h>

#include "renkei/status.h"

struct rk_lookalike;
struct rk_lookalike_scanner;

/* ===== Building the detector ===== */

/*
 * Creates an empty detector to which brand lists are added. Returns RK_OK or RK_ENOMEM.
 * Ownership: *out is new; the caller frees it with rk_lookalike_destroy().
 */
enum rk_status rk_lookalike_create(struct rk_lookalike **out);

/* Frees the detector and everything it owns; accepts NULL. No scanner may still use it. */
void rk_lookalike_destroy(struct rk_lookalike *lk);

/*
 * Parses a brand list held in memory and adds its brands. `origin` names it in error messages
 * (e.g. a file name). Returns RK_OK, RK_EINVAL (syntax; rk_lookalike_errmsg() says where and
 * what), RK_ETOOBIG (a limit of RK_MAX_LOOKALIKE_* was passed) or RK_ENOMEM. On error no brand
 * of this text is kept. Not allowed after rk_lookalike_compile() (RK_ECONFLICT).
 * Ownership: `text` is borrowed for the call only.
 */
enum rk_status rk_lookalike_add_brands(struct rk_lookalike *lk, const char *text, size_t len,
                                       const char *origin);

/*
 * Adds every `*.brands` file of directory `dir` (in name order) with rk_lookalike_add_brands().
 * Returns RK_EIO when the directory or a file cannot be read, else as rk_lookalike_add_brands().
 */
enum rk_status rk_lookalike_load_dir(struct rk_lookalike *lk, const char *dir);

/*
 * Builds the indexes and loads the Public Suffix List and the ICU spoof checker. After this the
 * detector is immutable. Returns RK_OK, RK_EINVAL (no brands), RK_EIO (PSL or ICU unavailable)
 * or RK_ENOMEM.
 */
enum rk_status rk_lookalike_compile(struct rk_lookalike *lk);

/* Returns the detailed message of the last error on `lk` ("" if none). Borrowed. */
const char *rk_lookalike_errmsg(const struct rk_lookalike *lk);

/* Number of brands / brand labels / legitimate domains added so far. */
size_t rk_lookalike_brand_count(const struct rk_lookalike *lk);

struct rk_lookalike_brand_info {
    const char *id;      /* stable identifier, e.g. "rakuten" */
    const char *name_ja; /* e.g. "楽天" */
    const char *name_en; /* e.g. "Rakuten" */
    const char *sector;  /* one of the sectors of docs/lookalike.md, e.g. "ec" */
};

/* Fills *out for brand `idx` (< brand count). Borrowed strings, valid as long as `lk`. */
void rk_lookalike_brand(const struct rk_lookalike *lk, size_t idx,
                        struct rk_lookalike_brand_info *out);

/*
 * Returns 1 if `registrable` (a lowercase registrable domain such as "rakuten.co.jp") is one of
 * the legitimate domains of a brand, else 0. Thread-safety: safe on a compiled detector.
 */
int rk_lookalike_is_legit(const struct rk_lookalike *lk, const char *registrable);

/* ===== Checking domains ===== */

/*
 * Creates a scanner (per-thread scratch) on a compiled detector. Returns RK_OK, RK_ECONFLICT
 * (not compiled), RK_EIO (ICU clone failed) or RK_ENOMEM. Ownership: *out is new; free it with
 * rk_lookalike_scanner_destroy(). `lk` is borrowed and must outlive the scanner.
 */
enum rk_status rk_lookalike_scanner_create(const struct rk_lookalike *lk,
                                           struct rk_lookalike_scanner **out);
void rk_lookalike_scanner_destroy(struct rk_lookalike_scanner *s);

/* Why an input was skipped: the sub-code of an RK_EINVAL / RK_ETOOBIG from the check. */
enum rk_lookalike_skip {
    RK_LOOKALIKE_SKIP_NONE = 0,
    RK_LOOKALIKE_SKIP_EMPTY,     /* empty or blank line */
    RK_LOOKALIKE_SKIP_TOO_LONG,  /* name over 253 bytes or label over 63 (RK_ETOOBIG) */
    RK_LOOKALIKE_SKIP_BAD_CHAR,  /* control bytes, invalid UTF-8, characters not in names */
    RK_LOOKALIKE_SKIP_BAD_IDN,   /* invalid punycode or IDNA */
    RK_LOOKALIKE_SKIP_IP,        /* an IPv4 or IPv6 literal, not a name */
    RK_LOOKALIKE_SKIP_NO_SUFFIX, /* no registrable domain (a bare suffix or a single label) */
    RK_LOOKALIKE_SKIP_COUNT
};

/* Returns the skip sub-code of a status returned by a check (NONE for RK_OK or other codes). */
enum rk_lookalike_skip rk_lookalike_skip_of(int rc);
/* Returns a short English name of a skip reason, e.g. "invalid punycode". Static string. */
const char *rk_lookalike_skip_name(enum rk_lookalike_skip k);

enum rk_lookalike_reason_kind {
    RK_LOOKALIKE_R_BRAND_DOMAIN_SUBDOMAIN, /* a brand's own domain used as a subdomain */
    RK_LOOKALIKE_R_IDN_HOMOGRAPH,          /* UTS #39 skeleton of an IDN label is a brand label */
    RK_LOOKALIKE_R_ASCII_HOMOGLYPH, /* 0/o, 1/l, rn/m, vv/w substitutions give a brand label */
    RK_LOOKALIKE_R_TLD_SWAP,        /* registrable label is exactly a brand label */
    RK_LOOKALIKE_R_COMBOSQUAT,      /* brand label or keyword plus phishing words */
    RK_LOOKALIKE_R_CONTAINS,        /* distinctive brand label inside a longer label */
    RK_LOOKALIKE_R_SUBDOMAIN_LABEL, /* a subdomain label is exactly a brand label */
    RK_LOOKALIKE_R_EDIT_DISTANCE,   /* Damerau-Levenshtein 1 or 2 from a brand label */
    RK_LOOKALIKE_R_KIND_COUNT
};

/* Stable machine name of a reason kind, e.g. "combosquat". Static string. */
const char *rk_lookalike_reason_name(enum rk_lookalike_reason_kind k);

#define RK_LOOKALIKE_MAX_REASONS 6
#define RK_LOOKALIKE_DETAIL      96

struct rk_lookalike_reason {
    enum rk_lookalike_reason_kind kind;
    int score;                        /* 0..100, this reason alone */
    char detail[RK_LOOKALIKE_DETAIL]; /* e.g. "label 'rakuten' + words login,jp" */
};

struct rk_lookalike_match {
    int brand;               /* index of the best brand, or -1 when nothing matched */
    int score;               /* 0..100; 0 when nothing matched */
    const char *host;        /* normalised host (punycode decoded), borrowed until the next check */
    const char *registrable; /* registrable domain (ASCII form), borrowed until the next check */
    size_t n_reasons;
    struct rk_lookalike_reason reasons[RK_LOOKALIKE_MAX_REASONS];
};

/*
 * Checks one domain name or URL (`len` bytes; need not be NUL-terminated). A URL's host is
 * used; a leading "*." (wildcard certificate) and a trailing dot are dropped.
 * Returns RK_OK with *out filled (out->score 0 and brand -1 when no brand matched, including
 * every legitimate brand domain); RK_EINVAL or RK_ETOOBIG with a rk_lookalike_skip sub-code
 * when the input is not a checkable name (then *out says nothing); RK_ENOMEM.
 * Thread-safety: one thread per scanner.
 */
enum rk_status rk_lookalike_check(struct rk_lookalike_scanner *s, const char *input, size_t len,
                                  struct rk_lookalike_match *out);

/* ===== Smishing ===== */

#define RK_LOOKALIKE_SMS_MAX_RULES 8
#define RK_LOOKALIKE_SMS_MAX_URLS  4

struct rk_lookalike_sms_url {
    char url[256];               /* the URL or domain as found (truncated to fit) */
    struct rk_lookalike_match m; /* its lookalike result; host/registrable copied below */
    char registrable[256];
};

struct rk_lookalike_sms_result {
    int score; /* 0..100 */
    int brand; /* brand named in the text or matched by a URL, or -1 */
    size_t n_rules;
    const char *rules[RK_LOOKALIKE_SMS_MAX_RULES]; /* rule names, static strings */
    size_t n_urls;
    struct rk_lookalike_sms_url urls[RK_LOOKALIKE_SMS_MAX_URLS];
};

/*
 * Scores one SMS text (UTF-8, `len` bytes) against the smishing rules of docs/lookalike.md and
 * checks every URL or bare domain in it with rk_lookalike_check(). Returns RK_OK, RK_EINVAL
 * (empty text or invalid UTF-8), RK_ETOOBIG (over RK_MAX_LOOKALIKE_SMS bytes) or RK_ENOMEM.
 * Thread-safety: one thread per scanner.
 */
enum rk_status rk_lookalike_sms_check(struct rk_lookalike_scanner *s, const char *text, size_t len,
                                      struct rk_lookalike_sms_result *out);

/*
 * Extracts the text of an SMS given as one JSON object on a line: the first of the string
 * members "text", "body" or "message", with JSON escapes decoded to UTF-8. Writes at most
 * `cap - 1` bytes and a NUL to `dst`. Returns RK_OK (*out_len set), RK_EINVAL (not an object,
 * no such member, bad escape) or RK_ETOOBIG (text longer than cap - 1).
 */
enum rk_status rk_lookalike_sms_from_json(const char *line, size_t len, char *dst, size_t cap,
                                          size_t *out_len);

/* ===== JSON output ===== */

struct rk_buf;

/*
 * Appends one JSON object (no newline) describing a domain match to `out`:
 * {"input","host","registrable","brand","brand_ja","brand_en","sector","score",
 *  "reasons":[{"kind","score","detail"}]}. `input` is the line as read (any bytes; invalid
 * UTF-8 is replaced by U+FFFD). Returns RK_OK, RK_ENOMEM or RK_ETOOBIG (the buffer's cap).
 */
enum rk_status rk_lookalike_match_json(const struct rk_lookalike *lk, const char *input, size_t len,
                                       const struct rk_lookalike_match *m, struct rk_buf *out);

/*
 * Appends one JSON object describing a scored SMS: {"text","score","brand",...,"rules":[...],
 * "urls":[{"url","registrable","brand","score","reasons"}]}. Same returns as above.
 */
enum rk_status rk_lookalike_sms_json(const struct rk_lookalike *lk, const char *text, size_t len,
                                     const struct rk_lookalike_sms_result *r, struct rk_buf *out);

/* Appends `s` as a JSON string (with quotes), replacing invalid UTF-8 by U+FFFD. */
enum rk_status rk_lookalike_json_string(struct rk_buf *out, const char *s, size_t len);

/* The score from which the CLI reports a domain by default (docs/lookalike.md). */
#define RK_LOOKALIKE_DEFAULT_MIN_SCORE 50

#endif
