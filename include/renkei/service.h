/*
 * The service API of librenkei: everything the server and the CLI may do with the store. Each
 * function takes the caller's identity (`struct rk_actor`), checks it against the need-to-know
 * rules of lib/share (the one place where TLP, scope and role are decided), writes an audit
 * event for every write and every read of report or case data, and exchanges JSON (jansson)
 * in the shapes documented in docs/api.md. The server holds no business logic: a handler
 * parses the request, calls one function here and renders the result.
 *
 * Conventions for every function below unless it says otherwise:
 * - Returns RK_OK, or an error with `err` filled: RK_EINVAL (err->field names the offending
 *   JSON field, e.g. "narrative" or "observables[2].role"), RK_ETOOBIG, RK_ENOTFOUND,
 *   RK_EFORBIDDEN, RK_ECONFLICT (a transition the workflow forbids), RK_EAUTH, RK_EIO, RK_ENOMEM.
 *   On error nothing was written (every multi-row change runs in one transaction).
 * - `in` is borrowed. `*out` is a new reference the caller releases with json_decref(); it is
 *   set only on RK_OK. `err` may be NULL.
 * - IDs are UUID strings. Times are RFC 3339 UTC strings ("2026-11-21T23:40:00Z").
 * - Unknown fields in `in` are rejected (RK_EINVAL naming the field), so typos never pass
 *   silently.
 * - Thread-safety: a `struct rk_store` may be used from many threads at once.
 */
#ifndef RENKEI_SERVICE_H
#define RENKEI_SERVICE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "renkei/status.h"

struct rk_store;

enum rk_role {
    RK_ROLE_STATION = 1, /* 警察署 officer: files reports, sees its own station's */
    RK_ROLE_ANALYST,     /* HQ cyber division analyst */
    RK_ROLE_SUPERVISOR,  /* approves (決裁), sees dashboards */
    RK_ROLE_ADMIN,       /* manages users and units */
    RK_ROLE_PARTNER,     /* outside organisation: never sees case or report data */
    RK_ROLE_PEER,        /* federated instance (later) */
};

/* "station", "analyst", "supervisor", "admin", "partner", "peer"; NULL for an invalid role. */
const char *rk_role_name(enum rk_role r);
/* The inverse; 0 for an unknown name. */
enum rk_role rk_role_from_name(const char *name);

/* The caller's identity: who is asking, from which org unit, in which role. */
struct rk_actor {
    char user_id[37]; /* UUID, or "system" for the CLI acting as the installation itself */
    char unit_id[37]; /* the user's org unit */
    char login[65];
    enum rk_role role;
};

/* Detail of a failure, for a JSON error {"error":{"code","message","field"}}. */
struct rk_error {
    int code;          /* enum rk_status */
    char field[96];    /* the offending input field, "" when not about one field */
    char message[256]; /* English, no case data, no secrets */
};

/* Fills `a` with the identity the CLI uses for administration (user_id "system", role admin). */
void rk_actor_system(struct rk_actor *a);

/* ===== Store ===== */

/*
 * Opens (creating if needed) the SQLite database at `path` and brings its schema up to the
 * newest migration. Returns a new handle; the caller closes it with rk_store_close().
 */
enum rk_status rk_store_open(const char *path, struct rk_store **out, struct rk_error *err);
/* Closes the store; accepts NULL. */
void rk_store_close(struct rk_store *s);

/* ===== Sessions, log-in and API keys ===== */

/* A log-in session. The token goes in an HttpOnly cookie; the CSRF token must come back in the
 * X-CSRF-Token header of every state-changing request. */
struct rk_session {
    char token[65];      /* secret; only its hash is stored */
    char csrf[65];       /* per-session CSRF token */
    int64_t expires_at;  /* Unix seconds */
    struct rk_actor actor;
};

/* Checks a password (argon2id) and creates a session. RK_EAUTH for an unknown login, a wrong
 * password or a disabled user (one message for all three). `client` is the peer address, for
 * the audit log. */
enum rk_status rk_auth_login(struct rk_store *s, const char *login, const char *password,
                             const char *client, struct rk_session *out, struct rk_error *err);
/* Resolves a session token (sliding expiry). RK_EAUTH when unknown or expired. */
enum rk_status rk_auth_session(struct rk_store *s, const char *token, struct rk_session *out);
/* Ends a session; RK_OK even when it did not exist. */
enum rk_status rk_auth_logout(struct rk_store *s, const char *token);
/* Resolves an API key ("Authorization: Bearer <key>"). RK_EAUTH when unknown or revoked. */
enum rk_status rk_auth_apikey(struct rk_store *s, const char *key, struct rk_actor *out);

/* ===== Org units, users, API keys ===== */

enum rk_status rk_unit_list(struct rk_store *s, const struct rk_actor *who, json_t **out,
                            struct rk_error *err);
enum rk_status rk_unit_create(struct rk_store *s, const struct rk_actor *who, json_t *in,
                              json_t **out, struct rk_error *err);
enum rk_status rk_user_list(struct rk_store *s, const struct rk_actor *who, json_t **out,
                            struct rk_error *err);
enum rk_status rk_user_get(struct rk_store *s, const struct rk_actor *who, const char *id,
                           json_t **out, struct rk_error *err);
/* `in`: {"login","password","name","role","unit_id"}. */
enum rk_status rk_user_create(struct rk_store *s, const struct rk_actor *who, json_t *in,
                              json_t **out, struct rk_error *err);
/* `in`: any of {"name","role","unit_id","disabled","password"}. */
enum rk_status rk_user_update(struct rk_store *s, const struct rk_actor *who, const char *id,
                              json_t *in, json_t **out, struct rk_error *err);
/* Finds a user id by login (for the CLI). */
enum rk_status rk_user_find(struct rk_store *s, const struct rk_actor *who, const char *login,
                            json_t **out, struct rk_error *err);
/* `in`: {"name"}. `*out` holds {"id","name","key"}; the key is shown once and stored hashed. */
enum rk_status rk_apikey_create(struct rk_store *s, const struct rk_actor *who, json_t *in,
                                json_t **out, struct rk_error *err);
enum rk_status rk_apikey_revoke(struct rk_store *s, const struct rk_actor *who, const char *id,
                                struct rk_error *err);

/* ===== Reference data (categories, intake types, channels, workflow, TLP, scopes) ===== */

/* Everything a form needs, with ja/en labels: {"categories":[...],"intake_types":[...],
 * "channels":[...],"reporter_types":[...],"report_states":[...],"case_states":[...],
 * "tlp":[...],"scopes":[...],"observable_roles":[...]}. No identity needed beyond a valid one. */
enum rk_status rk_ref_get(struct rk_store *s, const struct rk_actor *who, json_t **out,
                          struct rk_error *err);

/* ===== Reports (通報・相談) ===== */

/* Search and filters for rk_report_list(); NULL / 0 fields are not filtered on. */
struct rk_report_query {
    const char *q;        /* Japanese substring search over narrative and title */
    const char *category; /* category code */
    const char *status;   /* state code */
    const char *unit_id;  /* receiving station */
    const char *from;     /* received_at >= (RFC 3339 or YYYY-MM-DD) */
    const char *to;       /* received_at < */
    int limit;            /* default 50, max 500 */
    int offset;
};

enum rk_status rk_report_create(struct rk_store *s, const struct rk_actor *who, json_t *in,
                                json_t **out, struct rk_error *err);
enum rk_status rk_report_get(struct rk_store *s, const struct rk_actor *who, const char *id,
                             json_t **out, struct rk_error *err);
/* `*out` = {"items":[report summaries],"total":N,"limit":L,"offset":O}. */
enum rk_status rk_report_list(struct rk_store *s, const struct rk_actor *who,
                              const struct rk_report_query *q, json_t **out, struct rk_error *err);
enum rk_status rk_report_update(struct rk_store *s, const struct rk_actor *who, const char *id,
                                json_t *in, json_t **out, struct rk_error *err);
/* `in`: {"to": state code, "comment": optional}. RK_ECONFLICT for a forbidden transition. */
enum rk_status rk_report_transition(struct rk_store *s, const struct rk_actor *who,
                                    const char *id, json_t *in, json_t **out,
                                    struct rk_error *err);

/* ===== Cases (事案・事件) ===== */

struct rk_case_query {
    const char *q;
    const char *status;
    const char *unit_id; /* lead unit */
    int limit;
    int offset;
};

enum rk_status rk_case_create(struct rk_store *s, const struct rk_actor *who, json_t *in,
                              json_t **out, struct rk_error *err);
enum rk_status rk_case_get(struct rk_store *s, const struct rk_actor *who, const char *id,
                           json_t **out, struct rk_error *err);
enum rk_status rk_case_list(struct rk_store *s, const struct rk_actor *who,
                            const struct rk_case_query *q, json_t **out, struct rk_error *err);
enum rk_status rk_case_update(struct rk_store *s, const struct rk_actor *who, const char *id,
                              json_t *in, json_t **out, struct rk_error *err);
enum rk_status rk_case_transition(struct rk_store *s, const struct rk_actor *who, const char *id,
                                  json_t *in, json_t **out, struct rk_error *err);
/* `in`: {"report_ids":[...]} */
enum rk_status rk_case_add_reports(struct rk_store *s, const struct rk_actor *who,
                                   const char *id, json_t *in, json_t **out,
                                   struct rk_error *err);
/* `in`: {"title","assignee_id"?,"due"?} / {"title"?,"done"?,"assignee_id"?,"due"?} */
enum rk_status rk_case_task_add(struct rk_store *s, const struct rk_actor *who,
                                const char *case_id, json_t *in, json_t **out,
                                struct rk_error *err);
enum rk_status rk_case_task_update(struct rk_store *s, const struct rk_actor *who,
                                   const char *case_id, const char *task_id, json_t *in,
                                   json_t **out, struct rk_error *err);
/* `in`: {"text"} */
enum rk_status rk_case_note_add(struct rk_store *s, const struct rk_actor *who,
                                const char *case_id, json_t *in, json_t **out,
                                struct rk_error *err);
/* `in`: {"value","type"?,"role"}: the value is parsed and canonicalised (renkei/obs.h). */
enum rk_status rk_case_observable_link(struct rk_store *s, const struct rk_actor *who,
                                       const char *case_id, json_t *in, json_t **out,
                                       struct rk_error *err);
enum rk_status rk_case_observable_unlink(struct rk_store *s, const struct rk_actor *who,
                                         const char *case_id, const char *observable_id,
                                         struct rk_error *err);
/* `in`: {"case_id","relation"} (relation: "related", "joint", "duplicate", "parent") */
enum rk_status rk_case_link_case(struct rk_store *s, const struct rk_actor *who,
                                 const char *case_id, json_t *in, json_t **out,
                                 struct rk_error *err);

/* ===== Approvals (起案 / 決裁) ===== */

/* Pending approvals the caller may decide. */
enum rk_status rk_approval_list(struct rk_store *s, const struct rk_actor *who, json_t **out,
                                struct rk_error *err);
/* `in`: {"decision":"approve"|"reject","comment"?} */
enum rk_status rk_approval_decide(struct rk_store *s, const struct rk_actor *who, const char *id,
                                  json_t *in, json_t **out, struct rk_error *err);

/* ===== Observables ===== */

struct rk_obs_query {
    const char *q;    /* prefix or substring of the canonical value */
    const char *type; /* observable type name */
    int limit;
    int offset;
};

/* `*out` includes "seen_in": {"reports":[...],"cases":[...]}; a case the caller may not read
 * appears only as {"restricted":true,"unit":{"id","name"}}. */
enum rk_status rk_observable_get(struct rk_store *s, const struct rk_actor *who, const char *id,
                                 json_t **out, struct rk_error *err);
enum rk_status rk_observable_list(struct rk_store *s, const struct rk_actor *who,
                                  const struct rk_obs_query *q, json_t **out,
                                  struct rk_error *err);
/* Extraction for the live intake preview: no store access, nothing audited.
 * `*out` = {"observables":[{"type","value","canonical","display"?,"offset","length"}]}. */
enum rk_status rk_observable_preview(const char *text, size_t len, json_t **out,
                                     struct rk_error *err);

/* ===== Audit ===== */

/* Checks the hash chain. `*out` = {"ok":bool,"events":N,"first_broken":id or null,"reason"}. */
enum rk_status rk_audit_verify(struct rk_store *s, json_t **out, struct rk_error *err);
/* Recent audit events (supervisor, admin). */
enum rk_status rk_audit_list(struct rk_store *s, const struct rk_actor *who, int limit,
                             int offset, json_t **out, struct rk_error *err);

/* ===== Demo data ===== */

/* Progress callback for long work: done of total. */
typedef void (*rk_progress_cb)(uint64_t done, uint64_t total, void *user_data);

/* Fills an empty store with the fictional demo data set (units, users, reports, cases).
 * `*out` = {"logins":[{"login","password","role","unit"}], "reports":N, "cases":M}. */
enum rk_status rk_demo_generate(struct rk_store *s, uint64_t seed, int reports,
                                rk_progress_cb progress, void *user_data, json_t **out,
                                struct rk_error *err);
/* The fixed demo log-ins, [{"login","password","role","unit"}], without a store (for
 * `renkei demo --logins`). Returns RK_OK or RK_ENOMEM; `*out` is a new reference. */
enum rk_status rk_demo_logins(json_t **out);

/* ===== Correlation (lib/model/correlate-service.c; docs/correlation.md) ===== */

/*
 * The reports and cases related to a report / a case / a value, ranked and explained, from the
 * store's correlation index (kept in the store's corr_* tables and loaded from them on first
 * use, built there if they are empty; kept current from the audit chain). `*out` =
 * {"of":{"kind","id"}|null,"items":[hit],"suppressed":[{"type","value","noise","reason"}],
 * "warninglists":N} where a hit is a report or case brief plus {"kind","score",
 * "text_similarity","explanation","shared":[{"type","value","relation","other_relation",
 * "weight"}]}, or, for objects the caller may not read, only
 * {"restricted":true,"kind","unit":{"id","name"},"count"}. Report/case: RK_ENOTFOUND or
 * RK_EFORBIDDEN as for rk_report_get / rk_case_get. Partners and admins: RK_EFORBIDDEN (the
 * CLI's system actor reads everything). Every readable hit is audited as a read.
 */
enum rk_status rk_correlate_report(struct rk_store *s, const struct rk_actor *who, const char *id,
                                   json_t **out, struct rk_error *err);
enum rk_status rk_correlate_case(struct rk_store *s, const struct rk_actor *who, const char *id,
                                 json_t **out, struct rk_error *err);
/* "Where else is this value?" `type` may be NULL (detected); the value is parsed and
 * canonicalised (renkei/obs.h): RK_EINVAL naming "value" or "type" when it is not valid. `*out`
 * as above with "of":null and "value":{"type","canonical","observable_id"|null}. A station
 * officer gets RK_EFORBIDDEN unless something they may read holds the value. */
enum rk_status rk_correlate_value(struct rk_store *s, const struct rk_actor *who,
                                  const char *type, const char *value, json_t **out,
                                  struct rk_error *err);
/* The same for a stored observable by id (RK_ENOTFOUND when unknown). */
enum rk_status rk_correlate_observable(struct rk_store *s, const struct rk_actor *who,
                                       const char *id, json_t **out, struct rk_error *err);
/* Recomputes the whole index from the store into the corr_* tables (the system actor only).
 * Idempotent: the tables end the same however often it runs. Commits in batches with a cursor:
 * after an interruption (kill -9 included) the next call resumes where it stopped and ends with
 * the tables of an uninterrupted run. `progress` (may be NULL) gets objects done of total (the
 * first call gives the objects already done by an interrupted run). `*out` = {"objects",
 * "values","postings","texts","memory_bytes","warninglists","warninglist_dir","resumed"}. */
enum rk_status rk_correlate_rebuild(struct rk_store *s, const struct rk_actor *who,
                                    rk_progress_cb progress, void *user_data, json_t **out,
                                    struct rk_error *err);

/* ===== Cyber-patrol review queue (lib/model/patrol-service.c; docs/api.md) ===== */

/*
 * Analysts and supervisors only; every other role gets RK_EFORBIDDEN. A finding renders as
 * {"id","url","post_id","posted_at","text","category","category_label","score",
 * "spans":[{"start","end"}] (byte offsets into "text", UTF-8),"rule_ids":[...],
 * "unit":{"id","name"},"created_by":{"id","name"},"created_at","status":"open"|"decided",
 * "decision","decided_by","decided_at","comment"} (the last four null while open).
 */

/* Checks one post with the patrol engine (the dictionary of RENKEI_PATROL_DICT, else the
 * built-in directory; compiled once per store on first use) and stores each finding, audited as
 * a create. `in`: {"text" (required, at most RK_MAX_PATROL_SUBMIT_BYTES), "url"?, "id"?,
 * "posted_at"?}. `*out` = {"findings":[finding]} (empty when the post is clean). RK_EIO when the
 * dictionary cannot be loaded (the message names its file and line). */
enum rk_status rk_patrol_submit(struct rk_store *s, const struct rk_actor *who, json_t *in,
                                json_t **out, struct rk_error *err);

struct rk_patrol_query {
    const char *status;   /* "open" (default) or "decided" */
    const char *category; /* a category key, e.g. "drugs.sale" */
    int limit;            /* default 50, max RK_MAX_LIST_LIMIT */
    int offset;
};
/* Findings ranked by score (highest first). `*out` = {"items":[finding],"total","limit",
 * "offset"}. RK_EINVAL naming "status" for an unknown status. */
enum rk_status rk_patrol_list(struct rk_store *s, const struct rk_actor *who,
                              const struct rk_patrol_query *q, json_t **out, struct rk_error *err);
/* One finding (RK_ENOTFOUND when unknown). */
enum rk_status rk_patrol_get(struct rk_store *s, const struct rk_actor *who, const char *id,
                             json_t **out, struct rk_error *err);
/* Records the review decision, audited. `in`: {"decision": "deletion_request" (削除依頼) |
 * "case_review" (事件化検討) | "warning_post" (警告投稿) | "not_applicable" (非該当),
 * "comment"?}. RK_ECONFLICT when the finding is already decided. A deletion_request is recorded
 * only: no deletion-request tracker exists yet. `*out` = the finding. */
enum rk_status rk_patrol_decide(struct rk_store *s, const struct rk_actor *who, const char *id,
                                json_t *in, json_t **out, struct rk_error *err);
/* Counts per category and decision. `*out` = {"items":[{"category","category_label","open",
 * "deletion_request","case_review","warning_post","not_applicable","total"}],"total":N}. */
enum rk_status rk_patrol_stats(struct rk_store *s, const struct rk_actor *who, json_t **out,
                               struct rk_error *err);

/* ===== Link-analysis graph (lib/model/graph-service.c; docs/correlation.md "Graph") ===== */

/* A neighbourhood query; NULL / 0 fields take their defaults. */
struct rk_graph_query {
    const char *node;  /* the start: "report:ID", "case:ID", "observable:ID", "account:ID" or
                          "group:ID" (a confirmed or candidate group id of rk_group_list) */
    int depth;         /* hops from the start, 1..RK_MAX_GRAPH_DEPTH; 0 means 1 */
    const char *kinds; /* comma-separated node kinds to keep ("report,case,observable,account,
                          group"); NULL or "" keeps all, with confirmed groups only (candidate
                          groups cost a whole-store clustering, so they come only when "group"
                          is named). Other kinds are neither shown nor walked through. */
    const char *types; /* comma-separated observable types (renkei/obs.h names) to keep */
    const char *from;  /* time window, RFC 3339 or YYYY-MM-DD, "from" inclusive, "to" exclusive: */
    const char *to;    /* report received_at, case opened (created_at), value first..last seen */
    int limit;         /* most nodes, 1..RK_MAX_GRAPH_NODES; 0 means RK_GRAPH_DEFAULT_NODES */
    int suppressed;    /* nonzero: show values in a warninglist or held by more than
                          RK_CORR_DEFAULT_CAP reports and cases as nodes marked "suppressed"
                          (never walked through); zero leaves them out */
};

/*
 * The neighbourhood of one node for the link chart. `*out` = {"start":node id,"depth",
 * "truncated":bool,"nodes":[{"id","kind","label","type","time", ...}],"edges":[{"id","source",
 * "target","kind","role"?}]}. Node ids are "<kind>:<id>"; a report or case the caller may not
 * read is {"id":"restricted:<opaque>","kind","restricted":true,"unit":{"id","name"}} (no id,
 * title, reference or time) and is never walked through, so its other values stay hidden.
 * Observables of the types phone, bank-account and crypto-wallet are of kind "account".
 * RK_EINVAL naming "node", "depth", "kinds", "types", "from", "to" or "limit"; RK_ENOTFOUND /
 * RK_EFORBIDDEN for the start as for the object's own get. Partners and admins: RK_EFORBIDDEN.
 * Every readable node returned is audited as a read ("graph").
 */
enum rk_status rk_graph_neighbourhood(struct rk_store *s, const struct rk_actor *who,
                                      const struct rk_graph_query *q, json_t **out,
                                      struct rk_error *err);

/* ===== Access requests (lib/model/access-request.c; docs/access.md "Asking for access") ===== */

/*
 * A user who sees a restricted entry ("a case held by 〇〇署") asks the holding unit for access.
 * The request names its context, never the hidden object: the report, case or observable the
 * requester may read and was working on, the holding unit, and the kind of object. Police roles
 * only (station, analyst, supervisor); others get RK_EFORBIDDEN.
 *
 * A request renders as {"id","status":"pending"|"granted"|"partly_granted"|"refused"|
 * "withdrawn","context":{"kind","id"?,"ref"?,"title"?,"type"?,"canonical"?,"restricted"?},
 * "unit":{"id","name"},"kind":"report"|"case","reason","requester":{"id","name"},
 * "requester_unit":{"id","name"},"created_at","decided_by":{"id","name"}|null,"decided_at",
 * "decision_note","objects_count"}; the context's details only when the caller may read it.
 * rk_access_request_get() adds, for a member of the holding unit, "objects":[brief + "kind",
 * "readable" (by the caller), "granted", "expires_at"] — the objects it concerns — and for the
 * requester "granted":[brief + "kind","expires_at"] of the objects it may now read.
 */

/* Creates a request, audited. `in`: {"context_kind":"report"|"case"|"observable","context_id",
 * "unit_id","kind":"report"|"case","reason" (required, at most RK_MAX_ACCESS_REASON_BYTES)}.
 * RK_ENOTFOUND / RK_EFORBIDDEN (field "context_id") when the caller may not read the context;
 * RK_EINVAL naming "unit_id" when that unit holds no object of that kind, related to the
 * context, that the caller may not read (so the request cannot be used to probe);
 * RK_ECONFLICT when the same request is already pending. `*out` = the request. */
enum rk_status rk_access_request_create(struct rk_store *s, const struct rk_actor *who, json_t *in,
                                        json_t **out, struct rk_error *err);

struct rk_access_request_query {
    const char *box;    /* "incoming" (to the caller's unit) or "outgoing" (the caller's own) */
    const char *status; /* optional filter */
    int limit;          /* default 50, max RK_MAX_LIST_LIMIT */
    int offset;
};
/* Newest first. `*out` = {"items":[request],"total","limit","offset"}. RK_EINVAL naming "box"
 * or "status" for an unknown value. */
enum rk_status rk_access_request_list(struct rk_store *s, const struct rk_actor *who,
                                      const struct rk_access_request_query *q, json_t **out,
                                      struct rk_error *err);
/* One request, for its requester or a member of the holding unit (else RK_ENOTFOUND). */
enum rk_status rk_access_request_get(struct rk_store *s, const struct rk_actor *who, const char *id,
                                     json_t **out, struct rk_error *err);
/* The holding unit's answer, by one of its members, audited (one event for the decision and one
 * per grant). `in`: {"decision":"grant"|"refuse","object_ids":[...]? (grant: a subset of the
 * request's objects, default all of them),"expires_at"? (grant: RFC 3339 or YYYY-MM-DD, in the
 * future, at most RK_MAX_ACCESS_GRANT_SECONDS ahead),"note"? (required to refuse)}. The decider
 * must be able to read every object granted (RK_EFORBIDDEN naming "object_ids[i]"). RK_ECONFLICT
 * when the request is no longer pending. `*out` = the request. */
enum rk_status rk_access_request_decide(struct rk_store *s, const struct rk_actor *who,
                                        const char *id, json_t *in, json_t **out,
                                        struct rk_error *err);
/* The requester withdraws a pending request, audited (RK_ECONFLICT when decided). */
enum rk_status rk_access_request_withdraw(struct rk_store *s, const struct rk_actor *who,
                                          const char *id, json_t **out, struct rk_error *err);
/* A member of the holding unit ends, now, every grant of a decided request that is still in
 * force (their expiry becomes now), audited. RK_ECONFLICT when the request is pending or none of
 * its grants is in force. `*out` = the request. */
enum rk_status rk_access_request_revoke(struct rk_store *s, const struct rk_actor *who,
                                        const char *id, json_t **out, struct rk_error *err);

/* ===== Exports for sensors (lib/share/export-sensor.c; docs/sweep.md "Exports for sensors") =====
 */

/* ===== Sweep jobs and sightings (lib/model/sweep-job.c; docs/sweep.md "In Renkei") ===== */

/*
 * A sweep job sweeps log files against indicators for one case and records every hit as a
 * sighting of an observable in that case. Jobs live in the store (status uploading -> queued ->
 * running -> done | failed | cancelled) and their uploaded files in a directory beside the
 * database ("<db>.sweep/<job id>/"). A job's JSON: {"id","case_id","status","source",
 * "created_by":{"id","name"},"created_at","started_at","finished_at","bytes_total",
 * "bytes_done","bytes_scanned","lines","hits","files","files_skipped","files_damaged",
 * "skipped":[{"file","reason"}],"indicators","error","cancel_requested","mb_per_s",
 * "inputs":[{"kind","name","bytes","sha256"}]}.
 *
 * Who: the caller must be allowed to work on the case (the case write permission and the case
 * readable to it, as for adding a note); otherwise RK_EFORBIDDEN / RK_ENOTFOUND as for
 * rk_case_get. Every read is audited, every write appends an audit event in its transaction.
 */

/* Creates a job on a case, status "uploading". `in`: {} (no fields yet; unknown ones are
 * refused). `*out` = the job. */
enum rk_status rk_sweep_job_create(struct rk_store *s, const struct rk_actor *who,
                                   const char *case_id, json_t *in, json_t **out,
                                   struct rk_error *err);

/* An upload of one file into a job, streamed to disk. */
struct rk_sweep_upload;

/*
 * Starts an upload into job `job_id` (which must be "uploading"): `kind` "log" or "indicators"
 * (an indicator file of any format of `renkei sweep compile`), `name` the file's name as the
 * uploader calls it (1..RK_MAX_SWEEP_FILE_NAME bytes of UTF-8 without '/' or control bytes; it
 * is never used as a path). Returns a new upload in `*out`; the caller ends it with
 * rk_sweep_upload_finish() or rk_sweep_upload_abort(). RK_EINVAL naming "kind" or "name",
 * RK_ECONFLICT when the job is no longer uploading, RK_ETOOBIG past RK_MAX_SWEEP_JOB_FILES.
 */
enum rk_status rk_sweep_upload_open(struct rk_store *s, const struct rk_actor *who,
                                    const char *job_id, const char *kind, const char *name,
                                    struct rk_sweep_upload **out, struct rk_error *err);
/* Appends bytes. RK_ETOOBIG past RK_MAX_SWEEP_UPLOAD, RK_EIO when the disk write fails; after
 * an error the upload can only be aborted. */
enum rk_status rk_sweep_upload_write(struct rk_sweep_upload *u, const void *data, size_t len,
                                     struct rk_error *err);
/* Records the file (name, kind, bytes, SHA-256) on the job and frees `u` (also on error, when the
 * partial file is removed). `*out` = the job. */
enum rk_status rk_sweep_upload_finish(struct rk_store *s, struct rk_sweep_upload *u, json_t **out,
                                      struct rk_error *err);
/* Removes the partial file and frees `u`; accepts NULL. */
void rk_sweep_upload_abort(struct rk_sweep_upload *u);

/* For the CLI run by the operator on the server: adds a file or directory by its path, without
 * copying it. `kind` as for rk_sweep_upload_open(), or "index": a compiled sweep index
 * (`renkei sweep compile`; a job takes one index or indicator files, not both). */
enum rk_status rk_sweep_job_add_path(struct rk_store *s, const struct rk_actor *who,
                                     const char *job_id, const char *kind, const char *path,
                                     struct rk_error *err);

/* Queues an uploading job (it must hold at least one log file: else RK_EINVAL naming "files").
 * Without indicator files the job sweeps against the store's own indicators as its creator may
 * read them (lib/model/indicator-source.h: never a victim asset), "source": "store"; with
 * them, against those files only, "source": "files". `*out` = the job. */
enum rk_status rk_sweep_job_start(struct rk_store *s, const struct rk_actor *who,
                                  const char *job_id, json_t **out, struct rk_error *err);

/* Asks a job to stop: an uploading or queued job becomes "cancelled" at once, a running one at
 * its next progress step (within about a second). RK_ECONFLICT for a finished job. */
enum rk_status rk_sweep_job_cancel(struct rk_store *s, const struct rk_actor *who,
                                   const char *job_id, json_t **out, struct rk_error *err);

/* One job; the jobs of a case, newest first: `*out` = {"items":[job]}. */
enum rk_status rk_sweep_job_get(struct rk_store *s, const struct rk_actor *who, const char *job_id,
                                json_t **out, struct rk_error *err);
enum rk_status rk_sweep_job_list(struct rk_store *s, const struct rk_actor *who,
                                 const char *case_id, json_t **out, struct rk_error *err);

/* Options of a run. Zero-initialise. */
struct rk_sweep_job_run_opts {
    unsigned threads; /* sweep worker threads; 0 = one per CPU */
    /* Called about twice a second with the job's running totals (may be NULL). */
    void (*on_progress)(const json_t *job, void *user_data);
    void *user_data;
    /* When not NULL: read (atomically) at each progress step; once non-zero the run stops and
     * the job is marked "failed" with error "interrupted" (a server shutting down). */
    const int *stop;
};

/*
 * Runs a queued job to its end in the calling thread: compiles its indicator files, sweeps its
 * logs, records the sightings in batched transactions and updates the job's progress as it
 * goes; status "done", "failed" (with "error") or "cancelled". With `job_id` NULL it takes the
 * oldest queued job of the store (`*ran` = 0 when there was none). Runs as the job's creator
 * (the audit log names them). `*out` (may be NULL) = the finished job.
 * Returns RK_OK when the job ran (whatever its outcome), or an error of the store.
 */
enum rk_status rk_sweep_job_run(struct rk_store *s, const char *job_id,
                                const struct rk_sweep_job_run_opts *opt, int *ran, json_t **out,
                                struct rk_error *err);

/* Marks every job left "running" by a process that died (kill -9, power loss) as "failed" with
 * error "interrupted". A job whose runner is alive holds a lock on its directory and is left
 * alone, so this is safe while another process runs jobs. `*n` (may be NULL) = jobs marked. */
enum rk_status rk_sweep_jobs_recover(struct rk_store *s, int *n, struct rk_error *err);

struct rk_sighting_query {
    const char *group; /* "indicator" (default), "host" or "time" */
    int limit;         /* default 50, max RK_MAX_LIST_LIMIT */
    int offset;
};

/*
 * The sightings of a case. By "indicator": {"items":[{"observable":{"id","type","value"},
 * "sightings","count","hosts","first_time","last_time","files"}]}; by "host": {"items":[{"host",
 * "sightings","count","indicators","first_time","last_time"}]}; by "time": every sighting,
 * ordered by event time (those without one last): {"items":[{"id","observable":{...},"host",
 * "event_time","file","line","offset","token","count","job_id","first_seen","last_seen"}]}.
 * Each with "total","limit","offset","group". RK_EINVAL naming "group" for another value.
 */
enum rk_status rk_case_sightings(struct rk_store *s, const struct rk_actor *who,
                                 const char *case_id, const struct rk_sighting_query *q,
                                 json_t **out, struct rk_error *err);

/* ===== Exports for sensors (lib/share/export-sensor.c; docs/sweep.md "Exports for sensors") ===== */

/*
 * What the store knows as indicators, written for a network sensor: Suricata (datasets and the
 * rules that load them), a Zeek Intel framework file, a DNS RPZ zone, or plain blocklists, for
 * one audience ("police", "partners", "public") under the sharing rule of lib/share/access.c
 * (docs/access.md "Audiences"). Values are the store's canonical forms (domains in A-label form).
 */
struct rk_export_opts {
    const char *format;   /* "suricata-datasets", "suricata-rules", "zeek-intel", "rpz",
                             "blocklist" */
    const char *type;     /* only this indicator type ("ipv4", "ipv6", "cidr", "domain", "url",
                             "email", "md5", "sha1", "sha256"); NULL = every type the format
                             carries */
    const char *audience; /* required: "police", "partners" or "public" */
    const char *tlp_max;  /* NULL = any TLP the audience may receive */
    int64_t sid_base;     /* Suricata: first sid; 0 = RK_EXPORT_SID_BASE_DEFAULT */
};

/* One file of an export. */
struct rk_export_file {
    char name[64]; /* "renkei.rules", "renkei-domain.lst", "renkei.intel", "renkei.rpz",
                      "blocklist-domain.txt", ... */
    const char *content_type;
    char *data; /* owned by the export */
    size_t len;
    uint64_t count; /* indicators in this file (0 for a rules file) */
};

struct rk_export {
    struct rk_export_file *files;
    size_t nfiles;
    uint64_t count;   /* indicators exported */
    uint64_t skipped; /* indicators of a carried type whose value the format cannot hold */
};

/*
 * Builds an export. Analysts and supervisors may export (the CLI acts as the installation);
 * every other role gets RK_EFORBIDDEN. RK_EINVAL names the bad option ("format", "type",
 * "audience", "tlp_max", "sid_base"). The export is audited (action "export", with format,
 * type, audience, TLP ceiling and count) in its own transaction before it is returned.
 * Returns a new export in `*out`; the caller frees it with rk_export_destroy().
 */
enum rk_status rk_export_sensor(struct rk_store *s, const struct rk_actor *who,
                                const struct rk_export_opts *o, struct rk_export **out,
                                struct rk_error *err);
/* Frees an export; accepts NULL. */
void rk_export_destroy(struct rk_export *x);
/* 1 when `format` is one of the export formats. */
int rk_export_format_valid(const char *format);
/* 1 when the format writes one file per type (suricata-datasets, blocklist): over HTTP such an
 * export needs a type. */
int rk_export_format_per_type(const char *format);

/* ===== Store indicators (lib/model/indicator-source.c; docs/sweep.md) ===== */

/* Which of the store's indicators to walk. Every field may be NULL/0. */
struct rk_indicator_query {
    const char *tlp_max;  /* highest TLP ("CLEAR" … "RED") */
    const char *audience; /* "police", "partners", "public": only what it may receive */
    const char *tag;      /* only values a case links with this observable role */
    int64_t max_age_days; /* only values last seen within this many days */
    const char *case_id;  /* only values of this case (UUID or reference "C2026-000045") and
                             its reports */
    const char *purpose;  /* what the values are for, for the audit event ("sweep-compile") */
};

/* One indicator; every pointer is borrowed for the callback only. */
struct rk_indicator {
    const char *type;             /* observable type (docs/observables.md) */
    const char *value;            /* canonical value */
    const char *tlp;              /* strictest TLP of the holders admitted */
    const char *const *case_refs; /* references of the admitted cases holding it, sorted */
    size_t ncases;
};

typedef enum rk_status (*rk_indicator_fn)(void *ud, const struct rk_indicator *ind,
                                          struct rk_error *err);

/*
 * Calls `fn` for every observable of the store usable as an indicator (never a victim asset)
 * that `who` may read and the query admits, in (type, value) order; the rules are those of
 * docs/access.md ("Audiences"). Police readers and the installation only (RK_EFORBIDDEN
 * otherwise; `fn` is then never called). RK_EINVAL names the bad query field; an unknown case
 * is RK_ENOTFOUND naming "case_id". The walk is audited as a read of "indicators" with the
 * purpose, the query and the count. `*count` (may be NULL) receives the number of indicators.
 * A non-OK status from `fn` stops the walk and is returned.
 */
enum rk_status rk_indicators_each(struct rk_store *s, const struct rk_actor *who,
                                  const struct rk_indicator_query *q, rk_indicator_fn fn, void *ud,
                                  uint64_t *count, struct rk_error *err);

/* ===== Groups (攻撃グループ / 犯行グループ) and actors (lib/model/group-service.c) ===== */

/*
 * Analysts and supervisors only (and the CLI's system actor); every other role gets
 * RK_EFORBIDDEN. A member is {"kind":"report"|"case","id"}. Members and flagged objects the
 * caller may not read appear only as {"restricted":true,"kind","unit":{"id","name"}}, as in
 * related items; every readable member shown is audited as a read. Confirmed membership never
 * changes by itself: only the calls below change it. Before each read, writes of reports and
 * cases since the last look (audit chain) are checked against the confirmed groups and a flag is
 * recorded for each new report or case that holds a linking value of a member (docs/correlation.md,
 * "Confirmed groups"). Shapes in docs/api.md, "Groups and actors".
 */

/* Confirmed groups (name order) then candidates (largest first). `*out` = {"items":[group]}. */
enum rk_status rk_group_list(struct rk_store *s, const struct rk_actor *who, json_t **out,
                             struct rk_error *err);
/* One confirmed or dissolved group with members, ties, linked objects and flags. */
enum rk_status rk_group_get(struct rk_store *s, const struct rk_actor *who, const char *id,
                            json_t **out, struct rk_error *err);
/* Confirms a group from its members (not from a candidate's unstable id). `in`: {"name",
 * "members":[member] (1..RK_MAX_GROUP_MEMBERS, each readable by the caller),"aliases"?,
 * "actor_id"?,"tlp"?,"scope"?}. `*out` = the group. */
enum rk_status rk_group_confirm(struct rk_store *s, const struct rk_actor *who, json_t *in,
                                json_t **out, struct rk_error *err);
/* `in`: any of {"name","aliases","actor_id" (null unlinks),"tlp","scope","status":"dissolved"}.
 * RK_ECONFLICT when the group is already dissolved. */
enum rk_status rk_group_update(struct rk_store *s, const struct rk_actor *who, const char *id,
                               json_t *in, json_t **out, struct rk_error *err);
/* Moves every member of group `in`.{"group_id"} into group `id`; the other is dissolved (its
 * "merged_into" names `id`). `*out` = group `id`. */
enum rk_status rk_group_merge(struct rk_store *s, const struct rk_actor *who, const char *id,
                              json_t *in, json_t **out, struct rk_error *err);
/* Moves the chosen members to a new group. `in`: {"name","members":[member],"aliases"?}; at
 * least one member must stay. `*out` = {"from":group,"to":new group}. */
enum rk_status rk_group_split(struct rk_store *s, const struct rk_actor *who, const char *id,
                              json_t *in, json_t **out, struct rk_error *err);
/* Adds and removes members by hand. `in`: {"add":[member]?,"remove":[member]?}; a group keeps
 * at least one member. `*out` = the group. */
enum rk_status rk_group_members(struct rk_store *s, const struct rk_actor *who, const char *id,
                                json_t *in, json_t **out, struct rk_error *err);
/* Flags (新たに関連する事案) of one group (`group_id`) or of every confirmed group (NULL).
 * `status`: "open" (default) or "all". `*out` = {"items":[flag],"open":N}. */
enum rk_status rk_group_flags(struct rk_store *s, const struct rk_actor *who,
                              const char *group_id, const char *status, json_t **out,
                              struct rk_error *err);
/* Closes a flag. `in`: {"action":"acknowledge"|"add"} ("add" also makes the object a member).
 * RK_ECONFLICT when already closed. `*out` = the flag. */
enum rk_status rk_group_flag_ack(struct rk_store *s, const struct rk_actor *who,
                                 const char *group_id, const char *flag_id, json_t *in,
                                 json_t **out, struct rk_error *err);

/* Actor records. An actor renders as {"id","name_ja","name_en","aliases","notes","tlp","scope",
 * "created_by","created_at","updated_at","groups":[{"id","name","status"}]}. */
enum rk_status rk_actor_list(struct rk_store *s, const struct rk_actor *who, json_t **out,
                             struct rk_error *err);
/* `in`: {"name_ja" (required),"name_en"?,"aliases"?,"notes"?,"tlp"?,"scope"?}. */
enum rk_status rk_actor_create(struct rk_store *s, const struct rk_actor *who, json_t *in,
                               json_t **out, struct rk_error *err);
enum rk_status rk_actor_get(struct rk_store *s, const struct rk_actor *who, const char *id,
                            json_t **out, struct rk_error *err);
/* `in`: any of the create fields. */
enum rk_status rk_actor_update(struct rk_store *s, const struct rk_actor *who, const char *id,
                               json_t *in, json_t **out, struct rk_error *err);

/* ===== Lookalike review (lib/model/lookalike-service.c; docs/lookalike.md "In Renkei") ===== */

/*
 * The phishing watch of the cyber unit: analysts and supervisors, and the CLI's installation
 * actor (`renkei lookalike --db`); every other role gets RK_EFORBIDDEN. The lookalike engine
 * (engines/lookalike, brand lists of RENKEI_BRANDS, else the shipped directory) is compiled once
 * per store on first use. One row per host: a host seen again updates "last_seen" and
 * "times_seen" (and keeps its review status). Each stored match upserts its domain (and its URL
 * when the input was one) as observables, linked by id.
 *
 * A match renders as {"id","input","host","registrable","brand":{"id","name_ja","name_en",
 * "sector"},"score","reasons":[{"kind","score","detail"}],"source","first_seen","last_seen",
 * "times_seen","status":"new"|"confirmed"|"dismissed","decided_by","decided_at","note",
 * "observables":{"domain":id|null,"url":id|null,"reports":N,"cases":N},"takedown":takedown|null}
 * where "reports" and "cases" count the reports and cases holding the domain or URL.
 * A takedown record: {"id","match_id","domain","host","brand":{...},"status":"not_requested" (未依頼)
 * |"requested" (依頼済)|"removed" (削除確認)|"refused" (拒否),"target_org","note",
 * "created_by","created_at","updated_by","updated_at"}.
 */

/* How far a watched feed file has been read: the file's identity and the byte offset just past
 * the last whole line whose matches are stored. */
struct rk_lookalike_feed_pos {
    uint64_t dev, ino; /* st_dev, st_ino of the file read */
    uint64_t offset;   /* bytes of whole lines done */
    uint64_t lines;    /* lines done in total (for progress) */
};

/* One batch of candidate lines to check and store. */
struct rk_lookalike_batch {
    const char *source; /* "api", or the feed file's name; at most RK_MAX_LOOKALIKE_SOURCE */
    const char *text;   /* candidate domains or URLs, one a line (LF or CRLF); borrowed */
    size_t len;
    int min_score; /* store matches scoring this or more; 0 = RK_LOOKALIKE_DEFAULT_MIN_SCORE */
    /* When `feed` is not NULL, `pos` is recorded for it in the same transaction as the matches,
     * so that a crash neither loses nor repeats lines (rk_lookalike_feed_get reads it back). */
    const char *feed;
    struct rk_lookalike_feed_pos pos;
    /* List only the hosts not seen before in "matches" (a feed reader prints no others, and
     * rendering every sighting of a busy feed costs a third of the time). */
    int only_new;
};

/* Checks every line of the batch and stores the matches, all in one transaction, audited (a
 * "create" for a new host, a "seen" for a known one). `*out` = {"checked":N,"skipped":N,
 * "stored":N,"skips":[{"line","reason"}] (the first few),"matches":[match + "new":bool]}, where
 * "stored" counts every match stored (sightings included) and "matches" lists them in input
 * order (only the new hosts with `only_new`). RK_EIO when the
 * brand list cannot be loaded (the message names it). */
enum rk_status rk_lookalike_store_batch(struct rk_store *s, const struct rk_actor *who,
                                        const struct rk_lookalike_batch *b, json_t **out,
                                        struct rk_error *err);
/* The HTTP form: `in` = {"text" (required, at most RK_MAX_LOOKALIKE_SUBMIT_BYTES and
 * RK_MAX_LOOKALIKE_SUBMIT_LINES lines)}; source "api". `*out` as rk_lookalike_store_batch. */
enum rk_status rk_lookalike_submit(struct rk_store *s, const struct rk_actor *who, json_t *in,
                                   json_t **out, struct rk_error *err);
/* The saved position of feed `feed`: `*found` 0 (and `*out` zeroed) when it was never read. */
enum rk_status rk_lookalike_feed_get(struct rk_store *s, const struct rk_actor *who,
                                     const char *feed, struct rk_lookalike_feed_pos *out,
                                     int *found, struct rk_error *err);

struct rk_lookalike_query {
    const char *status; /* "new" (default), "confirmed", "dismissed" or "all" */
    const char *brand;  /* a brand id, e.g. "rakuten" */
    const char *sector; /* a sector, e.g. "bank" */
    int min_score;      /* 0..100 */
    int limit;          /* default 50, max RK_MAX_LIST_LIMIT */
    int offset;
};
/* Matches ranked by score, then last seen (newest first). `*out` = {"items":[match],"total",
 * "limit","offset"}. RK_EINVAL naming "status" or "min_score". */
enum rk_status rk_lookalike_list(struct rk_store *s, const struct rk_actor *who,
                                 const struct rk_lookalike_query *q, json_t **out,
                                 struct rk_error *err);
/* One match (RK_ENOTFOUND when unknown). */
enum rk_status rk_lookalike_get(struct rk_store *s, const struct rk_actor *who, const char *id,
                                json_t **out, struct rk_error *err);
/* `in`: {"decision":"confirm"|"dismiss"|"reopen","note"?,"target_org"?}. confirm and dismiss
 * need a new match; confirm creates its takedown record (未依頼, `target_org` kept there). reopen
 * takes a decided match back to new; a confirmed one only while its takedown is still
 * not_requested (the record is then removed). RK_ECONFLICT otherwise. `*out` = the match. */
enum rk_status rk_lookalike_decide(struct rk_store *s, const struct rk_actor *who, const char *id,
                                   json_t *in, json_t **out, struct rk_error *err);
/* Takedown records, newest first; `status` NULL or "" for all. `*out` = {"items","total",
 * "limit","offset"}. */
enum rk_status rk_lookalike_takedown_list(struct rk_store *s, const struct rk_actor *who,
                                          const char *status, int limit, int offset,
                                          json_t **out, struct rk_error *err);
/* `in`: any of {"status","target_org","note"}, audited. `*out` = the record. */
enum rk_status rk_lookalike_takedown_update(struct rk_store *s, const struct rk_actor *who,
                                            const char *id, json_t *in, json_t **out,
                                            struct rk_error *err);
/* Counts per brand and status. `*out` = {"items":[{"brand":{...},"new","confirmed",
 * "dismissed","total"}],"total":N}, brands by total (highest first). */
enum rk_status rk_lookalike_stats(struct rk_store *s, const struct rk_actor *who, json_t **out,
                                  struct rk_error *err);

#endif
