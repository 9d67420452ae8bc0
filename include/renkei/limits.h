/*
 * Every named limit of Renkei, with the reason for its value and what happens when it is hit.
 * Parsers check a length against these before buffering, and check for overflow before
 * arithmetic. Parts of the tree add their limits here, in their own section.
 */
#ifndef RENKEI_LIMITS_H
#define RENKEI_LIMITS_H

/* ===== Buffers ===== */

/* Default cap of an rk_buf created with toobig = 0: large enough for any single JSON document
 * the API accepts, small enough that a runaway append fails instead of exhausting memory.
 * Policy: the append is rejected with RK_ETOOBIG. */
#define RK_MAX_BUF_DEFAULT (64u * 1024u * 1024u)

/* ===== Sweep (engines/sweep) ===== */

/* Longest indicator value (canonical form). URLs longer than this are rare and are almost
 * always tracking junk; the length also fits the index record's 16-bit length field.
 * Policy: the indicator is rejected (counted as skipped by the loaders). */
#define RK_MAX_SWEEP_INDICATOR 2048u

/* Most indicators in one index: the record offsets are 32-bit words (16 GiB of records) and the
 * slot table is sized for this many. Policy: adding more fails with RK_ETOOBIG. */
#define RK_MAX_SWEEP_INDICATORS (256u * 1024u * 1024u)

/* Longest token the extractor canonicalises; a longer run of token bytes (a 10 MB line of
 * base64, say) cannot be a host, address, URL, hash or e-mail. Policy: skipped and counted. */
#define RK_MAX_SWEEP_TOKEN 4096u

/* Bytes of input a worker scans at once. Large enough that hand-off costs vanish, small enough
 * that two workers and the reader fit in the caches' shadow. A line longer than this is cut at a
 * delimiter (or, failing one, anywhere) and its pieces are scanned in order. */
#define RK_MAX_SWEEP_CHUNK (4u * 1024u * 1024u)

/* Largest indicator file the loaders read into memory (a 10M-indicator feed is ~400 MB).
 * Policy: the file is rejected with RK_ETOOBIG. */
#define RK_MAX_SWEEP_FEED (4ull * 1024u * 1024u * 1024u)

/* Deepest directory nesting a sweep descends into (symlink loops are not followed at all).
 * Policy: deeper directories are skipped and reported. */
#define RK_MAX_SWEEP_DEPTH 64u

#endif
