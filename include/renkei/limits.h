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

/* ===== Correlation (lib/correlate) ===== */

/* Longest canonical value indexed. Values longer than this (a 4 KiB URL is already unusual)
 * are rejected by rk_corr_index_put() with RK_EINVAL; the lengths fit in 16 bits. */
#define RK_MAX_CORR_VALUE 4096u
/* Longest object or unit id (UUIDs are 36 bytes). Policy: rejected with RK_EINVAL. */
#define RK_MAX_CORR_ID 128u
/* Distinct type names in one index; the type is stored in one byte. Policy: RK_EINVAL. */
#define RK_MAX_CORR_TYPES 64u
/* Values of one object after expansion (a report rarely has more than a few hundred).
 * Policy: the put is rejected with RK_ETOOBIG and the object keeps its previous values. */
#define RK_MAX_CORR_OBJECT_VALUES 65536u
/* Objects in one index: posting entries pack the object number in 29 bits. Policy: RK_ETOOBIG. */
#define RK_MAX_CORR_OBJECTS (1u << 29)
/* Default over-correlation cap: a value held by more objects than this links nothing and is
 * reported as "too common". 500 keeps a related query under a few milliseconds even when a
 * report is full of common values, and no real group spans 500 reports through one value. */
#define RK_CORR_DEFAULT_CAP 500u
/* Highest configurable cap. Policy: rk_corr_index_create/set_cap reject a larger one. */
#define RK_MAX_CORR_CAP 1000000u
/* Most hits a related query returns. Policy: a larger limit is lowered to this. */
#define RK_MAX_CORR_HITS 1000u
/* Ties listed for one group. Policy: the weakest are left out. */
#define RK_MAX_CORR_TIES 8u
/* Objects flagged for one confirmed group. Policy: the list is truncated. */
#define RK_MAX_CORR_FLAGGED 200u
/* MinHash functions of a narrative signature (16 LSH bands of 4 rows). */
#define RK_CORR_MINHASH 64u
/* Largest warninglist file. Policy: RK_ETOOBIG before reading. */
#define RK_MAX_CORR_WL_FILE (64u * 1024u * 1024u)
/* Longest line of a warninglist file. Policy: RK_EINVAL naming file and line. */
#define RK_MAX_CORR_WL_LINE 1024u

#endif
