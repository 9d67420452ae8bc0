/*
 * Cyber patrol engine: finds leads for illegal and harmful information (the Internet Hotline
 * Center classes) in Japanese text, for a person to review.
 *
 * Three parts, used in this order:
 *   1. rk_patrol_norm    — immutable folding tables: NFKC plus the Japanese folds NFKC does not do
 *                          (kana script, small kana, voiced marks, prolonged marks, middle dots,
 *                          kanji variants, zero-width characters, inserted spaces and symbols,
 *                          digits read as kana). Every normalised byte maps back to the original.
 *   2. rk_patrol_dict    — a dictionary of categories, context patterns and rules (docs/patrol.md
 *                          gives the text format), compiled into one Vectorscan database.
 *   3. rk_patrol_scanner — per-thread scratch: normalises a batch of records, scans each in one
 *                          pass, and scores the hits per category against the thresholds.
 *
 * Thread-safety: a norm and a compiled dict are read-only and shared by every thread; each thread
 * owns its scanner.
 */
#ifndef RENKEI_PATROL_H
#define RENKEI_PATROL_H

#include <stddef.h>
#include <stdint.h>

#include "renkei/buf.h"
#include "renkei/status.h"

/* ===== Normaliser ===== */

struct rk_patrol_norm;

/*
 * Builds the folding tables (about 1 MB; a few milliseconds).
 * Returns RK_OK or RK_ENOMEM. Ownership: *out is new; free it with rk_patrol_norm_destroy().
 */
enum rk_status rk_patrol_norm_create(struct rk_patrol_norm **out);
/* Frees the tables; accepts NULL. */
void rk_patrol_norm_destroy(struct rk_patrol_norm *n);

/*
 * Normalised text with its map back to the input. The caller embeds it, starts it with
 * rk_patrol_text_init() and ends it with rk_patrol_text_free(); the fields are read-only.
 */
struct rk_patrol_text {
    char *data;           /* owned; normalised UTF-8, always valid, NUL-terminated */
    size_t len;           /* bytes of data */
    size_t cap;           /* bytes allocated for data, src_start and src_end (elements) */
    uint32_t *src_start;  /* owned; per byte of data: input offset where its character begins */
    uint32_t *src_end;    /* owned; per byte of data: input offset just past its character */
    size_t n_invalid;     /* invalid UTF-8 sequences seen by the last call (exact count) */
    size_t invalid_at[8]; /* offsets in the input of the first of them
                             (RK_MAX_PATROL_INVALID_REPORT) */
};

void rk_patrol_text_init(struct rk_patrol_text *t);
void rk_patrol_text_free(struct rk_patrol_text *t);

/*
 * Normalises `len` bytes of `in` (any bytes: invalid UTF-8 becomes U+FFFD and is counted in
 * t->n_invalid with its offset) into `t`, replacing what `t` held. Offsets in src_start/src_end
 * are relative to `in`.
 * Returns RK_OK, RK_ENOMEM, or RK_ETOOBIG when len > RK_MAX_PATROL_RECORD.
 * Thread-safety: `n` may be shared; `t` belongs to the caller's thread.
 */
enum rk_status rk_patrol_normalise(const struct rk_patrol_norm *n, const char *in, size_t len,
                                   struct rk_patrol_text *t);

/* ===== Dictionary ===== */

struct rk_patrol_dict;

/*
 * Starts an empty dictionary that will normalise its literal patterns with `n`.
 * Ownership: *out is new; free it with rk_patrol_dict_destroy(). `n` is borrowed and must outlive
 * the dictionary.
 */
enum rk_status rk_patrol_dict_create(const struct rk_patrol_norm *n, struct rk_patrol_dict **out);
void rk_patrol_dict_destroy(struct rk_patrol_dict *d);

/*
 * Parses one dictionary file's text and adds its categories, contexts and rules. `name` is used
 * in error messages. On error returns RK_EINVAL (or RK_ETOOBIG / RK_ENOMEM), writes
 * "name:line: what was wrong" to `err` (NUL-terminated, at most `errlen` bytes) and leaves the
 * dictionary as it was before the call.
 */
enum rk_status rk_patrol_dict_parse(struct rk_patrol_dict *d, const char *name, const char *text,
                                    size_t len, char *err, size_t errlen);

/*
 * Parses every "*.rules" file of `dir`, in name order (RK_EIO when the directory or a file cannot
 * be read; messages as rk_patrol_dict_parse()).
 */
enum rk_status rk_patrol_dict_load_dir(struct rk_patrol_dict *d, const char *dir, char *err,
                                       size_t errlen);

/*
 * Compiles every pattern into one Vectorscan database. After this the dictionary is read-only
 * and can be shared by threads; no more parsing is allowed (RK_ECONFLICT). A pattern Vectorscan
 * rejects fails the compile with RK_EINVAL and "file:line: reason" in `err`.
 */
enum rk_status rk_patrol_dict_compile(struct rk_patrol_dict *d, char *err, size_t errlen);

/* Counts, for reports and tests. */
size_t rk_patrol_dict_rule_count(const struct rk_patrol_dict *d);
size_t rk_patrol_dict_pattern_count(const struct rk_patrol_dict *d);
size_t rk_patrol_dict_category_count(const struct rk_patrol_dict *d);

/* A category of the dictionary. Borrowed: valid while the dictionary lives. */
struct rk_patrol_category {
    const char *key;   /* e.g. "recruit.crime" */
    const char *label; /* e.g. "犯罪実行者募集" */
    double threshold;  /* a record scoring at least this is a finding */
};
const struct rk_patrol_category *rk_patrol_dict_category(const struct rk_patrol_dict *d, size_t i);

/*
 * Writes every rule and context pattern, in its normalised form, one per line as a POSIX ERE
 * (literals escaped), to `out` — for comparing with grep -E -f and rg -f on normalised text.
 * Regex patterns are written as they are compiled (they use only the ERE subset).
 */
enum rk_status rk_patrol_dict_export_ere(const struct rk_patrol_dict *d, struct rk_buf *out);

/* ===== Scanner ===== */

struct rk_patrol_scanner;

/* One input record: a post, a line, or a chunk of a long line. */
struct rk_patrol_record {
    const char *text; /* borrowed for the call */
    size_t len;
    size_t dup_prefix; /* leading bytes already scanned as the end of the previous chunk: a finding
                          whose evidence all ends within them is not reported again */
};

/* An evidence span, in bytes of the record's original text. */
struct rk_patrol_span {
    size_t start;
    size_t end;
};

struct rk_patrol_finding {
    size_t record;   /* index in the batch */
    size_t category; /* index for rk_patrol_dict_category() */
    double score;
    size_t n_spans; /* at most RK_MAX_PATROL_SPANS */
    const struct rk_patrol_span *spans;
    size_t n_rules; /* at most RK_MAX_PATROL_SPANS */
    const char *const *rule_ids;
};

struct rk_patrol_invalid {
    size_t record;
    size_t offset; /* byte offset in the record of an invalid UTF-8 sequence */
};

/*
 * Returns a scanner for the compiled dictionary `d` (RK_ECONFLICT if it is not compiled).
 * Ownership: *out is new; free it with rk_patrol_scanner_destroy(). `d` is borrowed.
 */
enum rk_status rk_patrol_scanner_create(const struct rk_patrol_dict *d,
                                        struct rk_patrol_scanner **out);
void rk_patrol_scanner_destroy(struct rk_patrol_scanner *s);

/*
 * Normalises and scans `n` records. Results are read afterwards with rk_patrol_scanner_findings()
 * and rk_patrol_scanner_invalid(). Returns RK_OK, RK_ENOMEM, RK_ETOOBIG (a record is longer than
 * RK_MAX_PATROL_RECORD) or RK_EIO (Vectorscan failed).
 */
enum rk_status rk_patrol_scan(struct rk_patrol_scanner *s, const struct rk_patrol_record *recs,
                              size_t n);

/*
 * Scans text that is already normalised (no map back; spans are offsets in `text`). For the
 * benchmark's scan-only figure and for tests of the dictionary.
 */
enum rk_status rk_patrol_scan_normalised(struct rk_patrol_scanner *s, const char *text, size_t len);

/* Findings of the last scan, in record order. Borrowed: valid until the next scan call. */
size_t rk_patrol_scanner_findings(const struct rk_patrol_scanner *s,
                                  const struct rk_patrol_finding **out);
/* Invalid UTF-8 seen by the last scan (at most RK_MAX_PATROL_INVALID_REPORT per record).
 * Borrowed: valid until the next scan call. */
size_t rk_patrol_scanner_invalid(const struct rk_patrol_scanner *s,
                                 const struct rk_patrol_invalid **out);

/* ===== Input formats ===== */

/*
 * Extracts the text of an HTML document: tags, comments, <script> and <style> are dropped, block
 * tags and <br> become a newline, entities (&amp; &#12354; &#x3042; &nbsp; ...) are decoded.
 * Appends the text to `out` and, per appended byte, the offset in `html` it came from to `map`
 * (an array of uint32_t in a second rk_buf). Returns RK_OK, RK_ENOMEM or RK_ETOOBIG.
 */
enum rk_status rk_patrol_html_text(const char *html, size_t len, struct rk_buf *out,
                                   struct rk_buf *map);

/*
 * One post of a JSON-lines input: {"id","url","text","posted_at"}; only "text" is required.
 * Invalid UTF-8 in the line is replaced with U+FFFD before parsing (counted in n_invalid, first
 * offset in first_invalid). Returns RK_OK, or RK_EINVAL with a reason in `err`.
 * Ownership: the strings are owned by the post; free them with rk_patrol_post_free().
 */
struct rk_patrol_post {
    char *id;
    char *url;
    char *text;
    size_t text_len;
    char *posted_at;
    size_t n_invalid;
    size_t first_invalid;
};
enum rk_status rk_patrol_post_parse(const char *line, size_t len, struct rk_patrol_post *post,
                                    char *err, size_t errlen);
void rk_patrol_post_free(struct rk_patrol_post *post);

#endif
