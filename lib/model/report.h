/*
 * Internal interface between the report, case, workflow and observable files of lib/model.
 */
#ifndef RK_MODEL_REPORT_H
#define RK_MODEL_REPORT_H

#include <jansson.h>

#include "renkei/buf.h"
#include "share/access.h"
#include "store/store.h"

/* The full report JSON of docs/api.md, as `a` may see it (no access check, no audit: the caller
 * has done both). */
enum rk_status rk__report_render(struct rk_conn *c, const struct rk_access *a, const char *id,
                                 json_t **out, struct rk_error *err);
/* Create / transition a report on a borrowed connection as an already-loaded caller: the work
 * of rk_report_create() / rk_report_transition() without rendering. They join a transaction
 * the caller holds (the demo generator batches thousands of reports in one). */
enum rk_status rk__report_create_in(struct rk_store *s, struct rk_conn *c,
                                   const struct rk_access *a, json_t *in, char id[37],
                                   struct rk_error *err);
enum rk_status rk__report_transition_in(struct rk_store *s, struct rk_conn *c,
                                       const struct rk_access *a, const char *id, json_t *in,
                                       struct rk_error *err);
/* The full case JSON of docs/api.md (same contract). */
enum rk_status rk__case_render(struct rk_conn *c, const struct rk_access *a, const char *id,
                               json_t **out, struct rk_error *err);
/* {"id","ref","title","received_at","status","unit"} of a report / {"id","ref","title",
 * "status","lead_unit"} of a case. */
json_t *rk__report_brief(struct rk_conn *c, const char *id);
json_t *rk__case_brief(struct rk_conn *c, const char *id);

/* The pending approval of an object as JSON, or json null. */
json_t *rk__approval_pending(struct rk_conn *c, const char *type, const char *id);

/* Moves a report or case ("report" / "case") from its current state to `to`: RK_ECONFLICT when
 * the workflow forbids it; when it needs 決裁 and the caller is not a supervisor, records a
 * pending approval instead (`*pending` = 1). Runs inside the caller's transaction and appends
 * the audit event. */
enum rk_status rk__workflow_move(struct rk_store *s, struct rk_conn *c,
                                 const struct rk_access *a, const char *type, const char *id,
                                 const char *to, const char *comment, int *pending,
                                 struct rk_error *err);
/* Records one entry of a case's timeline (inside the caller's transaction). */
enum rk_status rk__case_event(struct rk_conn *c, const char *case_id, const struct rk_actor *who,
                              const char *action, const char *detail, struct rk_error *err);

/* Splits a search string into terms on ASCII and ideographic spaces and appends to `sql` one
 * condition per term: an FTS5 trigram match against `fts` for terms of three characters or
 * more, a LIKE over `like_cols` (SQL expressions separated by '|') for shorter ones (a trigram
 * index cannot answer those). Parameters are bound later by rk__search_bind(). */
enum rk_status rk__search_sql(const char *q, const char *fts_cond, const char *like_cols,
                              const char *bigram_cond, struct rk_buf *sql, struct rk_error *err);
void rk__search_bind(sqlite3_stmt *st, const char *q);
/* With `bigram_cond` (not NULL), a two-character term of letters/digits becomes a match against
 * the bigram index instead of a LIKE. rk__bigrams() writes texts out as their character pairs,
 * separated by spaces, for that index; the caller frees the result with rk_free() (NULL when out
 * of memory). */
char *rk__bigrams(const char *const *texts, size_t n);
/* Keeps the bigram index of a report: call before a report's texts change (`before` = 1, with
 * the old texts still stored) and after (`before` = 0). A new report: only after. */
enum rk_status rk__bigram_update(struct rk_conn *c, const char *report_id, int before,
                                 int is_new, struct rk_error *err);
/* 1 when every report is in the bigram index. */
int rk__bigram_complete(struct rk_conn *c);


#endif
