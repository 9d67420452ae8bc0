/* The link-analysis graph over HTTP: GET /api/v1/graph/neighbourhood. The handler only reads
 * the query string; the walk and every need-to-know decision are the service's
 * (lib/model/graph-service.c). */
#include <string.h>

#include "http.h"
#include "renkei/parse.h"

/* An optional integer argument in [1, max]: a bad one is 422 naming the argument, like every
 * other bad value of this endpoint. */
static enum rk_status query_count(struct rk_http_req *req, struct rk_http_resp *resp,
                                  const char *name, int max, int *out)
{
    const char *v = rk_http_query(req, name);
    uint64_t n = 0;
    if (v == NULL || *v == '\0')
        return RK_OK;
    if (rk_parse_u64(v, strlen(v), (uint64_t)max, &n) != RK_OK || n == 0) {
        char msg[96];
        snprintf(msg, sizeof msg, "must be an integer from 1 to %d", max);
        rk_http_error(resp, RK_EINVAL, name, msg);
        return RK_EINVAL;
    }
    *out = (int)n;
    return RK_OK;
}

static void neighbourhood(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_graph_query q = {0};
    const char *supp = NULL;
    if (rk_http_query_str(req, resp, "node", &q.node) != RK_OK ||
        rk_http_query_str(req, resp, "kinds", &q.kinds) != RK_OK ||
        rk_http_query_str(req, resp, "types", &q.types) != RK_OK ||
        rk_http_query_str(req, resp, "from", &q.from) != RK_OK ||
        rk_http_query_str(req, resp, "to", &q.to) != RK_OK ||
        rk_http_query_str(req, resp, "suppressed", &supp) != RK_OK ||
        query_count(req, resp, "depth", RK_MAX_GRAPH_DEPTH, &q.depth) != RK_OK ||
        query_count(req, resp, "limit", RK_MAX_GRAPH_NODES, &q.limit) != RK_OK)
        return;
    if (supp != NULL && strcmp(supp, "1") != 0 && strcmp(supp, "0") != 0 &&
        strcmp(supp, "true") != 0 && strcmp(supp, "false") != 0) {
        rk_http_error(resp, RK_EINVAL, "suppressed", "must be 1, 0, true or false");
        return;
    }
    q.suppressed = supp != NULL && (strcmp(supp, "1") == 0 || strcmp(supp, "true") == 0);
    struct rk_error err = {0};
    json_t *out = NULL;
    enum rk_status rc = rk_graph_neighbourhood(req->store, &req->actor, &q, &out, &err);
    rk_http_reply(resp, rc, out, &err, 200);
}

static const struct rk_route routes[] = {
    {"GET", "/api/v1/graph/neighbourhood", neighbourhood, 0},
};

const struct rk_route_set rk_api_graph = {routes, sizeof routes / sizeof routes[0]};
