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

/* ===== Patrol (engines/patrol) ===== */

/* Largest record (one post, one line, one chunk of a long line) handed to the normaliser in one
 * call. Offsets in the normalised-to-original map are 32-bit, so this must stay far below 4 GiB.
 * Policy: rk_patrol_normalise() rejects a longer input with RK_ETOOBIG; the CLI never hands it
 * one because it cuts long lines into RK_PATROL_CHUNK pieces first. */
#define RK_MAX_PATROL_RECORD (16u * 1024u * 1024u)

/* A line of plain text longer than this is scanned as overlapping chunks of this size, so a
 * 100 MB single line is handled in bounded memory. */
#define RK_PATROL_CHUNK (256u * 1024u)

/* Bytes that consecutive chunks of one long line share, so that a phrase cut by a chunk
 * boundary is still seen whole by one of them: longer than any pattern plus its context window.
 * A finding whose evidence lies wholly in the shared part is reported once, by the first chunk. */
#define RK_PATROL_OVERLAP (4u * 1024u)

/* Longest JSON line (one post) accepted. jansson needs the whole document in memory, so a longer
 * line cannot be chunked. Policy: the line is skipped and reported as an input error. */
#define RK_MAX_PATROL_JSON_LINE (8u * 1024u * 1024u)

/* Largest HTML file read (it is stripped of tags as a whole). Policy: rejected as an input error. */
#define RK_MAX_PATROL_HTML (64u * 1024u * 1024u)

/* Largest dictionary file and most rules in a dictionary. Policy: the load fails with the file
 * name, so a runaway generator cannot make the compiler eat the machine. */
#define RK_MAX_PATROL_DICT_FILE (8u * 1024u * 1024u)
#define RK_MAX_PATROL_RULES 100000u

/* Longest pattern (bytes, before normalisation) and longest line of a dictionary file. */
#define RK_MAX_PATROL_PATTERN 1024u

/* Hits kept per record for scoring (a record full of one repeated word would otherwise grow the
 * hit list without bound). Policy: later hits of the record are ignored; the scores already
 * reached are kept, so a record that hits this cap is still reported. */
#define RK_MAX_PATROL_HITS 4096u

/* Invalid UTF-8 offsets remembered per record (the count is always exact). */
#define RK_MAX_PATROL_INVALID_REPORT 8u

/* Evidence spans and rule ids reported per finding. Policy: the rest are counted, not listed. */
#define RK_MAX_PATROL_SPANS 16u

#endif
