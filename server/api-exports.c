/* /api/v1/exports/{format}: the store's indicators as one file for a network sensor (Suricata
 * rules or one dataset, a Zeek Intel file, a DNS RPZ zone, one blocklist), for an audience.
 * The body is the file itself, with Content-Disposition naming it and X-Renkei-Count giving
 * the number of indicators; errors are JSON as everywhere. Who may export, the sharing rule and
 * the audit event are the service's (lib/share/export-sensor.c). */
#include "http.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "renkei/alloc.h"

static void export_get(struct rk_http_req *req, struct rk_http_resp *resp)
{
    struct rk_export_opts o = {.format = req->params[0]};
    int sid_base = 0;
    if (rk_http_query_str(req, resp, "audience", &o.audience) != RK_OK ||
        rk_http_query_str(req, resp, "type", &o.type) != RK_OK ||
        rk_http_query_str(req, resp, "tlp_max", &o.tlp_max) != RK_OK ||
        rk_http_query_int(req, resp, "sid_base", INT_MAX, &sid_base) != RK_OK)
        return;
    o.sid_base = sid_base;
    if (!rk_export_format_valid(o.format)) {
        rk_http_error(resp, RK_ENOTFOUND, "format",
                      "no such export format (suricata-datasets, suricata-rules, zeek-intel, "
                      "rpz, blocklist)");
        return;
    }
    /* One request, one file: a format that writes a file per type needs the type. */
    if (rk_export_format_per_type(o.format) && o.type == NULL) {
        rk_http_error(resp, RK_EINVAL, "type", "this format writes one file per type; give type");
        return;
    }
    struct rk_error err = {0};
    struct rk_export *x = NULL;
    enum rk_status rc = rk_export_sensor(req->store, &req->actor, &o, &x, &err);
    if (rc != RK_OK) {
        rk_http_error_from(resp, rc, &err);
        return;
    }
    if (x->nfiles != 1) {
        rk_export_destroy(x);
        rk_http_error(resp, RK_EINVAL, "type", "this export makes more than one file");
        return;
    }
    struct rk_export_file *f = &x->files[0];
    resp->status = 200;
    resp->raw = f->data;
    resp->raw_len = f->len;
    resp->raw_type = f->content_type;
    f->data = NULL;
    snprintf(resp->disposition, sizeof(resp->disposition), "attachment; filename=\"%s\"", f->name);
    snprintf(resp->count, sizeof(resp->count), "%llu", (unsigned long long)x->count);
    rk_export_destroy(x);
}

static const struct rk_route routes[] = {
    {"GET", "/api/v1/exports/{format}", export_get, 0},
};

const struct rk_route_set rk_api_exports = {routes, sizeof routes / sizeof routes[0]};
