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

/* ===== Lookalike (engines/lookalike) ===== */

/* A DNS name is at most 253 bytes in text form and a label at most 63 (RFC 1035). Longer input
 * cannot be a real name. Policy: the line is skipped with a counted "name too long" warning. */
#define RK_MAX_LOOKALIKE_NAME 253
#define RK_MAX_LOOKALIKE_LABEL 63
/* An input line (domain or URL) longer than this is skipped before any parsing: URLs in feeds
 * are rarely above 2 KiB and the host is all we use. Policy: skipped, counted. */
#define RK_MAX_LOOKALIKE_LINE 8192
/* Brand lists: a list file over 4 MiB, more than 4096 brands, or more than 64 labels, keywords
 * or domains in one brand is a mistake (the default list has about 100 brands). The caps keep
 * the automaton and deletion index small enough to stay in cache. Policy: the load is rejected
 * with RK_ETOOBIG naming the file and line. */
#define RK_MAX_LOOKALIKE_LIST_FILE (4u * 1024u * 1024u)
#define RK_MAX_LOOKALIKE_BRANDS 4096
#define RK_MAX_LOOKALIKE_PER_BRAND 64
#define RK_MAX_LOOKALIKE_LIST_LINE 2048
/* Brand labels and keywords are matched as substrings: 2 to 40 bytes. Shorter ones would match
 * everywhere; longer ones are not names. Policy: rejected with RK_EINVAL and the line. */
#define RK_MIN_LOOKALIKE_TERM 2
#define RK_MAX_LOOKALIKE_TERM 40
/* One SMS text: a concatenated SMS is at most a few hundred characters; 16 KiB leaves room for
 * RCS and pasted e-mail. Policy: the text is skipped with RK_ETOOBIG, counted. */
#define RK_MAX_LOOKALIKE_SMS (16u * 1024u)

#endif
