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

/* ===== Observables (lib/model/obs-*.c) ===== */

/* Longest single observable value, in bytes, as given or as found (a URL is the longest kind;
 * browsers and servers commonly stop at 2-8 KiB). rk_obs_parse() rejects a longer value with
 * RK_ETOOBIG; the extractor does not report a longer URL (it is cut at the limit and the cut
 * value is still reported if it is valid). */
#define RK_MAX_OBS_VALUE 4096u
/* Longest text rk_obs_extract() takes in one call (64 MiB: far beyond any narrative or pasted
 * mail; the CLI reads files in pieces of this size). Policy: RK_ETOOBIG, nothing extracted. */
#define RK_MAX_OBS_TEXT (64u * 1024u * 1024u)
/* Most observables one rk_obs_extract() call returns, so that a hostile text (a megabyte of
 * "1.1.1.1 ") cannot make the list grow without bound. Policy: extraction stops there and the
 * call still returns RK_OK with the first RK_MAX_OBS_ITEMS found. */
#define RK_MAX_OBS_ITEMS 1000000u

/* ===== HTTP server (server/) ===== */

/* Largest request body the API reads. A report with its narrative (RK limits of the model cap a
 * narrative well below this) fits many times over; anything larger is refused before it is
 * buffered. Policy: 413 too_big, the body is discarded, nothing is written. */
#define RK_MAX_HTTP_BODY (1024u * 1024u)
/* Memory libmicrohttpd may use per connection for the request line and headers (plus the read
 * buffer). Browsers send a few KiB of headers; a larger header block is refused by
 * libmicrohttpd with 431/413 and the connection is closed. Policy: reject. */
#define RK_MAX_HTTP_HEADERS (32u * 1024u)
/* Seconds a connection may stay idle (slow-loris defence). Policy: the connection is closed. */
#define RK_MAX_HTTP_IDLE_SECONDS 30u
/* Concurrent connections the server accepts; more wait in the kernel's listen queue until one
 * closes. Policy: refuse (libmicrohttpd closes the excess connection at once). */
#define RK_MAX_HTTP_CONNECTIONS 1024u
/* Worker threads of the pool: more than this gives no gain for a store behind SQLite. */
#define RK_MAX_HTTP_THREADS 64u
/* Captured path parameters ({id}, {tid}) of one route, and the length of each; IDs are UUIDs
 * (36 bytes), so anything longer cannot exist. Policy: the path does not match (404). */
#define RK_MAX_HTTP_PARAMS 4u
#define RK_MAX_HTTP_PARAM_LEN 64u
/* Length of the request path the router considers. Policy: 404. */
#define RK_MAX_HTTP_PATH 1024u
/* Longest query-string value the API parses (search text). Policy: 400 naming the parameter. */
#define RK_MAX_HTTP_QUERY_VALUE 1024u

/* ===== Store, model and audit (lib/store, lib/model, lib/audit) ===== */

/* Database connections the store opens at most; a caller beyond them waits for one to be given
 * back. SQLite in WAL mode serves readers in parallel, and a machine of a few cores gains
 * nothing from more. Policy: wait. */
#define RK_MAX_STORE_CONNS 16
/* Milliseconds a connection waits for the write lock before giving up with RK_EIO. The audit
 * writer keeps its transactions short, so this is only reached under a stuck writer. */
#define RK_STORE_BUSY_TIMEOUT_MS 10000
/* Page cache of each connection, in KiB (SQLite's cache_size as a negative number); 16
 * connections x 32 MiB bounds the caches at 512 MiB. */
#define RK_STORE_CACHE_KIB 32768
/* WAL frames (pages) after which a committing writer checkpoints, once out of the writer gate
 * (SQLite's own default for its automatic checkpoint is the same 1000). */
#define RK_STORE_CHECKPOINT_FRAMES 1000
/* Read events waiting for the audit writer; a reader that finds the queue full waits until the
 * writer has drained it (back-pressure instead of losing events). Policy: wait. */
#define RK_MAX_AUDIT_QUEUE 65536
/* Read events the audit writer appends in one transaction. */
#define RK_MAX_AUDIT_BATCH 4096
/* Text fields of reports and cases, in bytes of UTF-8 (a Japanese character is 3 bytes).
 * A title is one line; a narrative is the 5W1H account, which a long consultation fills in a
 * few thousand characters. Policy: RK_EINVAL naming the field, nothing written. */
#define RK_MAX_TITLE_BYTES 600
#define RK_MAX_NARRATIVE_BYTES (64u * 1024u)
#define RK_MAX_SMS_BYTES 4096
#define RK_MAX_NOTE_BYTES (32u * 1024u)
/* Short text fields: names, kana, city, e-mail, phone, logins' display names. */
#define RK_MAX_SHORT_BYTES 256
/* Logins: [a-z0-9._-], at most this long (fits struct rk_actor.login). */
#define RK_MAX_LOGIN_BYTES 64
/* Passwords: at least the minimum (NIST SP 800-63B asks for 8; we ask a little more), at most
 * the maximum (argon2 needs no more, and a huge password is a cheap DoS). Policy: RK_EINVAL. */
#define RK_MIN_PASSWORD_BYTES 10
#define RK_MAX_PASSWORD_BYTES 256
/* Elements of the arrays of one report or case: URLs, bank accounts, ids in one request.
 * Policy: RK_EINVAL naming the field. */
#define RK_MAX_REPORT_URLS 50
#define RK_MAX_URL_BYTES 2048
#define RK_MAX_BANK_ACCOUNTS 20
#define RK_MAX_IDS_PER_REQUEST 200
/* Largest page of a list; the default is 50. Policy: clamped to the maximum. */
#define RK_MAX_LIST_LIMIT 500
#define RK_DEFAULT_LIST_LIMIT 50
/* A list counts matching rows up to this many: counting every visible report of a million-report
 * store on each page would cost more than the page itself. Policy: "total" stops here and the
 * list says "total_capped": true (the UI shows "10,000+"). */
#define RK_MAX_LIST_COUNT 10000
/* Totals a connection remembers for repeated lists (lib/model/report.c): each is valid only
 * while no report changes, and the table is emptied when it reaches this many. */
#define RK_MAX_LIST_TOTALS 256
/* Reports that the store indexes for two-character search when it opens a database to which
 * another tool added them (e.g. a benchmark's SQL cloner). More than this would delay start-up
 * for minutes. Policy: above it the bigram index is left incomplete and two-character terms use
 * the LIKE path (docs/data-model.md). */
#define RK_MAX_BIGRAM_BACKFILL 50000
/* Largest damage amount in yen (10 兆円): larger is a typo. Policy: RK_EINVAL. */
#define RK_MAX_DAMAGE_YEN 10000000000000LL
/* Session lifetime in seconds (sliding); the expiry is pushed forward at most once per
 * RK_SESSION_REFRESH seconds so that a busy user's requests do not all write. */
#define RK_SESSION_TTL (8 * 3600)
#define RK_SESSION_REFRESH 300
/* Entries of a case timeline / observable "seen in" list returned at once. Policy: truncated
 * (the newest are kept), with "truncated": true in the JSON. */
#define RK_MAX_TIMELINE 500
#define RK_MAX_SEEN_IN 500
/* Size of a reference-data file (data/categories.json, data/workflow.json). Policy: refuse to
 * open the store with a message naming the file. */
#define RK_MAX_REF_FILE (1024u * 1024u)
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

/* Most positions a regex may expand to through its counted repeats ("x{1,60}" counts 60, a
 * group's count multiplies what it holds), and all the regexes of one dictionary file together.
 * Policy: the rule is refused with its file and line. Why: Hyperscan's compile time grows with
 * the expansion (measured: ".{1,60}z" 0.3 s, ".{1,900}z" 7 s, "(.{1,100}){1,100}" 36 s), so one
 * rule, or many, could stall a dictionary load; the shipped rules expand to under 20 each. */
#define RK_MAX_PATROL_REGEX_WEIGHT 64u
#define RK_MAX_PATROL_REGEX_FILE_WEIGHT 1024u

/* Hits kept per record for scoring (a record full of one repeated word would otherwise grow the
 * hit list without bound). Policy: later hits of the record are ignored; the scores already
 * reached are kept, so a record that hits this cap is still reported. */
#define RK_MAX_PATROL_HITS 4096u

/* Invalid UTF-8 offsets remembered per record (the count is always exact). */
#define RK_MAX_PATROL_INVALID_REPORT 8u

/* Evidence spans and rule ids reported per finding. Policy: the rest are counted, not listed. */
#define RK_MAX_PATROL_SPANS 16u
/* ===== Patrol review queue (lib/model/patrol-service.c) ===== */

/* Largest post submitted for checking through the service (a social-media post or a forum
 * message; a whole page goes through `renkei patrol`). Policy: RK_ETOOBIG naming "text". */
#define RK_MAX_PATROL_SUBMIT_BYTES (64u * 1024u)
/* Longest url / post id / posted_at given with a submitted post. Policy: RK_EINVAL naming it. */
#define RK_MAX_PATROL_SUBMIT_FIELD 2048u

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

/* ===== Link-analysis graph (lib/model/graph-service.c) ===== */

/* Deepest neighbourhood a graph query walks. Three hops (case -> value -> other report -> its
 * values) is what an analyst reads on one chart; further out is reached by expanding a node.
 * Policy: a larger depth is rejected with RK_EINVAL naming "depth". */
#define RK_MAX_GRAPH_DEPTH 3
/* Nodes of one answer when the caller does not say. */
#define RK_GRAPH_DEFAULT_NODES 200
/* Most nodes one answer may hold: a browser link chart stays usable up to about a thousand.
 * Policy: a larger limit is rejected with RK_EINVAL naming "limit"; a neighbourhood larger than
 * the limit is cut in breadth-first order and the answer says "truncated": true. */
#define RK_MAX_GRAPH_NODES 1000
/* Entries of the "kinds" and "types" filters. Policy: more are rejected with RK_EINVAL. */
#define RK_MAX_GRAPH_FILTERS 32

/* ===== Access requests (lib/model/access-request.c) ===== */

/* Longest reason for an access request (shown to the holding unit) and longest decision note: a
 * few sentences, like a memo. Policy: rejected with RK_EINVAL naming the field. */
#define RK_MAX_ACCESS_REASON_BYTES 2000u

/* Most objects one access request may concern (those related to its context, held by the target
 * unit, unreadable by the requester). A context linked to more restricted objects of one unit
 * than this is unusual; the request keeps the first ones found and the holding unit can be asked
 * again once these are decided. Policy: truncated. */
#define RK_MAX_ACCESS_REQUEST_OBJECTS 200u

/* Longest a grant may last: one year. Policy: a later expiry is rejected with RK_EINVAL. */
#define RK_MAX_ACCESS_GRANT_SECONDS (366 * 24 * 3600)

/* ===== Store indicators: sweep index metadata, sensor exports (lib/share/export-sensor.c) ===== */

/* Longest "last seen within" filter of the store's indicators, in days (a century): longer is
 * surely a typo. Policy: the filter is rejected with RK_EINVAL naming max_age_days. */
#define RK_MAX_INDICATOR_AGE_DAYS 36500

/* ===== Sweep jobs on a case (lib/model/sweep-job.c, server/api-sweep.c) ===== */

/* Largest single uploaded file of a sweep job (as uploaded, compressed or not). Uploads are
 * streamed to disk beside the database, never held in memory; this caps the disk one request
 * can fill. Policy: the upload is refused with RK_ETOOBIG (HTTP 413) and its partial file
 * removed. Raise it here for sites that sweep larger single files (the CLI has no such cap). */
#define RK_MAX_SWEEP_UPLOAD (8ull * 1024u * 1024u * 1024u)

/* Files of one sweep job (logs and indicator files). Policy: adding more is RK_ETOOBIG. */
#define RK_MAX_SWEEP_JOB_FILES 256u

/* Longest uploaded file name kept (bytes); the name is shown to people, never used as a path.
 * Policy: longer names are refused (RK_EINVAL naming "name"). */
#define RK_MAX_SWEEP_FILE_NAME 255u

/* Sightings written per transaction while a job runs: large enough that commits cost little
 * next to the sweep, small enough that a reader (the progress poll, the case page) never waits
 * long for the writer. */
#define RK_SWEEP_SIGHTING_BATCH 2000u

/* Longest host and token kept on a sighting (bytes); longer values are cut at this length. */
#define RK_MAX_SIGHTING_HOST  255u
#define RK_MAX_SIGHTING_TOKEN 2048u

/* ===== Store indicators: sweep index metadata, exports for sensors (lib/share/export-sensor.c) ===== */

/* Longest metadata string of one indicator in a sweep index (its TLP and case references:
 * room for about 300 references). Policy: the indicator is rejected with RK_ETOOBIG. */
#define RK_MAX_SWEEP_META 4096u

/* Largest export held in memory (all its files together); ten million indicators of a typical
 * mix take well under this. Policy: the export fails with RK_ETOOBIG and nothing is written. */
#define RK_MAX_EXPORT_BYTES (1024ull * 1024u * 1024u)

/* Default first Suricata sid: inside the range 1,000,000–1,999,999 that the sid allocation list
 * keeps for local rules, high enough to stay clear of a unit's hand-written ones. */
#define RK_EXPORT_SID_BASE_DEFAULT 1900000

/* ===== Confirmed groups and actors (lib/model/group-service.c) ===== */

/* Longest group or actor name, alias and actor note, in bytes (UTF-8: about 70 kanji for a
 * name). Policy: the request is rejected with RK_EINVAL naming the field. */
#define RK_MAX_GROUP_NAME 200u
#define RK_MAX_GROUP_ALIAS 200u
#define RK_MAX_ACTOR_NOTES (32u * 1024u)
/* Most aliases of one group or actor. Policy: rejected with RK_EINVAL naming "aliases". */
#define RK_MAX_GROUP_ALIASES 32u
/* Most members named in one request (confirm, split, add/remove) and most members of one group:
 * a group an analyst names is tens of reports, and the ties are recomputed over every member at
 * each change. Policy: rejected with RK_ETOOBIG naming "members". */
#define RK_MAX_GROUP_MEMBERS 2000u

/* ===== Lookalike review (lib/model/lookalike-service.c) ===== */

/* Largest block of candidate lines pasted into the review page or posted to the API (a watched
 * feed goes through `renkei lookalike --watch`, which cuts it into batches of its own). Policy:
 * RK_ETOOBIG naming "text". */
#define RK_MAX_LOOKALIKE_SUBMIT_BYTES (256u * 1024u)
#define RK_MAX_LOOKALIKE_SUBMIT_LINES 2000u
/* Longest source name (a feed file's name) kept with a match. Policy: RK_EINVAL naming it. */
#define RK_MAX_LOOKALIKE_SOURCE 512u
/* Skipped lines listed (with their reason) in a submit's answer; the rest are only counted. */
#define RK_MAX_LOOKALIKE_SKIPS_LISTED 20u
/* Longest target organisation / note on a takedown record or a decision. */
#define RK_MAX_LOOKALIKE_TARGET_ORG 512u

#endif
