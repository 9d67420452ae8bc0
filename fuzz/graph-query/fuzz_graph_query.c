/*
 * Fuzz target of the graph query (rk_graph_neighbourhood): the HTTP handler passes the query
 * string's node, kinds, types, from, to, depth and limit straight through, so any bytes must give
 * either RK_OK with a well-formed answer (no more nodes than the limit, every edge between two
 * nodes of the answer, restricted nodes without a title) or an error naming one of those
 * parameters. Input: the seven values on seven lines; a node "*report" / "*case" stands for the
 * first report / case of the store, so the walk itself is exercised too.
 *
 * The store (a small demo data set in a temporary directory) is made once per process, in
 * LLVMFuzzerInitialize().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "renkei/parse.h"
#include "renkei/service.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fixture {
    struct rk_store *s;
    char dir[40];
    struct rk_actor analyst;
    char report[48], kase[48];
};

static void first_id(json_t *list, char *out, size_t n)
{
    json_t *it = json_array_get(json_object_get(list, "items"), 0);
    snprintf(out, n, "%s", it ? json_string_value(json_object_get(it, "id")) : "");
}

static struct fixture fx;

/* Closes the store and removes its directory when the process ends. */
static void cleanup(void)
{
    char path[96];
    rk_store_close(fx.s);
    fx.s = NULL;
    static const char *const files[] = {"renkei.db", "renkei.db-wal", "renkei.db-shm"};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", fx.dir, files[i]);
        unlink(path);
    }
    rmdir(fx.dir);
}

static struct fixture *fixture(void)
{
    static int ready;
    if (ready)
        return fx.s ? &fx : NULL;
    ready = 1;
    char path[128];
    snprintf(fx.dir, sizeof(fx.dir), "/tmp/rk-fuzz-graph-XXXXXX");
    if (mkdtemp(fx.dir) == NULL)
        return NULL;
    snprintf(path, sizeof(path), "%s/renkei.db", fx.dir);
    struct rk_error err = {0};
    json_t *out = NULL;
    struct rk_session sess;
    if (rk_store_open(path, &fx.s, &err) != RK_OK)
        return NULL;
    if (rk_demo_generate(fx.s, 1, 40, NULL, NULL, &out, &err) != RK_OK ||
        rk_auth_login(fx.s, "sousa1", "renkei-demo-analyst", "fuzz", &sess, &err) != RK_OK) {
        json_decref(out);
        rk_store_close(fx.s);
        fx.s = NULL;
        return NULL;
    }
    json_decref(out);
    /* Registered after OpenSSL registered its own exit handler (the store hashed with it), so
     * that the store is closed, and its audit writer stopped, before OpenSSL is torn down. */
    atexit(cleanup);
    fx.analyst = sess.actor;
    struct rk_report_query rq = {.limit = 1};
    struct rk_case_query cq = {.limit = 1};
    if (rk_report_list(fx.s, &fx.analyst, &rq, &out, &err) == RK_OK)
        first_id(out, fx.report, sizeof(fx.report));
    json_decref(out);
    out = NULL;
    if (rk_case_list(fx.s, &fx.analyst, &cq, &out, &err) == RK_OK)
        first_id(out, fx.kase, sizeof(fx.kase));
    json_decref(out);
    return &fx;
}

static int is_field(const char *f)
{
    static const char *const fields[] = {"node", "depth", "kinds", "types", "from", "to", "limit"};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        if (strcmp(f, fields[i]) == 0)
            return 1;
    return 0;
}

/* libFuzzer (and replay-main.c) call this once before any input, outside libFuzzer's per-input
 * time limit: the demo data set takes about ten seconds to make in the instrumented build, which
 * alone used to exceed fuzz-smoke's -timeout=10 on a slow machine. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (fixture() == NULL)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fixture *f = fixture();
    if (f == NULL)
        abort();
    /* Seven NUL-terminated lines (missing ones are empty). */
    char buf[4096];
    if (size >= sizeof(buf))
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    const char *line[7] = {"", "", "", "", "", "", ""};
    char *p = buf;
    for (int i = 0; i < 7 && p != NULL; i++) {
        line[i] = p;
        p = strchr(p, '\n');
        if (p != NULL)
            *p++ = '\0';
    }
    char node[4200];
    if (strcmp(line[0], "*report") == 0)
        snprintf(node, sizeof(node), "report:%s", f->report);
    else if (strcmp(line[0], "*case") == 0)
        snprintf(node, sizeof(node), "case:%s", f->kase);
    else
        snprintf(node, sizeof(node), "%s", line[0]);
    int64_t depth = 0, limit = 0;
    if (*line[5] && rk_parse_i64(line[5], strlen(line[5]), -10, 10, &depth) != RK_OK)
        depth = 1;
    if (*line[6] && rk_parse_i64(line[6], strlen(line[6]), -10, 5000, &limit) != RK_OK)
        limit = 0;
    struct rk_graph_query q = {.node = node,
                               .depth = (int)depth,
                               .kinds = line[1],
                               .types = line[2],
                               .from = line[3],
                               .to = line[4],
                               .limit = (int)limit,
                               .suppressed = (int)(size & 1)};
    json_t *out = NULL;
    struct rk_error err = {0};
    enum rk_status rc = rk_graph_neighbourhood(f->s, &f->analyst, &q, &out, &err);
    if (rc == RK_EINVAL && !is_field(err.field))
        abort();
    if (rc != RK_OK) {
        if (out != NULL)
            abort();
        return 0;
    }
    json_t *nodes = json_object_get(out, "nodes"), *edges = json_object_get(out, "edges");
    if (json_array_size(nodes) == 0 ||
        json_array_size(nodes) > (size_t)json_integer_value(json_object_get(out, "limit")))
        abort();
    json_t *ids = json_object();
    size_t i;
    json_t *v;
    json_array_foreach(nodes, i, v)
    {
        json_object_set_new(ids, json_string_value(json_object_get(v, "id")), json_true());
        if (json_is_true(json_object_get(v, "restricted")) && json_object_get(v, "title"))
            abort();
    }
    json_array_foreach(edges, i, v)
    {
        if (!json_object_get(ids, json_string_value(json_object_get(v, "source"))) ||
            !json_object_get(ids, json_string_value(json_object_get(v, "target"))))
            abort();
    }
    json_decref(ids);
    json_decref(out);
    return 0;
}
