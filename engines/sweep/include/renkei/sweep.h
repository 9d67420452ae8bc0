/*
 * Sweep: match gigabytes of logs against millions of indicators (IP addresses, CIDR ranges,
 * domains, URLs, hashes, e-mail addresses) exactly, in one pass, on every core.
 *
 * The indicator set is compiled once into an index (struct rk_sweep_index): one versioned,
 * checksummed file that is memory-mapped read-only and shared by every thread and process. A
 * scanner (struct rk_sweep_scanner) is the per-thread scratch; it extracts tokens from bytes and
 * looks them up. rk_sweep_run() drives files, directories, stdin and compressed input over
 * several threads and reports hits in input order. docs/sweep.md gives the semantics and the
 * data structures.
 */
#ifndef RENKEI_SWEEP_H
#define RENKEI_SWEEP_H

#include <stddef.h>
#include <stdint.h>

#include "renkei/status.h"

/* Indicator kinds as stored in the index (stable numbers: they are written to index files). */
enum rk_sweep_type {
    RK_SWEEP_NONE = 0,
    RK_SWEEP_IPV4 = 1,
    RK_SWEEP_IPV6 = 2,
    RK_SWEEP_CIDR4 = 3,
    RK_SWEEP_CIDR6 = 4,
    RK_SWEEP_DOMAIN = 5,
    RK_SWEEP_URL = 6,
    RK_SWEEP_EMAIL = 7,
    RK_SWEEP_MD5 = 8,
    RK_SWEEP_SHA1 = 9,
    RK_SWEEP_SHA256 = 10,
    RK_SWEEP_TYPE_COUNT
};

/* Returns "ipv4", "ipv6", "cidr", "domain", "url", "email", "md5", "sha1", "sha256" or "none".
 * Ownership: a static string. */
const char *rk_sweep_type_name(enum rk_sweep_type t);

/* ===== Building an index ===== */

struct rk_sweep_builder;

/* Returns a new empty builder in `*out`; the caller frees it with rk_sweep_builder_destroy().
 * Returns RK_OK or RK_ENOMEM. */
enum rk_status rk_sweep_builder_create(struct rk_sweep_builder **out);
/* Frees the builder; accepts NULL. */
void rk_sweep_builder_destroy(struct rk_sweep_builder *b);

/*
 * Adds one indicator. With `type` == RK_SWEEP_NONE the type is detected from the value. The
 * value is canonicalised (docs/sweep.md); adding the same canonical indicator twice stores it
 * once (repeats are dropped when the table is made: by rk_sweep_builder_count(), _build() or
 * _write()). Returns RK_OK, RK_EINVAL (not a valid indicator of that type), RK_ETOOBIG (longer
 * than RK_MAX_SWEEP_INDICATOR or more than RK_MAX_SWEEP_INDICATORS distinct indicators) or
 * RK_ENOMEM.
 */
enum rk_status rk_sweep_builder_add(struct rk_sweep_builder *b, enum rk_sweep_type type,
                                    const char *value, size_t len);

/*
 * Adds one indicator as rk_sweep_builder_add() does, with a metadata string (UTF-8 text without
 * NUL, at most RK_MAX_SWEEP_META bytes) that every hit on it will carry (`hit->meta`): Renkei
 * stores there where the indicator came from (its TLP and case references). An indicator added
 * twice keeps the metadata it was first given. An index with metadata is written in format
 * version 4 (a metadata section after the prefilters); one without is version 3. Returns as
 * rk_sweep_builder_add(), or RK_ETOOBIG for too long a metadata string.
 */
enum rk_status rk_sweep_builder_add_meta(struct rk_sweep_builder *b, enum rk_sweep_type type,
                                         const char *value, size_t len, const char *meta);

/*
 * Tells the builder that about `n` more indicators are coming, so that the store of their
 * records grows once instead of doubling on the way (the table itself is always made once, at
 * its final size). Only a speed hint: the index written or built is the same bytes whatever
 * was reserved, and adding more than reserved is fine. Returns RK_OK or RK_ENOMEM (the builder
 * is then unchanged and still usable).
 */
enum rk_status rk_sweep_builder_reserve(struct rk_sweep_builder *b, uint64_t n);

/* Formats of indicator files. */
enum rk_sweep_format {
    RK_SWEEP_FMT_AUTO = 0, /* detected from the content */
    RK_SWEEP_FMT_PLAIN,    /* one value a line, type detected per line; '#' starts a comment */
    RK_SWEEP_FMT_CSV,      /* header row with a "type" and a "value" (or "indicator") column */
    RK_SWEEP_FMT_STIX,     /* STIX 2.1 bundle of indicator objects with equality patterns */
    RK_SWEEP_FMT_MISP      /* MISP event JSON (Event.Attribute[], Event.Object[].Attribute[]) */
};

/* Counts of an indicator-file load. */
struct rk_sweep_load_stats {
    uint64_t added;   /* values accepted (before de-duplication) */
    uint64_t skipped; /* values or lines that were not a supported indicator */
};

/*
 * Parses an indicator file held in memory and adds every indicator it holds. Entries that are
 * not supported indicators are counted in `stats->skipped` and do not fail the load; a file
 * that is not of the format at all (bad JSON, CSV without a type column) returns RK_EINVAL with
 * a message in `err` (a buffer of `errlen` bytes, may be NULL). `stats` may be NULL.
 * Returns RK_OK, RK_EINVAL, RK_ETOOBIG or RK_ENOMEM.
 */
enum rk_status rk_sweep_builder_load(struct rk_sweep_builder *b, enum rk_sweep_format fmt,
                                     const char *data, size_t len,
                                     struct rk_sweep_load_stats *stats, char *err,
                                     size_t errlen);

/* Number of distinct indicators added so far (makes the table when something was added since
 * it was last made: call it once the indicators are in, not after every one). */
uint64_t rk_sweep_builder_count(struct rk_sweep_builder *b);

/*
 * Writes the index to `path` (through a temporary file renamed into place).
 * Returns RK_OK, RK_EIO (message in `err`) or RK_ENOMEM.
 */
enum rk_status rk_sweep_builder_write(struct rk_sweep_builder *b, const char *path, char *err,
                                      size_t errlen);

/* ===== Using an index ===== */

struct rk_sweep_index;

/* Flags of rk_sweep_index_open(). */
enum {
    /* Skip the checksum of the whole body (the header checksum, the layout checks and the
     * bounds checks of every lookup stay): opening then costs a few system calls instead of a
     * pass over the file, for an index that was verified before (e.g. just compiled). */
    RK_SWEEP_OPEN_NO_VERIFY = 1
};

/*
 * Opens an index file: maps it read-only and checks its magic, version, sizes, structure and
 * (unless `flags` has RK_SWEEP_OPEN_NO_VERIFY) the checksum of its whole body, which up to
 * four threads (the CPUs online) verify in parallel for a body of 16 MiB or more; they have
 * ended when this returns. An index of format version 1 or 2 (older builds) is refused with a
 * message asking to recompile it. Returns RK_OK,
 * RK_EIO (cannot read), RK_ECORRUPT (foreign, truncated or damaged; message in `err`) or
 * RK_ENOMEM. Ownership: the caller closes `*out` with rk_sweep_index_close(). Thread-safety:
 * the index is immutable and may be used by any number of threads at once.
 */
enum rk_status rk_sweep_index_open(const char *path, unsigned flags, struct rk_sweep_index **out,
                                   char *err, size_t errlen);

/*
 * Checks and wraps an index image held in memory. With `copy` != 0 the bytes are copied (and
 * the copy aligned); otherwise `data` is borrowed, must be 8-byte aligned and must stay valid
 * until the index is closed. Returns as rk_sweep_index_open().
 */
enum rk_status rk_sweep_index_from_memory(const void *data, size_t len, int copy,
                                          struct rk_sweep_index **out, char *err, size_t errlen);

/*
 * Compiles the builder's indicators into an index held in memory (no file); the builder may be
 * destroyed afterwards. Returns RK_OK or RK_ENOMEM.
 */
enum rk_status rk_sweep_builder_build(struct rk_sweep_builder *b, struct rk_sweep_index **out);

/* Unmaps or frees the index; accepts NULL. */
void rk_sweep_index_close(struct rk_sweep_index *ix);

/* Number of indicators and size of the index image in bytes. */
uint64_t rk_sweep_index_count(const struct rk_sweep_index *ix);
uint64_t rk_sweep_index_size(const struct rk_sweep_index *ix);
/* Number of indicators that carry metadata, and the bytes of the metadata section (0 and 0 for
 * an index without metadata). */
uint64_t rk_sweep_index_meta_count(const struct rk_sweep_index *ix);
uint64_t rk_sweep_index_meta_size(const struct rk_sweep_index *ix);

/* ===== Scanning ===== */

/* One hit, passed to the hit callback. Every pointer is borrowed for the callback only. */
struct rk_sweep_hit {
    const char *file;       /* input name ("-" for stdin); NULL from rk_sweep_scan() */
    uint64_t line;          /* 1-based line number */
    uint64_t offset;        /* byte offset of the token in the (decompressed) input */
    const char *token;      /* the token in canonical form, NUL-terminated */
    const char *indicator;  /* the indicator that matched, canonical, NUL-terminated */
    enum rk_sweep_type type; /* the indicator's type */
    const char *meta;        /* the indicator's metadata (rk_sweep_builder_add_meta), borrowed
                                from the index for as long as it is open; NULL when none */
    /* The whole line the token is on, without its line end ("\n" or "\r\n"); NOT
     * NUL-terminated. Lets a caller take the line's host and time without reading the input
     * again. A line longer than RK_MAX_SWEEP_CHUNK is given as the cut piece it was scanned in. */
    const char *line_text;
    size_t line_len;
};

/* Hit callback; returns 0 to go on, non-zero to stop the sweep. */
typedef int (*rk_sweep_hit_cb)(const struct rk_sweep_hit *hit, void *user_data);

struct rk_sweep_scanner;

/* Returns a new scanner of `ix` (borrowed: must outlive the scanner) in `*out`; free it with
 * rk_sweep_scanner_destroy(). Thread-safety: one scanner per thread. Returns RK_OK/RK_ENOMEM. */
enum rk_status rk_sweep_scanner_create(const struct rk_sweep_index *ix,
                                       struct rk_sweep_scanner **out);
void rk_sweep_scanner_destroy(struct rk_sweep_scanner *s);

/*
 * Scans `len` bytes (whole lines; a last line without a newline counts as a line) and calls
 * `cb` for each hit in order, with line numbers from 1 and offsets from 0. Returns RK_OK, or
 * RK_ECONFLICT when the callback stopped the scan. `lines` (may be NULL) receives the number
 * of lines scanned.
 */
enum rk_status rk_sweep_scan(struct rk_sweep_scanner *s, const char *data, size_t len,
                             rk_sweep_hit_cb cb, void *user_data, uint64_t *lines);

struct rk_sweep_stats;

/* Options of rk_sweep_run(). Zero-initialise, then set what you need. */
struct rk_sweep_options {
    unsigned threads; /* worker threads; 0 means one per CPU this thread may run on */
    int progress;     /* non-zero: print progress on stderr (the caller checks for a TTY) */
    /* Called for each file that cannot be read or is damaged (may be NULL). */
    void (*on_skip)(const char *path, const char *why, void *user_data);
    /* Called (may be NULL) from the calling thread at most every half second and once at the
     * end, with the input bytes read so far (as on disk: compressed bytes for compressed
     * input), their total and the running totals; returns 0 to go on, non-zero to stop the
     * sweep as a hit callback would (rk_sweep_run() then returns RK_ECONFLICT). */
    int (*on_progress)(uint64_t in_done, uint64_t in_total, const struct rk_sweep_stats *sofar,
                       void *user_data);
};

/* Totals of a sweep. */
struct rk_sweep_stats {
    uint64_t bytes;         /* input bytes scanned (after decompression) */
    uint64_t lines;         /* lines scanned */
    uint64_t hits;          /* hits reported */
    uint64_t files;         /* files scanned (stdin counts as one) */
    uint64_t files_skipped; /* unreadable files, unsupported file types */
    uint64_t files_damaged; /* compressed files that ended early or were corrupt, and plain
                               files that shrank while being swept (their readable part was
                               scanned) */
    uint64_t long_tokens;   /* tokens longer than RK_MAX_SWEEP_TOKEN, skipped */
    double seconds;         /* wall-clock time */
    double cpu_seconds;     /* CPU time of the whole process (every thread, user + system)
                               while the sweep ran: the index was already open, so this is
                               the scan's cost alone (benchmarks divide the bytes by it) */
};

/*
 * Sweeps every path (a file, a directory walked recursively, or "-" for stdin), decompressing
 * .gz .zst .bz2 .xz by content, on `opt->threads` threads. `cb` is called from the calling
 * thread, in input order. Unreadable or damaged inputs are counted, reported through
 * `opt->on_skip`, and do not stop the sweep. Returns RK_OK (even when inputs were skipped),
 * RK_ECONFLICT when the callback stopped the sweep, or RK_ENOMEM.
 */
enum rk_status rk_sweep_run(const struct rk_sweep_index *ix, const char *const *paths,
                            size_t npaths, const struct rk_sweep_options *opt,
                            rk_sweep_hit_cb cb, void *user_data, struct rk_sweep_stats *stats);

#endif
