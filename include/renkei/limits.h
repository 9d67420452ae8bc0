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

#endif
