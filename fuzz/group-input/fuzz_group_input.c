/*
 * Fuzz target for the request bodies of the group service: every input that parses as JSON is
 * given, as an analyst, to confirm, members, update, split, merge, flag acknowledgement and
 * actor creation on a real store (created once per process in a temporary directory, holding
 * two reports that share a phone number and one confirmed group). Validation must refuse bad
 * input with an error naming the field and never crash, leak or write half a change.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "renkei/service.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The store lives for the whole fuzzing process (libFuzzer calls the target millions of
 * times; opening a store per input would measure SQLite, not the validation). */
static struct {
    struct rk_store *s;
    struct rk_actor analyst;
    char dir[64], gid[37];
} fx;

static void fx_cleanup(void)
{
    char path[128];
    rk_store_close(fx.s);
    static const char *const files[] = {"renkei.db", "renkei.db-wal", "renkei.db-shm"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", fx.dir, files[i]);
        unlink(path);
    }
    rmdir(fx.dir);
}

static const char *id_of(json_t *o)
{
    return json_string_value(json_object_get(o, "id"));
}

static int fx_init(void)
{
    struct rk_error err = {0};
    struct rk_actor sys;
    char path[128];
    json_t *o = NULL, *in;
    snprintf(fx.dir, sizeof fx.dir, "/tmp/rk-fuzz-group-XXXXXX");
    if (mkdtemp(fx.dir) == NULL)
        return -1;
    snprintf(path, sizeof path, "%s/renkei.db", fx.dir);
    if (rk_store_open(path, &fx.s, &err) != RK_OK)
        return -1;
    rk_actor_system(&sys);
    in = json_pack("{s:s,s:s}", "name", "サイバー捜査課", "kind", "hq_division");
    if (rk_unit_create(fx.s, &sys, in, &o, &err) != RK_OK)
        return -1;
    json_decref(in);
    char unit[37];
    snprintf(unit, sizeof unit, "%s", id_of(o));
    json_decref(o);
    in = json_pack("{s:s,s:s,s:s,s:s,s:s}", "login", "fuzz", "password", "fuzz-password-123",
                   "name", "fuzz", "role", "analyst", "unit_id", unit);
    if (rk_user_create(fx.s, &sys, in, &o, &err) != RK_OK)
        return -1;
    json_decref(in);
    snprintf(fx.analyst.user_id, sizeof fx.analyst.user_id, "%s", id_of(o));
    snprintf(fx.analyst.unit_id, sizeof fx.analyst.unit_id, "%s", unit);
    snprintf(fx.analyst.login, sizeof fx.analyst.login, "fuzz");
    fx.analyst.role = RK_ROLE_ANALYST;
    json_decref(o);
    json_t *members = json_array();
    for (int i = 0; i < 2; i++) {
        in = json_pack("{s:s,s:s,s:s,s:s,s:s}", "intake_type", "sodan", "channel", "denwa",
                       "category", "phishing", "title", "架空の通報", "narrative",
                       "090-3141-5926 から https://fuzz-kakuu.xyz/a に誘導された。");
        if (rk_report_create(fx.s, &fx.analyst, in, &o, &err) != RK_OK)
            return -1;
        json_decref(in);
        json_array_append_new(members, json_pack("{s:s,s:s}", "kind", "report", "id", id_of(o)));
        json_decref(o);
    }
    in = json_pack("{s:s,s:o}", "name", "架空グループ", "members", members);
    if (rk_group_confirm(fx.s, &fx.analyst, in, &o, &err) != RK_OK)
        return -1;
    json_decref(in);
    snprintf(fx.gid, sizeof fx.gid, "%s", id_of(o));
    json_decref(o);
    /* Registered last, so that it runs before OpenSSL's own exit handler (registered at its
     * first use above): the store's audit writer hashes with OpenSSL until the store closes. */
    atexit(fx_cleanup);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (fx.s == NULL && fx_init() != 0)
        abort();
    json_t *in = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
    if (in == NULL)
        return 0;
    struct rk_error err;
    json_t *out = NULL;
    const struct rk_actor *a = &fx.analyst;
    memset(&err, 0, sizeof err);
    if (rk_group_confirm(fx.s, a, in, &out, &err) == RK_OK)
        json_decref(out);
    out = NULL;
    if (rk_group_members(fx.s, a, fx.gid, in, &out, &err) == RK_OK)
        json_decref(out);
    out = NULL;
    if (rk_group_split(fx.s, a, fx.gid, in, &out, &err) == RK_OK)
        json_decref(out);
    out = NULL;
    if (rk_group_merge(fx.s, a, fx.gid, in, &out, &err) == RK_OK)
        json_decref(out);
    out = NULL;
    if (rk_group_flag_ack(fx.s, a, fx.gid, "00000000-0000-4000-8000-000000000000", in, &out,
                          &err) == RK_OK)
        json_decref(out);
    out = NULL;
    if (rk_actor_create(fx.s, a, in, &out, &err) == RK_OK)
        json_decref(out);
    out = NULL;
    /* Last: an update may dissolve the group, after which the calls above answer "conflict". */
    if (rk_group_update(fx.s, a, fx.gid, in, &out, &err) == RK_OK)
        json_decref(out);
    json_decref(in);
    return 0;
}
