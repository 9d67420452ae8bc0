/*
 * Need-to-know: THE one place where role, TLP and scope decide what a caller may see or change.
 * Every read in the store goes through it, in one of two equivalent forms:
 *   - a C predicate over one row (rk__access_read_report / _case), for single objects;
 *   - a SQL boolean expression (rk__access_report_sql / _case_sql), for lists and searches,
 *     so that filtering happens before LIMIT/OFFSET and counts never include hidden rows.
 * The two forms are written side by side below and a unit test checks that they agree.
 * The rules are described for people in docs/access.md.
 */
#ifndef RK_ACCESS_H
#define RK_ACCESS_H

#include <sqlite3.h>
#include <stddef.h>

#include "renkei/service.h"
#include "store/store.h"

/* Which organisation the caller's unit belongs to: this prefectural police, the NPA, or a
 * partner. TLP AMBER+STRICT and scope "prefecture" stop at the prefectural organisation. */
enum rk_org { RK_ORG_NONE = 0, RK_ORG_PREFECTURE, RK_ORG_NPA, RK_ORG_PARTNER };

struct rk_access {
    const struct rk_actor *who;
    enum rk_org org;
    /* The decision time (RFC 3339 UTC), set by rk__access_load(): an access grant counts while
     * its expiry is later than this. Both forms of the rules use the same instant. */
    char now[21];
};

/* What a role may do at all; object-level checks come on top. */
enum rk_perm {
    RK_PERM_REPORT_READ = 1,
    RK_PERM_REPORT_CREATE,
    RK_PERM_REPORT_WRITE,
    RK_PERM_CASE_READ,
    RK_PERM_CASE_CREATE,
    RK_PERM_CASE_WRITE,
    RK_PERM_OBS_READ,
    RK_PERM_OBS_READ_ALL, /* every observable, not only those of readable objects */
    RK_PERM_UNIT_LIST,
    RK_PERM_USER_LIST,
    RK_PERM_USER_ADMIN,
    RK_PERM_UNIT_ADMIN,
    RK_PERM_APPROVE,
    RK_PERM_AUDIT_READ,
    RK_PERM_APIKEY,
    RK_PERM_REF,
    RK_PERM_PATROL,         /* the cyber-patrol review queue: submit, review, decide */
    RK_PERM_ACCESS_REQUEST, /* ask a unit for access to its restricted objects; decide on one */
};

/* The row facts a decision needs. */
struct rk_access_obj {
    const char *unit_id;    /* report: receiving station; case: lead unit */
    const char *created_by; /* user id */
    const char *tlp;
    const char *scope;
    /* The caller is named on the object other than as its creator: a case assignee, or the
     * holder of an unexpired access grant (table access_grants) on the report or case. */
    int named;
};

/* Loads the caller's organisation. RK_EAUTH when the actor is malformed or its unit unknown. */
enum rk_status rk__access_load(struct rk_conn *c, const struct rk_actor *who,
                               struct rk_access *out, struct rk_error *err);
/* 1 when the role has `perm`, else 0. */
int rk__access_allows(const struct rk_access *a, enum rk_perm perm);
/* RK_OK or RK_EFORBIDDEN (with err filled) for `perm`. */
enum rk_status rk__access_require(const struct rk_access *a, enum rk_perm perm,
                                  struct rk_error *err);

/* 1 when the caller is the installation itself (rk_actor_system: the CLI run by the operator on
 * the server, who holds the database file anyway). Only whole-store tools use this, e.g.
 * `renkei correlate` and `renkei groups`; the HTTP API never has this identity. */
int rk__access_is_installation(const struct rk_access *a);

int rk__access_read_report(const struct rk_access *a, const struct rk_access_obj *o);
int rk__access_read_case(const struct rk_access *a, const struct rk_access_obj *o);

/* Writes into `out` (size `n`) a SQL boolean over the report alias `r` / case alias `c` that is
 * true exactly for the rows the predicates above accept. It uses the named parameters :a_uid,
 * :a_unit and :a_now; bind them with rk__access_bind(). Returns RK_OK or RK_ETOOBIG. */
enum rk_status rk__access_report_sql(const struct rk_access *a, const char *alias, char *out,
                                     size_t n);
enum rk_status rk__access_case_sql(const struct rk_access *a, const char *alias, char *out,
                                   size_t n);
void rk__access_bind(sqlite3_stmt *st, const struct rk_access *a);

/* The SQL form of "the caller holds an unexpired access grant on object `alias`.id of kind
 * `kind` ("report" or "case")", written into `out` (size `n`); uses :a_uid and :a_now. */
enum rk_status rk__access_grant_sql(const char *kind, const char *alias, char *out, size_t n);

/* Loads one report / case and decides: RK_OK when readable, RK_ENOTFOUND, or RK_EFORBIDDEN. */
enum rk_status rk__access_report(struct rk_conn *c, const struct rk_access *a, const char *id,
                                 struct rk_error *err);
enum rk_status rk__access_case(struct rk_conn *c, const struct rk_access *a, const char *id,
                               struct rk_error *err);
/* The same without filling an error: 1 readable, 0 not (or missing). `unit_out` (37 bytes, may
 * be NULL) receives the holding unit, for restricted entries. */
int rk__access_case_visible(struct rk_conn *c, const struct rk_access *a, const char *id,
                            char *unit_out);
int rk__access_report_visible(struct rk_conn *c, const struct rk_access *a, const char *id,
                              char *unit_out);

#endif
