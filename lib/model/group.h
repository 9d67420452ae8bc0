/*
 * Internal interface between the group service (lib/model/group-service.c) and the store's
 * correlation index (lib/model/correlate-service.c, whose cache is private to that file). The
 * group service keeps confirmed groups, actors and flags in the store; it asks the index only
 * for clustering, tie values and "which confirmed groups does this object touch".
 */
#ifndef RK_MODEL_GROUP_H
#define RK_MODEL_GROUP_H

#include <stdint.h>

#include "renkei/correlate.h"
#include "share/access.h"
#include "store/store.h"

/*
 * Brings the store's correlation index up to date (as every correlation query does) and puts in
 * `*seq` the audit sequence number the index now reflects: every write event up to it has been
 * applied. Call it before borrowing a connection (it borrows one of its own).
 */
enum rk_status rk__corr_sync(struct rk_store *s, int64_t *seq, struct rk_error *err);

/*
 * rk_corr_groups_compute() on the store's index with the given confirmed groups and the
 * caller's need-to-know hook (`a` NULL or the installation: everything readable). `c` is the
 * caller's borrowed connection, used by the hook. Ownership: on RK_OK the caller frees `*out`
 * with rk_corr_groups_destroy().
 */
enum rk_status rk__corr_groups_with(struct rk_store *s, struct rk_conn *c,
                                    const struct rk_access *a,
                                    const struct rk_corr_confirmed *confirmed, size_t nconfirmed,
                                    struct rk_corr_groups **out, struct rk_error *err);

/*
 * rk_corr_touching() on the store's index: the confirmed groups that the report or case touches
 * without being a member. An object the index does not hold touches nothing (an empty result).
 * Ownership: on RK_OK the caller frees `*out` with rk_corr_touches_destroy().
 */
enum rk_status rk__corr_touching_of(struct rk_store *s, enum rk_corr_kind kind, const char *id,
                                    const struct rk_corr_confirmed *confirmed, size_t nconfirmed,
                                    struct rk_corr_touches **out, struct rk_error *err);

/*
 * Demo data (`renkei demo`): confirms, as `analyst`, the smallest candidate group tied by a
 * strong value (account, phone, wallet, e-mail, URL) under a fictional name, with a fictional
 * actor record, so that the groups page is populated. Does nothing when there is no such
 * candidate. Uses the public group functions, so everything is audited as the analyst's.
 */
enum rk_status rk__group_demo(struct rk_store *s, const struct rk_actor *analyst,
                              struct rk_error *err);

/*
 * The link chart's view of confirmed group `gid` (lib/model/graph-service.c), read on the
 * caller's borrowed connection `c` inside its read transaction; no index sync and no audit (the
 * chart audits what it draws). Need-to-know is the caller's: it must have checked that the
 * caller may work with groups, and it decides per member what to show. On RK_OK `*node` =
 * {"label","name","aliases":[...],"actor":{"id","name_ja","name_en"}|null,"type":"confirmed",
 * "confirmed":true,"time" (confirmed_at),"tlp","members" (count, every member)} and `*members`
 * = [{"kind":"report"|"case","id"}] in the groups API's order; the caller owns both.
 * RK_ENOTFOUND (field "node") when no confirmed group has that id (a dissolved one included).
 */
enum rk_status rk__group_chart_node(struct rk_conn *c, const char *gid, json_t **node,
                                    json_t **members, struct rk_error *err);

/*
 * The confirmed groups that report or case `id` is a member of, name order: on RK_OK `*ids` is
 * an array of group ids the caller owns (empty when none).
 */
enum rk_status rk__group_chart_of(struct rk_conn *c, enum rk_corr_kind kind, const char *id,
                                  json_t **ids, struct rk_error *err);

/*
 * The candidate groups exactly as rk_group_list lists them after the confirmed groups (the
 * clusters no confirmed group took, with at least one readable member not yet in a confirmed
 * group), for the link chart. Checks the caller as every group read does (RK_EFORBIDDEN unless
 * they may read every value); borrows its own connection. Members read are audited as for the
 * list. On RK_OK `*items` = [candidate] (shape of docs/api.md "Groups"), owned by the caller.
 */
enum rk_status rk__group_candidates(struct rk_store *s, const struct rk_actor *who, json_t **items,
                                    struct rk_error *err);

#endif
