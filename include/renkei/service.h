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
/* Candidate groups of related reports and cases (analysts, supervisors, the system actor).
 * `*out` = {"items":[{"id","confirmed","status","members":[brief+"kind" | restricted],
 * "ties":[{"type","value","members"}],"flagged":[...]}]}; groups of which the caller may read
 * no member are left out. */
enum rk_status rk_groups_list(struct rk_store *s, const struct rk_actor *who, json_t **out,
                              struct rk_error *err);
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
                          "group:ID" (a candidate group id of rk_groups_list) */
    int depth;         /* hops from the start, 1..RK_MAX_GRAPH_DEPTH; 0 means 1 */
    const char *kinds; /* comma-separated node kinds to keep ("report,case,observable,account,
                          group"); NULL or "" keeps all but "group" (candidate groups cost a
                          whole-store clustering, so they come only when named). Other kinds
                          are neither shown nor walked through. */
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

#endif
