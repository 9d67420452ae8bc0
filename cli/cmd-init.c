/*
 * `renkei init --db FILE`: creates the database (schema at the newest migration), the root
 * org unit and a first admin user whose generated password is printed once (only its argon2id
 * hash is stored). Refuses to touch a database that already has users.
 */
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "renkei/service.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: renkei init --db FILE [--admin LOGIN] [--unit NAME]\n\n"
                 "Creates the database FILE with the newest schema, the root org unit NAME\n"
                 "(default 〇〇県警察本部) and an admin user LOGIN (default admin) whose\n"
                 "generated password is printed once. Fails if FILE already has users.\n\n"
                 "Exit status: 0 created, 1 failure, 2 usage error.\n");
}

/* 20 characters from an alphabet without look-alikes (no 0/O, 1/l/I). */
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

static int run_init(int argc, char **argv)
{
    const char *db = NULL, *admin = "admin", *unit = "〇〇県警察本部";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return RK_EXIT_OK;
        } else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
            db = argv[++i];
        } else if (strcmp(argv[i], "--admin") == 0 && i + 1 < argc) {
            admin = argv[++i];
        } else if (strcmp(argv[i], "--unit") == 0 && i + 1 < argc) {
            unit = argv[++i];
        } else {
            fprintf(stderr, "renkei init: unknown argument '%s'\n", argv[i]);
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
    json_t *users = NULL, *in = NULL, *o = NULL;
    int rc = RK_EXIT_FAIL;
    rk_actor_system(&sys);
    if (rk_store_open(db, &s, &err) != RK_OK) {
        fprintf(stderr, "renkei init: %s\n", err.message);
        return RK_EXIT_FAIL;
    }
    if (rk_user_list(s, &sys, &users, &err) != RK_OK)
        goto fail;
    if (json_array_size(json_object_get(users, "items")) > 0) {
        fprintf(stderr, "renkei init: %s already has users; nothing done\n", db);
        goto out;
    }
    in = json_pack("{s:s,s:s,s:s}", "name", unit, "name_en", "Prefectural Police HQ", "kind",
                   "hq_division");
    if (rk_unit_create(s, &sys, in, &o, &err) != RK_OK)
        goto fail;
    char unit_id[37];
    snprintf(unit_id, sizeof(unit_id), "%s", json_string_value(json_object_get(o, "id")));
    json_decref(in);
    json_decref(o);
    o = NULL;
    char pw[21];
    if (gen_password(pw, sizeof(pw)) != 0) {
        fprintf(stderr, "renkei init: no randomness\n");
        in = NULL;
        goto out;
    }
    in = json_pack("{s:s,s:s,s:s,s:s,s:s}", "login", admin, "password", pw, "name",
                   "システム管理者", "role", "admin", "unit_id", unit_id);
    if (rk_user_create(s, &sys, in, &o, &err) != RK_OK)
        goto fail;
    printf("created %s\n", db);
    printf("admin login: %s\npassword:    %s\n(shown once; change it with: renkei user passwd "
           "--db %s --login %s)\n",
           admin, pw, db, admin);
    rc = RK_EXIT_OK;
    goto out;
fail:
    fprintf(stderr, "renkei init: %s%s%s\n", err.message, err.field[0] ? " — " : "", err.field);
out:
    json_decref(users);
    json_decref(in);
    json_decref(o);
    rk_store_close(s);
    return rc;
}

const struct rk_cli_cmd rk_cli_cmd_init = {"init", "create a database with an admin user",
                                           run_init};
