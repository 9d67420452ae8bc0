/*
 * The daemon: libmicrohttpd with its own polling threads, a pool of workers
 * (MHD_USE_INTERNAL_POLLING_THREAD + MHD_OPTION_THREAD_POOL_SIZE), each worker running requests
 * to completion. The store is thread-safe (service.h), so workers share it and nothing else:
 * every request's state lives in its connection context, and the server keeps no global
 * mutable state.
 *
 * A request goes: body accumulated up to RK_MAX_HTTP_BODY (refused at once when the
 * Content-Length says it is larger) → static UI or route lookup → identity (API key, else
 * session cookie + CSRF header on writes) → JSON body parse → the route's handler → JSON
 * rendered with the security headers. Each step that fails answers with the JSON error of
 * docs/api.md and stops, so nothing is written on a refused request.
 */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "renkei/alloc.h"
#include "renkei/buf.h"
#include "renkei/parse.h"

struct rk_http_server {
    struct MHD_Daemon *daemon;
    struct rk_store *store;
    int tls;
    unsigned port;
    struct rk_http_sweep_runner *sweep; /* runs queued sweep jobs (http-upload.c) */
};

/* Per-connection state of one request, freed by request_completed(). */
struct req_ctx {
    struct rk_buf body;
    int too_big;
    /* The streamed upload route (http-upload.c): the body goes to `upload`, never to `body`. */
    int is_upload;
    int responded; /* an error was sent before the body was read */
    struct rk_sweep_upload *upload;
    struct rk_error upload_err; /* the first write error; answered once the body is in */
};

/* ===== Query arguments ===== */

const char *rk_http_query(const struct rk_http_req *req, const char *name)
{
    if (req->conn == NULL)
        return NULL;
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

enum rk_status rk_http_query_int(const struct rk_http_req *req, struct rk_http_resp *resp,
                                 const char *name, int max, int *out)
{
    const char *v = rk_http_query(req, name);
    uint64_t n;
    if (v == NULL)
        return RK_OK;
    if (rk_parse_u64(v, strlen(v), (uint64_t)max, &n) != RK_OK) {
        char msg[96];
        snprintf(msg, sizeof msg, "must be an integer from 0 to %d", max);
        rk_http_error(resp, RK_EINVAL, name, msg);
        resp->status = 400;
        return RK_EINVAL;
    }
    *out = (int)n;
    return RK_OK;
}

enum rk_status rk_http_query_str(const struct rk_http_req *req, struct rk_http_resp *resp,
                                 const char *name, const char **out)
{
    const char *v = rk_http_query(req, name);
    if (v != NULL && strlen(v) > RK_MAX_HTTP_QUERY_VALUE) {
        char msg[96];
        snprintf(msg, sizeof msg, "longer than %u bytes", RK_MAX_HTTP_QUERY_VALUE);
        rk_http_error(resp, RK_EINVAL, name, msg);
        resp->status = 400;
        return RK_EINVAL;
    }
    if (v != NULL && rk_http_utf8_check(v, strlen(v)) != strlen(v)) {
        rk_http_error(resp, RK_EINVAL, name, "invalid UTF-8");
        resp->status = 400;
        return RK_EINVAL;
    }
    *out = v != NULL && v[0] != '\0' ? v : NULL;
    return RK_OK;
}

/* ===== Responses ===== */

static void add_security_headers(struct MHD_Response *r)
{
    MHD_add_response_header(r, "Content-Security-Policy",
                            "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
                            "form-action 'self'");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
}

static void free_body(void *p)
{
    rk_free(p);
}

static int dump_cb(const char *buffer, size_t size, void *data)
{
    return rk_buf_add(data, buffer, size) == RK_OK ? 0 : -1;
}

/* Sends 204 No Content (a DELETE that has nothing to return). */
static enum MHD_Result send_empty(struct MHD_Connection *conn, const struct rk_http_resp *resp)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (r == NULL)
        return MHD_NO;
    MHD_add_response_header(r, "Cache-Control", "no-store");
    add_security_headers(r);
    if (resp->set_cookie[0] != '\0')
        MHD_add_response_header(r, "Set-Cookie", resp->set_cookie);
    enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_NO_CONTENT, r);
    MHD_destroy_response(r);
    return ret;
}

/* Sends a file download (resp->raw, released here). */
static enum MHD_Result send_raw(struct MHD_Connection *conn, struct rk_http_resp *resp)
{
    char *data = resp->raw;
    resp->raw = NULL;
    json_decref(resp->json);
    resp->json = NULL;
    struct MHD_Response *r =
        MHD_create_response_from_buffer_with_free_callback(resp->raw_len, data, free_body);
    if (r == NULL) {
        rk_free(data);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", resp->raw_type);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    if (resp->disposition[0] != '\0')
        MHD_add_response_header(r, "Content-Disposition", resp->disposition);
    if (resp->count[0] != '\0')
        MHD_add_response_header(r, "X-Renkei-Count", resp->count);
    add_security_headers(r);
    if (resp->set_cookie[0] != '\0')
        MHD_add_response_header(r, "Set-Cookie", resp->set_cookie);
    enum MHD_Result ret = MHD_queue_response(conn, resp->status != 0 ? resp->status : 200, r);
    MHD_destroy_response(r);
    return ret;
}

/* Sends `resp` (its JSON is released here). */
static enum MHD_Result send_json(struct MHD_Connection *conn, struct rk_http_resp *resp)
{
    if (resp->raw != NULL)
        return send_raw(conn, resp);
    struct rk_buf b;
    rk_buf_init(&b, 0);
    unsigned status = resp->status != 0 ? resp->status : 500;
    if (status == 204 && resp->json == NULL)
        return send_empty(conn, resp);
    if (resp->json == NULL || json_dump_callback(resp->json, dump_cb, &b, JSON_COMPACT) != 0) {
        rk_buf_reset(&b);
        status = 500;
        rk_buf_adds(&b, "{\"error\":{\"code\":\"out_of_memory\",\"message\":\"cannot render "
                        "the response\",\"field\":\"\"}}");
    }
    json_decref(resp->json);
    resp->json = NULL;
    size_t len = b.len;
    char *data = rk_buf_steal(&b);
    rk_buf_free(&b);
    if (data == NULL)
        return MHD_NO;
    struct MHD_Response *r =
        MHD_create_response_from_buffer_with_free_callback(len, data, free_body);
    if (r == NULL) {
        rk_free(data);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    add_security_headers(r);
    if (resp->set_cookie[0] != '\0')
        MHD_add_response_header(r, "Set-Cookie", resp->set_cookie);
    enum MHD_Result ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_error(struct MHD_Connection *conn, unsigned status, int rc,
                                  const char *field, const char *message)
{
    struct rk_http_resp resp = {0};
    rk_http_error(&resp, rc, field, message);
    resp.status = status;
    return send_json(conn, &resp);
}

static enum MHD_Result send_static(struct MHD_Connection *conn, const struct rk_static_file *f)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(f->len, (void *)f->data, MHD_RESPMEM_PERSISTENT);
    if (r == NULL)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", f->content_type);
    /* The UI is small and changes with the binary; revalidating on each load keeps an
     * upgraded server from talking to a stale cached UI. */
    MHD_add_response_header(r, "Cache-Control", "no-cache");
    add_security_headers(r);
    enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

/* ===== Identity ===== */

/*
 * Resolves who is asking. Returns RK_OK with req->authed set, or fills `resp` with the 401/403
 * to send. An API key is preferred over a cookie; a cookie-authenticated write must carry the
 * session's CSRF token.
 */
static enum rk_status authenticate(struct rk_http_req *req, struct rk_http_resp *resp,
                                   struct rk_session *sess)
{
    const char *authz =
        MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    char key[256];
    if (authz != NULL) {
        if (rk_http_bearer_get(authz, key, sizeof key) != RK_OK ||
            rk_auth_apikey(req->store, key, &req->actor) != RK_OK) {
            rk_http_error(resp, RK_EAUTH, "Authorization", "unknown or revoked API key");
            return RK_EAUTH;
        }
        req->authed = 1;
        return RK_OK;
    }
    const char *cookies =
        MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_COOKIE);
    char token[sizeof sess->token];
    enum rk_status rc = rk_http_cookie_get(cookies, RK_SESSION_COOKIE, token, sizeof token);
    if (rc == RK_ENOTFOUND) {
        rk_http_error(resp, RK_EAUTH, "", "log in or send an API key");
        return RK_EAUTH;
    }
    if (rc != RK_OK || rk_auth_session(req->store, token, sess) != RK_OK) {
        rk_http_error(resp, RK_EAUTH, RK_SESSION_COOKIE, "session unknown or expired");
        return RK_EAUTH;
    }
    if (rk_http_method_writes(req->method)) {
        const char *csrf = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "X-CSRF-Token");
        if (csrf == NULL || !rk_http_token_equal(csrf, sess->csrf)) {
            rk_http_error(resp, RK_EFORBIDDEN, "X-CSRF-Token",
                          csrf == NULL ? "missing CSRF token" : "wrong CSRF token");
            return RK_EFORBIDDEN;
        }
    }
    req->actor = sess->actor;
    req->authed = 1;
    req->by_cookie = 1;
    return RK_OK;
}

static void client_address(struct MHD_Connection *conn, char *out, size_t cap)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    out[0] = '\0';
    if (ci == NULL || ci->client_addr == NULL)
        return;
    if (ci->client_addr->sa_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)(const void *)ci->client_addr;
        inet_ntop(AF_INET, &a->sin_addr, out, (socklen_t)cap);
    } else if (ci->client_addr->sa_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)(const void *)ci->client_addr;
        inet_ntop(AF_INET6, &a->sin6_addr, out, (socklen_t)cap);
    }
}

/* ===== Dispatch ===== */

static enum MHD_Result dispatch(struct rk_http_server *srv, struct MHD_Connection *conn,
                                const char *url, const char *method, struct req_ctx *ctx)
{
    if (ctx->too_big) {
        char msg[96];
        snprintf(msg, sizeof msg, "request body larger than %u bytes", RK_MAX_HTTP_BODY);
        return send_error(conn, 413, RK_ETOOBIG, "", msg);
    }
    if (strncmp(url, "/api/", 5) != 0) {
        if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
            return send_error(conn, 405, RK_EINVAL, "", "method not allowed");
        const struct rk_static_file *f = rk_http_static_find(url);
        if (f == NULL)
            return send_error(conn, 404, RK_ENOTFOUND, "", "no such page");
        return send_static(conn, f);
    }

    struct rk_http_req req = {0};
    struct rk_http_resp resp = {0};
    struct rk_session sess;
    char param_buf[RK_MAX_HTTP_PARAMS * (RK_MAX_HTTP_PARAM_LEN + 1)];
    const struct rk_route *route = NULL;
    req.method = method;
    req.path = url;
    req.conn = conn;
    req.store = srv->store;
    req.tls = srv->tls;
    client_address(conn, req.client, sizeof req.client);

    enum rk_route_match m = rk_http_route(rk_api_route_sets, method, url, &route, req.params,
                                          &req.nparams, param_buf, sizeof param_buf);
    if (m == RK_ROUTE_NO_PATH)
        return send_error(conn, 404, RK_ENOTFOUND, "", "no such endpoint");
    if (m == RK_ROUTE_NO_METHOD)
        return send_error(conn, 405, RK_EINVAL, "", "method not allowed on this endpoint");

    if ((route->flags & RK_ROUTE_PUBLIC) == 0 && authenticate(&req, &resp, &sess) != RK_OK)
        return send_json(conn, &resp);
    if (req.by_cookie) {
        req.session_token = sess.token;
        req.csrf = sess.csrf;
    }

    if (route->flags & RK_ROUTE_BODY) {
        struct rk_error err = {0};
        enum rk_status rc = rk_http_body_parse(ctx->body.data, ctx->body.len, &req.body, &err);
        if (rc != RK_OK) {
            rk_http_error_from(&resp, rc, &err);
            /* Bytes that are not one JSON object are a malformed request (400), as opposed
             * to a well-formed body with a bad value (422, from the service). */
            if (rc == RK_EINVAL)
                resp.status = 400;
            return send_json(conn, &resp);
        }
    }
    route->handler(&req, &resp);
    json_decref(req.body);
    if (req.by_cookie)
        memset(&sess, 0, sizeof sess);
    return send_json(conn, &resp);
}

/* ===== Streamed uploads ===== */

/* First call of the upload route: identity and the service's checks come before a byte of the
 * body is read, so a refused upload costs nothing. */
static enum MHD_Result upload_begin(struct rk_http_server *srv, struct MHD_Connection *conn,
                                    const char *url, const char *method, const char *job_id,
                                    struct req_ctx *ctx)
{
    struct rk_http_req req = {0};
    struct rk_http_resp resp = {0};
    struct rk_session sess;
    struct rk_error err = {0};
    req.method = method;
    req.path = url;
    req.conn = conn;
    req.store = srv->store;
    req.tls = srv->tls;
    ctx->responded = 1;
    if (authenticate(&req, &resp, &sess) != RK_OK)
        return send_json(conn, &resp);
    memset(&sess, 0, sizeof sess);
    const char *cl =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    uint64_t n;
    if (cl != NULL && rk_parse_u64(cl, strlen(cl), UINT64_MAX, &n) == RK_OK &&
        n > RK_MAX_SWEEP_UPLOAD) {
        char msg[96];
        snprintf(msg, sizeof msg, "an uploaded file may hold at most %llu bytes",
                 (unsigned long long)RK_MAX_SWEEP_UPLOAD);
        return send_error(conn, 413, RK_ETOOBIG, "file", msg);
    }
    const char *kind = NULL, *name = NULL;
    if (rk_http_query_str(&req, &resp, "kind", &kind) != RK_OK ||
        rk_http_query_str(&req, &resp, "name", &name) != RK_OK)
        return send_json(conn, &resp);
    enum rk_status rc = rk_sweep_upload_open(srv->store, &req.actor, job_id,
                                             kind != NULL ? kind : "log", name, &ctx->upload, &err);
    if (rc != RK_OK) {
        rk_http_error_from(&resp, rc, &err);
        return send_json(conn, &resp);
    }
    ctx->responded = 0;
    return MHD_YES;
}

static enum MHD_Result upload_piece(struct rk_http_server *srv, struct MHD_Connection *conn,
                                    const char *data, size_t *size, struct req_ctx *ctx)
{
    if (*size > 0) {
        if (ctx->upload != NULL &&
            rk_sweep_upload_write(ctx->upload, data, *size, &ctx->upload_err) != RK_OK) {
            rk_sweep_upload_abort(ctx->upload);
            ctx->upload = NULL;
        }
        *size = 0;
        return MHD_YES;
    }
    if (ctx->responded)
        return MHD_YES;
    ctx->responded = 1;
    struct rk_http_resp resp = {0};
    if (ctx->upload == NULL) {
        rk_http_error_from(&resp, ctx->upload_err.code, &ctx->upload_err);
        return send_json(conn, &resp);
    }
    struct rk_error err = {0};
    json_t *out = NULL;
    struct rk_sweep_upload *u = ctx->upload;
    ctx->upload = NULL;
    enum rk_status rc = rk_sweep_upload_finish(srv->store, u, &out, &err);
    rk_http_reply(&resp, rc, out, &err, 201);
    return send_json(conn, &resp);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    struct rk_http_server *srv = cls;
    struct req_ctx *ctx = *con_cls;
    if (ctx == NULL) {
        char job_id[64];
        ctx = rk_calloc(1, sizeof *ctx);
        if (ctx == NULL)
            return MHD_NO;
        rk_buf_init(&ctx->body, RK_MAX_HTTP_BODY);
        *con_cls = ctx;
        if (rk_http_upload_match(method, url, job_id)) {
            ctx->is_upload = 1;
            return upload_begin(srv, conn, url, method, job_id, ctx);
        }
        /* A declared length over the cap is refused before a byte of the body is read. */
        const char *cl =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        uint64_t n;
        if (cl != NULL && rk_parse_u64(cl, strlen(cl), UINT64_MAX, &n) == RK_OK &&
            n > RK_MAX_HTTP_BODY) {
            ctx->too_big = 1;
            return dispatch(srv, conn, url, method, ctx);
        }
        return MHD_YES;
    }
    if (ctx->is_upload)
        return upload_piece(srv, conn, upload_data, upload_data_size, ctx);
    if (*upload_data_size > 0) {
        if (!ctx->too_big && rk_buf_add(&ctx->body, upload_data, *upload_data_size) != RK_OK) {
            ctx->too_big = 1;
            rk_buf_free(&ctx->body);
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    return dispatch(srv, conn, url, method, ctx);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct req_ctx *ctx = *con_cls;
    if (ctx == NULL)
        return;
    rk_sweep_upload_abort(ctx->upload); /* a client that went away mid-upload */
    rk_buf_free(&ctx->body);
    rk_free(ctx);
    *con_cls = NULL;
}

/* libmicrohttpd's own messages (bind failures, TLS errors) go to stderr; they hold no request
 * data. */
static void on_log(void *cls, const char *fmt, va_list ap)
{
    fputs("renkei serve: ", stderr);
    vfprintf(stderr, fmt, ap);
}

/* ===== Start and stop ===== */

static void set_err(struct rk_error *err, int code, const char *field, const char *msg)
{
    if (err == NULL)
        return;
    err->code = code;
    snprintf(err->field, sizeof err->field, "%s", field);
    snprintf(err->message, sizeof err->message, "%s", msg);
}

enum rk_status rk_http_server_start(const struct rk_http_config *cfg, struct rk_store *store,
                                    struct rk_http_server **out, struct rk_error *err)
{
    struct sockaddr_storage ss;
    unsigned sslen = 0;
    if (rk_http_parse_listen(cfg->listen, &ss, &sslen) != RK_OK) {
        set_err(err, RK_EINVAL, "listen", "expected HOST:PORT, [IPv6]:PORT or :PORT");
        return RK_EINVAL;
    }
    if (cfg->threads < 1 || cfg->threads > RK_MAX_HTTP_THREADS) {
        set_err(err, RK_EINVAL, "threads", "thread count out of range");
        return RK_EINVAL;
    }
    if ((cfg->cert_pem == NULL) != (cfg->key_pem == NULL)) {
        set_err(err, RK_EINVAL, "cert", "TLS needs both a certificate and a key");
        return RK_EINVAL;
    }
    struct rk_http_server *srv = rk_calloc(1, sizeof *srv);
    if (srv == NULL)
        return RK_ENOMEM;
    srv->store = store;
    srv->tls = cfg->cert_pem != NULL;
    /* poll(), not epoll: with libmicrohttpd 0.9.75's epoll mode, connections the client
     * resets (RST, as load generators and browsers do with unread data) stay open until
     * their idle timeout and use up a worker's share of the connection limit, starving new
     * clients (tests/integration/test_http_connections.py). Each worker polls at most
     * RK_MAX_HTTP_CONNECTIONS / threads descriptors, which poll() handles well. */
    unsigned flags =
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    if (srv->tls)
        flags |= MHD_USE_TLS;
    struct MHD_OptionItem tls_opts[] = {
        {MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)cfg->cert_pem},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)cfg->key_pem},
        {MHD_OPTION_END, 0, NULL},
    };
    struct MHD_OptionItem no_opts[] = {{MHD_OPTION_END, 0, NULL}};
    srv->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER, on_log, srv,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned int)cfg->threads, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)RK_MAX_HTTP_HEADERS,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)RK_MAX_HTTP_IDLE_SECONDS,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int)RK_MAX_HTTP_CONNECTIONS,
        MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned int)1, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, srv, MHD_OPTION_ARRAY, srv->tls ? tls_opts : no_opts, MHD_OPTION_END);
    if (srv->daemon == NULL) {
        char msg[160];
        snprintf(msg, sizeof msg, "cannot listen on %s%s", cfg->listen,
                 srv->tls ? " (or the TLS certificate/key is not valid)" : "");
        set_err(err, RK_EIO, "listen", msg);
        rk_free(srv);
        return RK_EIO;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = di != NULL ? di->port : 0;
    enum rk_status rc = rk_http_sweep_runner_start(store, &srv->sweep, err);
    if (rc != RK_OK) {
        MHD_stop_daemon(srv->daemon);
        rk_free(srv);
        return rc;
    }
    *out = srv;
    return RK_OK;
}

unsigned rk_http_server_port(const struct rk_http_server *srv)
{
    return srv->port;
}

void rk_http_server_stop(struct rk_http_server *srv)
{
    if (srv == NULL)
        return;
    /* Stop accepting, then give requests in flight a moment to finish before the daemon
     * closes every connection; idle keep-alive connections would otherwise hold us until
     * their timeout. */
    int lfd = MHD_quiesce_daemon(srv->daemon);
    for (int i = 0; i < 40; i++) {
        const union MHD_DaemonInfo *di =
            MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
        if (di == NULL || di->num_connections == 0)
            break;
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    MHD_stop_daemon(srv->daemon);
    rk_http_sweep_runner_stop(srv->sweep);
    /* After quiescing, the listening socket belongs to us. */
    if (lfd >= 0)
        close(lfd);
    rk_free(srv);
}
