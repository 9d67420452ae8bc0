/*
 * `renkei correlate --db FILE (--report ID | --case ID | --value VALUE [--type T]) [--json]`:
 * the reports and cases related to one report, case or value, best first, each with the
 * explanation of its link, and the values that link nothing with the reason.
 * `renkei correlate --db FILE --rebuild`: builds the correlation index from the whole store
 * with progress on stderr and prints its size. Runs as the installation (rk_actor_system).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "renkei/service.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: renkei correlate --db FILE (--report ID | --case ID | --value VALUE"
            " [--type TYPE]) [--json]\n"
            "       renkei correlate --db FILE --rebuild [--json]\n\n"
            "Lists the reports and cases related to a report, a case or a value (an IP\n"
            "address, URL, phone number, bank account, ...; any spelling, defanged or\n"
            "full-width), best first. Each link is explained: which values both hold and how\n"
            "(the same value, the same host or registrable domain, the same network), and how\n"
            "similar the narratives are. Rare values weigh more than common ones. Values in a\n"
            "warninglist (public resolvers, reserved ranges, CDNs, popular domains) or held by\n"
            "too many objects link nothing; they are listed with the reason.\n"
            "ID is the UUID or the reference number (R2026-000123, C2026-000045).\n\n"
            "--rebuild recomputes the index that the store keeps (tables corr_*) from every\n"
            "report and case, with progress on stderr (count, rate, time left), and prints\n"
            "its size. Running it again gives the same index. It commits its work in batches:\n"
            "when it is interrupted (even by kill -9), the next --rebuild resumes where it\n"
            "stopped and ends with the same index as an uninterrupted run. The server loads\n"
            "the stored index at its first correlation query and keeps it current as reports\n"
            "and cases are written; it does not rebuild it at start.\n\n"
            "Runs as the installation itself: every report and case is readable.\n"
            "Exit status: 0 ok, 1 failure (unknown ID, invalid value), 2 usage error.\n");
}

/* Progress of --rebuild on stderr: count, rate and time left. On a terminal one line is
 * rewritten in place; otherwise each update is its own line (logs, tests that watch it). */
struct progress_state {
    int tty;
    int started;
    double t0;
    uint64_t first; /* objects already done when this run started (a resumed rebuild) */
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void progress(uint64_t done, uint64_t total, void *ud)
{
    struct progress_state *p = ud;
    if (!p->started) {
        p->started = 1;
        p->t0 = now_s();
        p->first = done;
        if (done > 0)
            fprintf(stderr, "indexing: resuming an interrupted rebuild after %llu objects\n",
                    (unsigned long long)done);
        return;
    }
    double dt = now_s() - p->t0;
    double rate = dt > 0 ? (double)(done - p->first) / dt : 0;
    fprintf(stderr, "%sindexing: %llu of %llu reports and cases, %.0f/s", p->tty ? "\r" : "",
            (unsigned long long)done, (unsigned long long)total, rate);
    if (done < total && rate > 0)
        fprintf(stderr, ", about %.0f s left", (double)(total - done) / rate);
    fputs(p->tty ? (done >= total ? "\n" : "\033[K") : "\n", stderr);
}

static void print_json(json_t *o)
{
    char *t = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    if (t != NULL)
        printf("%s\n", t);
    json_free_t f = NULL;
    json_get_alloc_funcs(NULL, &f);
    f(t);
}

static const char *str(json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "";
}

static void print_human(json_t *o, const char *what)
{
    json_t *items = json_object_get(o, "items");
    printf("Related to %s: %zu item%s (%lld warninglists loaded)\n", what, json_array_size(items),
           json_array_size(items) == 1 ? "" : "s",
           (long long)json_integer_value(json_object_get(o, "warninglists")));
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        json_t *unit = json_object_get(it, "unit");
        if (unit == NULL || json_is_null(unit))
            unit = json_object_get(it, "lead_unit");
        if (json_is_true(json_object_get(it, "restricted"))) {
            printf("%3zu. restricted: %lld %s%s held by %s (ask that unit)\n", i + 1,
                   (long long)json_integer_value(json_object_get(it, "count")), str(it, "kind"),
                   json_integer_value(json_object_get(it, "count")) == 1 ? "" : "s",
                   str(unit, "name"));
            continue;
        }
        printf("%3zu. %s %s  %s  [%s]  score %.2f\n", i + 1, str(it, "kind"), str(it, "ref"),
               str(it, "title"), str(unit, "name"), json_real_value(json_object_get(it, "score")));
        printf("     id %s\n     %s\n", str(it, "id"), str(it, "explanation"));
    }
    json_t *sup = json_object_get(o, "suppressed");
    if (json_array_size(sup) > 0) {
        printf("Values that link nothing:\n");
        json_array_foreach(sup, i, it)
        {
            printf("  %s %s: %s\n", str(it, "type"), str(it, "value"), str(it, "reason"));
        }
    }
}

static int run_correlate(int argc, char **argv)
{
    const char *db = NULL, *report = NULL, *kase = NULL, *value = NULL, *type = NULL;
    int json = 0, rebuild = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return RK_EXIT_OK;
        } else if (strcmp(a, "--db") == 0 && more) {
            db = argv[++i];
        } else if (strcmp(a, "--report") == 0 && more) {
            report = argv[++i];
        } else if (strcmp(a, "--case") == 0 && more) {
            kase = argv[++i];
        } else if (strcmp(a, "--value") == 0 && more) {
            value = argv[++i];
        } else if (strcmp(a, "--type") == 0 && more) {
            type = argv[++i];
        } else if (strcmp(a, "--json") == 0) {
            json = 1;
        } else if (strcmp(a, "--rebuild") == 0) {
            rebuild = 1;
        } else {
            fprintf(stderr, "renkei correlate: unknown argument '%s'\n", a);
            usage(stderr);
            return RK_EXIT_USAGE;
        }
    }
    int targets = (report != NULL) + (kase != NULL) + (value != NULL);
    if (db == NULL || (rebuild ? targets != 0 : targets != 1) || (type != NULL && value == NULL)) {
        fprintf(stderr, "renkei correlate: give --db and exactly one of --report, --case, "
                        "--value, or --rebuild alone\n");
        usage(stderr);
        return RK_EXIT_USAGE;
    }
    struct rk_store *s = NULL;
    struct rk_error err = {0};
    struct rk_actor sys;
    json_t *o = NULL;
    struct progress_state ps = {isatty(STDERR_FILENO), 0, 0, 0};
    rk_actor_system(&sys);
    enum rk_status rc = rk_store_open(db, &s, &err);
    if (rc == RK_OK) {
        if (rebuild)
            rc = rk_correlate_rebuild(s, &sys, json ? NULL : progress, &ps, &o, &err);
        else if (report != NULL)
            rc = rk_correlate_report(s, &sys, report, &o, &err);
        else if (kase != NULL)
            rc = rk_correlate_case(s, &sys, kase, &o, &err);
        else
            rc = rk_correlate_value(s, &sys, type, value, &o, &err);
    }
    if (rc != RK_OK) {
        fprintf(stderr, "renkei correlate: %s%s%s%s\n", err.message, err.field[0] ? " (" : "",
                err.field, err.field[0] ? ")" : "");
        rk_store_close(s);
        return RK_EXIT_FAIL;
    }
    if (json) {
        print_json(o);
    } else if (rebuild) {
        printf("index: %lld reports and cases, %lld values, %lld postings, %lld narratives, "
               "%lld bytes in memory; %lld warninglists from %s\n",
               (long long)json_integer_value(json_object_get(o, "objects")),
               (long long)json_integer_value(json_object_get(o, "values")),
               (long long)json_integer_value(json_object_get(o, "postings")),
               (long long)json_integer_value(json_object_get(o, "texts")),
               (long long)json_integer_value(json_object_get(o, "memory_bytes")),
               (long long)json_integer_value(json_object_get(o, "warninglists")),
               str(o, "warninglist_dir")[0] ? str(o, "warninglist_dir") : "(none found)");
    } else {
        char what[256];
        if (value != NULL) {
            json_t *v = json_object_get(o, "value");
            snprintf(what, sizeof(what), "%s %s", str(v, "type"), str(v, "canonical"));
        } else {
            snprintf(what, sizeof(what), "%s %s", report ? "report" : "case",
                     report ? report : kase);
        }
        print_human(o, what);
    }
    json_decref(o);
    rk_store_close(s);
    return RK_EXIT_OK;
}

const struct rk_cli_cmd rk_cli_cmd_correlate = {
    "correlate", "related reports and cases of a report, case or value, with explanations",
    run_correlate};
