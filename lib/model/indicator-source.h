/*
 * The store as a source of indicators: every observable the unit knows from its reports and
 * cases that is usable as an indicator (a sensor may block or alert on it), as one stream that
 * the sweep index (`renkei sweep compile --db`), the case sweeps and the exports for sensors
 * (`renkei export`, GET /api/v1/exports/{format}) all read, so that the sharing rule is applied
 * in one place.
 *
 * What counts as an indicator:
 *   - an observable held by a report or a case the actor may read (lib/share/access.c);
 *   - never one that any case links with the role "victim_asset" (被害資産): a victim's own
 *     server or mail address must never end up on a blocklist, whoever holds it;
 *   - each holder (a report, or a case link) is admitted separately by the filter (TLP ceiling,
 *     audience, role tag, case); an observable is emitted when at least one holder is
 *     admitted, and its TLP and case references come from the admitted holders only. So a value
 *     known only from a TLP:RED case is never given to partners, while the same value also
 *     held by a TLP:GREEN, scope "partners" case is, referring to that case alone.
 *
 * Interface agreed with the sweepcase engineer (tasks/iface-indicators.md). Changes from the
 * first draft, because the store's ids are UUID strings, not integers, and observables carry no
 * free tags: `case_id` and `observable_id` are UUID strings, `cases` carries id and reference,
 * and `tag` selects by the role a case gives the observable (data/categories.json
 * "observable_roles": "attacker_infrastructure", "phishing_site", "malware", ...).
 */
#ifndef RK_INDICATOR_SOURCE_H
#define RK_INDICATOR_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "renkei/service.h"
#include "renkei/status.h"

struct rk_store;

struct rk_indicator_filter {
    const char *tlp_max;  /* highest TLP to include ("CLEAR", "GREEN", "AMBER", "AMBER+STRICT",
                             "RED"); NULL = any the caller may read */
    const char *audience; /* NULL = the caller's own reading; "police", "partners", "public" =
                             only what that audience may receive (rk__access_audience_allows) */
    const char *tag;      /* only observables a case links with this role code; a report holds
                             an observable without a role, so a tag admits case links only;
                             NULL = any */
    int64_t max_age_days; /* only observables last seen within this many days; 0 = any */
    const char *case_id;  /* UUID: only observables of this case (its links and its reports);
                             NULL = all */
};

/* A case holding an indicator. Borrowed: valid during the callback only. */
struct rk_indicator_case {
    const char *id;  /* UUID */
    const char *ref; /* "C2026-000045" */
};

struct rk_store_indicator {
    const char *type;                      /* observable type name (docs/observables.md) */
    const char *value;                     /* canonical value */
    const char *observable_id;             /* UUID */
    const char *last_seen;                 /* RFC 3339 UTC */
    const char *tlp;                       /* strictest TLP among the admitted holders */
    const struct rk_indicator_case *cases; /* admitted cases holding it (by link, or through
                                              one of their reports), sorted by ref */
    size_t ncases;
};

/* Called once per indicator, in (type, value) order. Returning anything but RK_OK stops the
 * walk, and rk__store_indicators_each returns that status. */
typedef enum rk_status (*rk_store_indicator_fn)(void *ud, const struct rk_store_indicator *ind,
                                                struct rk_error *err);

/* Checks a filter: RK_EINVAL naming the field ("tlp_max", "audience", "tag", "max_age_days",
 * "case_id") when a value is not one the store knows. */
enum rk_status rk__indicator_filter_check(struct rk_store *st, const struct rk_indicator_filter *f,
                                          struct rk_error *err);

/*
 * Calls fn for every observable usable as an indicator (not a victim-asset role) that the actor
 * may read and the filter admits; borrowed pointers valid during the call only.
 * The actor must be a police reader (station, analyst, supervisor; a station reads only what
 * its rules let it read) or the installation (rk_actor_system: the CLI on the server, which reads
 * every report and case); anyone else gets RK_EFORBIDDEN and fn is never called.
 * Returns RK_OK, RK_EINVAL (bad filter, err->field set), RK_EFORBIDDEN, RK_EIO, RK_ENOMEM, or
 * the first non-OK status fn returned.
 * This function does not write an audit event: the service call that uses it does (it knows
 * what was done with the indicators: an export, a sweep).
 * Thread-safety: as the store; it borrows one connection for the whole walk.
 */
enum rk_status rk__store_indicators_each(struct rk_store *st, const struct rk_actor *actor,
                                         const struct rk_indicator_filter *f,
                                         rk_store_indicator_fn fn, void *ud, struct rk_error *err);

#endif
