/*
 * `renkei groups --db FILE [--json]`: the confirmed groups (name, aliases, actor, members, open
 * flags of new cases touching them) and the candidate groups of reports and cases that share
 * rare values (bank accounts, phone numbers, hosts, ...), each with the values that tie it.
 * `renkei groups confirm --db FILE --name NAME MEMBER...` confirms a group from its members
 * (reference numbers such as R2026-000123 / C2026-000045, or report:UUID / case:UUID).
 * Runs as the installation (rk_actor_system).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "renkei/service.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: renkei groups --db FILE [--json]\n"
                 "       renkei groups confirm --db FILE --name NAME [--json] MEMBER...\n\n"
                 "Clusters the reports and cases of FILE by the values they share, after\n"
                 "removing warninglisted and too common values. Lists the confirmed groups\n"
                 "first (name, aliases, actor, open flags: new reports or cases touching\n"
                 "the group), then the candidate groups (largest first), each with the\n"
                 "values that tie it.\n\n"
                 "confirm: confirms a group of the given members under NAME. A MEMBER is a\n"
                 "reference number (R2026-000123 for a report, C2026-000045 for a case) or\n"
                 "report:UUID / case:UUID. Later reports and cases that share a linking\n"
                 "value with a member are flagged as newly related.\n\n"
                 "Runs as the installation itself: every report and case is readable.\n"
                 "Exit status: 0 ok, 1 failure, 2 usage error.\n");
}

static const char *str(json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "";
}

/* "R2026-000123", "C2026-000045", "report:UUID" or "case:UUID" as a member reference. */
static json_t *member_arg(const char *a)
{
    if (strncmp(a, "report:", 7) == 0)
        return json_pack("{s:s,s:s}", "kind", "report", "id", a + 7);
    if (strncmp(a, "case:", 5) == 0)
        return json_pack("{s:s,s:s}", "kind", "case", "id", a + 5);
    return json_pack("{s:s,s:s}", "kind", a[0] == 'C' ? "case" : "report", "ref", a);
}

static int run_confirm(int argc, char **argv)
{
    const char *db = NULL, *name = NULL;
    int json = 0;
    json_t *members = json_array();
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            json_decref(members);
            usage(stdout);
            return RK_EXIT_OK;
        } else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
            db = argv[++i];
        } else if (strcmp(argv[i], "--name") == 0 && i + 1 < argc) {
            name = argv[++i];
        } else if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "renkei groups confirm: unknown argument '%s'\n", argv[i]);
            json_decref(members);
            usage(stderr);
            return RK_EXIT_USAGE;
        } else {
            json_array_append_new(members, member_arg(argv[i]));
        }
    }
    if (db == NULL || name == NULL || json_array_size(members) == 0) {
        json_decref(members);
        usage(stderr);
        return RK_EXIT_USAGE;
    }
    struct rk_store *s = NULL;
    struct rk_error err = {0};
    struct rk_actor sys;
    json_t *in = json_pack("{s:s,s:o}", "name", name, "members", members), *o = NULL;
    rk_actor_system(&sys);
    if (rk_store_open(db, &s, &err) != RK_OK || rk_group_confirm(s, &sys, in, &o, &err) != RK_OK) {
        fprintf(stderr, "renkei groups confirm: %s%s%s\n", err.message, err.field[0] ? ": " : "",
                err.field);
        json_decref(in);
        rk_store_close(s);
        return RK_EXIT_FAIL;
    }
    if (json) {
        char *t = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
        if (t != NULL)
            printf("%s\n", t);
        json_free_t f = NULL;
        json_get_alloc_funcs(NULL, &f);
        f(t);
    } else {
        printf("confirmed %s \"%s\" (%zu members)\n", str(o, "id"), str(o, "name"),
               json_array_size(json_object_get(o, "members")));
    }
    json_decref(in);
    json_decref(o);
    rk_store_close(s);
    return RK_EXIT_OK;
}

static int run_groups(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "confirm") == 0)
        return run_confirm(argc, argv);
    const char *db = NULL;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return RK_EXIT_OK;
        } else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
            db = argv[++i];
        } else if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else {
            fprintf(stderr, "renkei groups: unknown argument '%s'\n", argv[i]);
            usage(stderr);
            return RK_EXIT_USAGE;
        }
    }
    if (db == NULL) {
        usage(stderr);
        return RK_EXIT_USAGE;
    }
    struct rk_store *s = NULL;
    struct rk_error err = {0};
    struct rk_actor sys;
    json_t *o = NULL;
    rk_actor_system(&sys);
    if (rk_store_open(db, &s, &err) != RK_OK || rk_group_list(s, &sys, &o, &err) != RK_OK) {
        fprintf(stderr, "renkei groups: %s\n", err.message);
        rk_store_close(s);
        return RK_EXIT_FAIL;
    }
    json_t *items = json_object_get(o, "items");
    if (json) {
        char *t = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
        if (t != NULL)
            printf("%s\n", t);
        json_free_t f = NULL;
        json_get_alloc_funcs(NULL, &f);
        f(t);
    } else {
        printf("%zu group%s\n", json_array_size(items), json_array_size(items) == 1 ? "" : "s");
        size_t i, k;
        json_t *g, *x;
        json_array_foreach(items, i, g)
        {
            json_t *m = json_object_get(g, "members");
            if (json_is_true(json_object_get(g, "confirmed"))) {
                printf("%s \"%s\" (confirmed, %zu members, %lld open flags)\n", str(g, "id"),
                       str(g, "name"), json_array_size(m),
                       (long long)json_integer_value(json_object_get(g, "flags_open")));
                json_t *al = json_object_get(g, "aliases"), *act = json_object_get(g, "actor");
                if (json_array_size(al) > 0) {
                    printf("  aliases:");
                    json_array_foreach(al, k, x)
                    {
                        printf("%s %s", k ? "," : "", json_string_value(x));
                    }
                    printf("\n");
                }
                if (json_is_object(act))
                    printf("  actor: %s %s\n", str(act, "name_ja"), str(act, "name_en"));
            } else {
                printf("%s (%s, %zu members)\n", str(g, "id"), str(g, "status"),
                       json_array_size(m));
            }
            printf("  tied by:");
            json_array_foreach(json_object_get(g, "ties"), k, x)
            {
                printf("%s %s %s (%lld)", k ? ";" : "", str(x, "type"), str(x, "value"),
                       (long long)json_integer_value(json_object_get(x, "members")));
            }
            printf("\n");
            /* The first members; --json lists them all. */
            json_array_foreach(m, k, x)
            {
                if (k == 10) {
                    printf("  ... and %zu more (--json lists all)\n", json_array_size(m) - k);
                    break;
                }
                printf("  - %s %s  %s\n", str(x, "kind"), str(x, "ref"), str(x, "title"));
            }
        }
    }
    json_decref(o);
    rk_store_close(s);
    return RK_EXIT_OK;
}

const struct rk_cli_cmd rk_cli_cmd_groups = {
    "groups", "confirmed and candidate groups of related reports and cases", run_groups};
