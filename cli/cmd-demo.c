/*
 * `renkei demo --db FILE [--seed N] [--reports N]`: fills an empty database with the fictional
 * demo data set and prints the demo log-ins; `renkei demo --logins` prints them at any time.
 * Progress goes to stderr.
 */
#include <stdio.h>
#include <unistd.h>
#include <string.h>

#include "cli.h"
#include "renkei/parse.h"
#include "renkei/service.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: renkei demo --db FILE [--seed N] [--reports N] [--json]\n"
            "       renkei demo --logins [--json]\n\n"
            "Fills the empty database FILE (created if missing) with a fictional data set:\n"
            "10 police stations, HQ divisions, the NPA and a partner; users for every role;\n"
            "N reports (default 320) over the last 12 months in every category, with\n"
            "Japanese narratives and recurring observables; about 30 cases. The same seed\n"
            "(default 1) gives the same content. Prints the demo log-ins, which\n"
            "--logins prints again at any later time. Demo passwords are public: never\n"
            "load the demo into a real installation. --json prints\n"
            "{\"logins\":[{\"login\",\"password\",\"role\",\"unit\"}],\"reports\":N,\"cases\":M}.\n\n"
            "Exit status: 0 done, 1 failure (e.g. the database already has reports),\n"
            "2 usage error.\n");
}

/* On a terminal the progress line rewrites itself; in a log (make run, CI) each update is a
 * line of its own so that the log stays readable. */
static void progress(uint64_t done, uint64_t total, void *ud)
{
    (void)ud;
    int tty = isatty(STDERR_FILENO);
    fprintf(stderr, "%srenkei demo: %llu/%llu", tty ? "\r" : "", (unsigned long long)done,
            (unsigned long long)total);
    if (!tty || done == total)
        fputc('\n', stderr);
}

static void print_logins(json_t *logins)
{
    size_t i;
    json_t *e;
    printf("%-14s %-24s %-11s %s\n", "login", "password", "role", "unit");
    json_array_foreach(logins, i, e)
    {
        printf("%-14s %-24s %-11s %s\n", json_string_value(json_object_get(e, "login")),
               json_string_value(json_object_get(e, "password")),
               json_string_value(json_object_get(e, "role")),
               json_string_value(json_object_get(e, "unit")));
    }
}

static void print_json(json_t *o)
{
    char *t = json_dumps(o, JSON_COMPACT);
    if (t != NULL)
        printf("%s\n", t);
    json_free_t f = NULL;
    json_get_alloc_funcs(NULL, &f);
    f(t);
}

static int run_demo(int argc, char **argv)
{
    const char *db = NULL;
    uint64_t seed = 1, reports = 320;
    int logins_only = 0, json = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return RK_EXIT_OK;
        } else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
            db = argv[++i];
        } else if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (strcmp(argv[i], "--logins") == 0) {
            logins_only = 1;
        } else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
            i++;
            if (rk_parse_u64(argv[i], strlen(argv[i]), UINT64_MAX, &seed) != RK_OK) {
                fprintf(stderr, "renkei demo: --seed wants a number\n");
                return RK_EXIT_USAGE;
            }
        } else if (strcmp(argv[i], "--reports") == 0 && i + 1 < argc) {
            i++;
            if (rk_parse_u64(argv[i], strlen(argv[i]), 10000000, &reports) != RK_OK ||
                reports == 0) {
                fprintf(stderr, "renkei demo: --reports wants 1 to 10000000\n");
                return RK_EXIT_USAGE;
            }
        } else {
            fprintf(stderr, "renkei demo: unknown argument '%s'\n", argv[i]);
            usage(stderr);
            return RK_EXIT_USAGE;
        }
    }
    if (logins_only) {
        json_t *l = NULL;
        if (rk_demo_logins(&l) != RK_OK)
            return RK_EXIT_FAIL;
        if (json) {
            json_t *o = json_pack("{s:o}", "logins", l);
            print_json(o);
            json_decref(o);
        } else {
            print_logins(l);
            json_decref(l);
        }
        return RK_EXIT_OK;
    }
    if (db == NULL) {
        usage(stderr);
        return RK_EXIT_USAGE;
    }
    struct rk_store *s = NULL;
    struct rk_error err = {0};
    json_t *o = NULL;
    if (rk_store_open(db, &s, &err) != RK_OK ||
        rk_demo_generate(s, seed, (int)reports, progress, NULL, &o, &err) != RK_OK) {
        fprintf(stderr, "\nrenkei demo: %s%s%s\n", err.message, err.field[0] ? " — " : "",
                err.field);
        rk_store_close(s);
        return RK_EXIT_FAIL;
    }
    if (json) {
        print_json(o);
    } else {
        printf("demo data: %lld reports, %lld cases in %s\n\n",
               (long long)json_integer_value(json_object_get(o, "reports")),
               (long long)json_integer_value(json_object_get(o, "cases")), db);
        print_logins(json_object_get(o, "logins"));
    }
    json_decref(o);
    rk_store_close(s);
    return RK_EXIT_OK;
}

const struct rk_cli_cmd rk_cli_cmd_demo = {"demo", "load the fictional demo data set",
                                           run_demo};
