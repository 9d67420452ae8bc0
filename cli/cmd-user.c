/*
 * `renkei user add|passwd|list|disable --db FILE ...`: user administration from the command
 * line, acting as the installation itself (rk_actor_system); every change is audited like one
 * made through the API. A password is read from stdin with --password-stdin, or generated and
 * printed once; it is never taken from the command line, where `ps` would show it.
 */
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "renkei/service.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: renkei user add     --db FILE --login LOGIN --role ROLE --unit UNIT\n"
            "                           [--name NAME] [--password-stdin]\n"
            "       renkei user passwd  --db FILE --login LOGIN [--password-stdin]\n"
            "       renkei user list    --db FILE [--json]\n"
            "       renkei user disable --db FILE --login LOGIN\n"
            "       renkei user enable  --db FILE --login LOGIN\n\n"
            "ROLE is station, analyst, supervisor, admin or partner. UNIT is a unit's id or\n"
            "its exact name (e.g. 東浜警察署). Without --password-stdin a password is\n"
            "generated and printed once. Disabling a user ends their sessions.\n\n"
            "Exit status: 0 done, 1 failure, 2 usage error.\n");
}

static int gen_password(char *out, size_t n)
{
    static const char alpha[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    unsigned char b[64];
    if (n > sizeof(b) || RAND_bytes(b, (int)n) != 1)
        return -1;
    for (size_t i = 0; i + 1 < n; i++)
        out[i] = alpha[b[i] % (sizeof(alpha) - 1)];
    out[n - 1] = '\0';
    return 0;
}

/* Reads one line from stdin, or generates a password; `*generated` tells which. */
static int get_password(int from_stdin, char *out, size_t n, int *generated)
{
    *generated = !from_stdin;
    if (!from_stdin)
        return gen_password(out, 21 < n ? 21 : n);
    if (fgets(out, (int)n, stdin) == NULL)
        return -1;
    out[strcspn(out, "\r\n")] = '\0';
    return 0;
}

static void print_err(const char *what, const struct rk_error *err)
{
    fprintf(stderr, "renkei user %s: %s%s%s\n", what, err->message, err->field[0] ? " — " : "",
            err->field);
}

static int find_unit(struct rk_store *s, const struct rk_actor *sys, const char *key,
                     char out[37])
{
    json_t *l = NULL;
    struct rk_error err = {0};
    if (rk_unit_list(s, sys, &l, &err) != RK_OK)
        return -1;
    size_t i;
    json_t *e;
    int found = -1;
    json_array_foreach(json_object_get(l, "items"), i, e)
    {
        if (strcmp(json_string_value(json_object_get(e, "id")), key) == 0 ||
            strcmp(json_string_value(json_object_get(e, "name")), key) == 0) {
            snprintf(out, 37, "%s", json_string_value(json_object_get(e, "id")));
            found = 0;
        }
    }
    json_decref(l);
    return found;
}

static int find_user(struct rk_store *s, const struct rk_actor *sys, const char *login,
                     char out[37])
{
    json_t *u = NULL;
    struct rk_error err = {0};
    if (rk_user_find(s, sys, login, &u, &err) != RK_OK) {
        fprintf(stderr, "renkei user: no user with login '%s'\n", login);
        return -1;
    }
    snprintf(out, 37, "%s", json_string_value(json_object_get(u, "id")));
    json_decref(u);
    return 0;
}

static int run_user(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? RK_EXIT_USAGE : RK_EXIT_OK;
    }
    const char *sub = argv[1];
    const char *db = NULL, *login = NULL, *role = NULL, *unit = NULL, *name = NULL;
    int pw_stdin = 0, json = 0;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return RK_EXIT_OK;
        } else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
            db = argv[++i];
        } else if (strcmp(argv[i], "--login") == 0 && i + 1 < argc) {
            login = argv[++i];
        } else if (strcmp(argv[i], "--role") == 0 && i + 1 < argc) {
            role = argv[++i];
        } else if (strcmp(argv[i], "--unit") == 0 && i + 1 < argc) {
            unit = argv[++i];
        } else if (strcmp(argv[i], "--name") == 0 && i + 1 < argc) {
            name = argv[++i];
        } else if (strcmp(argv[i], "--password-stdin") == 0) {
            pw_stdin = 1;
        } else if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else {
            fprintf(stderr, "renkei user: unknown argument '%s'\n", argv[i]);
            usage(stderr);
            return RK_EXIT_USAGE;
        }
    }
    int is_add = strcmp(sub, "add") == 0, is_passwd = strcmp(sub, "passwd") == 0;
    int is_list = strcmp(sub, "list") == 0, is_disable = strcmp(sub, "disable") == 0;
    int is_enable = strcmp(sub, "enable") == 0;
    if (!(is_add || is_passwd || is_list || is_disable || is_enable) || db == NULL ||
        (!is_list && login == NULL) || (is_add && (role == NULL || unit == NULL))) {
        usage(stderr);
        return RK_EXIT_USAGE;
    }
    struct rk_store *s = NULL;
    struct rk_error err = {0};
    struct rk_actor sys;
    json_t *in = NULL, *o = NULL;
    char pw[300], id[37];
    int generated = 0, rc = RK_EXIT_FAIL;
    rk_actor_system(&sys);
    if (rk_store_open(db, &s, &err) != RK_OK) {
        print_err(sub, &err);
        return RK_EXIT_FAIL;
    }
    if (is_list) {
        if (rk_user_list(s, &sys, &o, &err) != RK_OK) {
            print_err(sub, &err);
            goto out;
        }
        if (json) {
            char *t = json_dumps(json_object_get(o, "items"), JSON_COMPACT);
            printf("%s\n", t ? t : "[]");
            json_free_t f = NULL;
            json_get_alloc_funcs(NULL, &f);
            f(t);
        } else {
            size_t i;
            json_t *e;
            printf("%-16s %-11s %-8s %s\n", "login", "role", "status", "unit");
            json_array_foreach(json_object_get(o, "items"), i, e)
            {
                printf("%-16s %-11s %-8s %s\n", json_string_value(json_object_get(e, "login")),
                       json_string_value(json_object_get(e, "role")),
                       json_is_true(json_object_get(e, "disabled")) ? "disabled" : "active",
                       json_string_value(json_object_get(json_object_get(e, "unit"), "name")));
            }
        }
        rc = RK_EXIT_OK;
        goto out;
    }
    if (is_add) {
        char unit_id[37];
        if (find_unit(s, &sys, unit, unit_id) != 0) {
            fprintf(stderr, "renkei user add: no unit '%s' (see GET /api/v1/units)\n", unit);
            goto out;
        }
        if (get_password(pw_stdin, pw, sizeof(pw), &generated) != 0) {
            fprintf(stderr, "renkei user add: no password read\n");
            goto out;
        }
        in = json_pack("{s:s,s:s,s:s,s:s,s:s}", "login", login, "password", pw, "name",
                       name ? name : login, "role", role, "unit_id", unit_id);
        if (in == NULL || rk_user_create(s, &sys, in, &o, &err) != RK_OK) {
            print_err(sub, &err);
            goto out;
        }
        printf("added %s (%s)\n", login, role);
    } else {
        if (find_user(s, &sys, login, id) != 0)
            goto out;
        if (is_passwd) {
            if (get_password(pw_stdin, pw, sizeof(pw), &generated) != 0) {
                fprintf(stderr, "renkei user passwd: no password read\n");
                goto out;
            }
            in = json_pack("{s:s}", "password", pw);
        } else {
            in = json_pack("{s:b}", "disabled", is_disable);
        }
        if (in == NULL || rk_user_update(s, &sys, id, in, &o, &err) != RK_OK) {
            print_err(sub, &err);
            goto out;
        }
        printf("%s %s\n", is_passwd ? "password changed for" : is_disable ? "disabled" : "enabled",
               login);
    }
    if (generated)
        printf("password: %s\n(shown once)\n", pw);
    rc = RK_EXIT_OK;
out:
    memset(pw, 0, sizeof(pw));
    json_decref(in);
    json_decref(o);
    rk_store_close(s);
    return rc;
}

const struct rk_cli_cmd rk_cli_cmd_user = {"user", "add, list, disable users; set passwords",
                                           run_user};
