/*
 * `renkei audit verify --db FILE [--json]`: checks the hash chain of the audit log and reports
 * the first broken link (an event edited, inserted or removed after it was written).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "renkei/service.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: renkei audit verify --db FILE [--json]\n\n"
                 "Recomputes the SHA-256 hash chain of the audit log of FILE and reports the\n"
                 "first event whose link is broken.\n\n"
                 "Exit status: 0 chain intact, 1 chain broken or failure, 2 usage error.\n");
}

static int run_audit(int argc, char **argv)
{
    const char *db = NULL;
    int json = 0;
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? RK_EXIT_USAGE : RK_EXIT_OK;
    }
    if (strcmp(argv[1], "verify") != 0) {
        fprintf(stderr, "renkei audit: unknown subcommand '%s'\n", argv[1]);
        usage(stderr);
        return RK_EXIT_USAGE;
    }
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return RK_EXIT_OK;
        } else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
            db = argv[++i];
        } else if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else {
            fprintf(stderr, "renkei audit: unknown argument '%s'\n", argv[i]);
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
    json_t *o = NULL;
    if (rk_store_open(db, &s, &err) != RK_OK || rk_audit_verify(s, &o, &err) != RK_OK) {
        fprintf(stderr, "renkei audit: %s\n", err.message);
        rk_store_close(s);
        return RK_EXIT_FAIL;
    }
    int ok = json_is_true(json_object_get(o, "ok"));
    if (json) {
        char *t = json_dumps(o, JSON_COMPACT);
        if (t != NULL)
            printf("%s\n", t);
        json_free_t f = NULL;
        json_get_alloc_funcs(NULL, &f);
        f(t);
    } else if (ok) {
        printf("ok: %lld events, chain intact\n",
               (long long)json_integer_value(json_object_get(o, "events")));
    } else {
        printf("BROKEN at event %s: %s\n",
               json_string_value(json_object_get(o, "first_broken")),
               json_string_value(json_object_get(o, "reason")));
    }
    json_decref(o);
    rk_store_close(s);
    return ok ? RK_EXIT_OK : RK_EXIT_FAIL;
}

const struct rk_cli_cmd rk_cli_cmd_audit = {"audit", "verify the hash-chained audit log",
                                            run_audit};
