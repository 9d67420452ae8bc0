/*
 * The HTTP layer of Renkei (server/): a libmicrohttpd daemon with a thread pool, a router of
 * method + path patterns, size-limited JSON bodies, session/API-key authentication and the
 * embedded web UI. It holds no business logic: every API handler (server/api-*.c) parses the
 * request, makes one call to the service API (include/renkei/service.h) with the caller's
 * identity, and renders the result.
 *
 * This header is internal to server/ (and its tests); nothing in lib/ includes it.
 */
#ifndef RK_SERVER_HTTP_H
#define RK_SERVER_HTTP_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "renkei/limits.h"
#include "renkei/service.h"
#include "renkei/status.h"

/* ===== Requests and responses ===== */

struct MHD_Connection;

/* One request as a handler sees it. Everything is borrowed for the duration of the handler. */
struct rk_http_req {
    const char *method;
    const char *path;
    struct MHD_Connection *conn; /* NULL in unit tests; query() then finds nothing */
    struct rk_store *store;
    /* Captured {name} segments of the route pattern, in order. */
    const char *params[RK_MAX_HTTP_PARAMS];
    size_t nparams;
    json_t *body;          /* the parsed JSON object, or NULL when the request had none */
    struct rk_actor actor; /* valid when `authed` */
    int authed;
    int by_cookie;             /* identity came from the session cookie (not an API key) */
    const char *session_token; /* the cookie's token when by_cookie, else NULL */
    const char *csrf;          /* the session's CSRF token when by_cookie, else NULL */
    char client[64];           /* peer address, for the audit log */
    int tls;                   /* the connection is HTTPS (cookies get Secure) */
};

/* What a handler produces: a status and a JSON document (owned; the server renders and
 * releases it), plus an optional Set-Cookie value. */
struct rk_http_resp {
    unsigned status;
    json_t *json;
    char set_cookie[256];
    /* A file download instead of JSON (e.g. an export for sensors): `raw` is owned (freed with
     * rk_free() once sent), `raw_type` a static Content-Type, `disposition` the
     * Content-Disposition value ("" for none), `count` an X-Renkei-Count value ("" for none). */
    char *raw;
    size_t raw_len;
    const char *raw_type;
    char disposition[128];
    char count[24];
};

/* Sets `resp` to the JSON error {"error":{"code","message","field"}} for `rc` with the HTTP
 * status that code maps to (docs/api.md); `field` and `message` may be NULL/empty. */
void rk_http_error(struct rk_http_resp *resp, int rc, const char *field, const char *message);
/* As rk_http_error() from a service error; `rc` decides the status. */
void rk_http_error_from(struct rk_http_resp *resp, int rc, const struct rk_error *err);
/* HTTP status for a status code coming back from the service. RK_EINVAL maps to 422 (a
 * well-formed request with a bad value); the body parser's own errors use 400. */
unsigned rk_http_status_for(int rc);
/* Renders the result of a service call: on RK_OK `out` (ownership taken) with `ok_status`,
 * otherwise the error. `out` may be NULL on error, and on success with ok_status 204 (no
 * content). */
void rk_http_reply(struct rk_http_resp *resp, int rc, json_t *out, const struct rk_error *err,
                   unsigned ok_status);

/* Returns a query-string argument (decoded, borrowed from the connection) or NULL. */
const char *rk_http_query(const struct rk_http_req *req, const char *name);
/* Parses an optional non-negative integer query argument no larger than `max`; absent leaves
 * `*out` unchanged. RK_EINVAL with the response already set when the value is bad. */
enum rk_status rk_http_query_int(const struct rk_http_req *req, struct rk_http_resp *resp,
                                 const char *name, int max, int *out);
/* Reads an optional string query argument, refusing one longer than RK_MAX_HTTP_QUERY_VALUE. */
enum rk_status rk_http_query_str(const struct rk_http_req *req, struct rk_http_resp *resp,
                                 const char *name, const char **out);

/* ===== Router ===== */

/* A handler fills `resp`; it never fails in any other way. */
typedef void (*rk_http_handler)(struct rk_http_req *req, struct rk_http_resp *resp);

enum {
    RK_ROUTE_PUBLIC = 1 << 0, /* no identity needed (log-in) */
    RK_ROUTE_BODY = 1 << 1,   /* takes a JSON object body (required) */
};

struct rk_route {
    const char *method;  /* "GET", "POST", "PATCH", "DELETE" */
    const char *pattern; /* "/api/v1/cases/{id}/tasks/{tid}": {name} matches one segment */
    rk_http_handler handler;
    unsigned flags;
};

/*
 * The routes of one resource file. Each server/api-<name>.c defines
 *   const struct rk_route_set rk_api_<name>;
 * and server/CMakeLists.txt generates the table of all of them from the file names, so an
 * engine adds its endpoints with a new api-<engine>.c and touches no shared file.
 */
struct rk_route_set {
    const struct rk_route *routes;
    size_t count;
};

enum rk_route_match {
    RK_ROUTE_FOUND = 0,
    RK_ROUTE_NO_PATH,   /* 404 */
    RK_ROUTE_NO_METHOD, /* 405: the path exists with another method */
};

/*
 * Finds the route for `method` and `path` among `sets` (NULL-terminated). On RK_ROUTE_FOUND
 * `*route` is set and the {name} segments are copied into `param_buf` (NUL-separated,
 * `param_cap` bytes) with `params[i]` pointing into it. A segment longer than
 * RK_MAX_HTTP_PARAM_LEN or a path longer than RK_MAX_HTTP_PATH never matches.
 * Thread-safety: reads only its arguments.
 */
enum rk_route_match rk_http_route(const struct rk_route_set *const *sets, const char *method,
                                  const char *path, const struct rk_route **route,
                                  const char **params, size_t *nparams, char *param_buf,
                                  size_t param_cap);

/* The generated table of every api-*.c route set, NULL-terminated. */
extern const struct rk_route_set *const rk_api_route_sets[];

/* ===== Request bodies ===== */

/*
 * Parses a request body: it must be at most RK_MAX_HTTP_BODY bytes (else RK_ETOOBIG), valid
 * UTF-8 and one JSON object with no duplicate keys (else RK_EINVAL). On error `err->field`
 * names the JSON path where parsing stopped ("narrative", "observables[2].role"), so that a
 * client learns which field held the bad bytes; the message holds no input bytes.
 * Returns a new object in `*out` (json_decref()) on RK_OK.
 */
enum rk_status rk_http_body_parse(const char *data, size_t len, json_t **out, struct rk_error *err);

/*
 * Writes into `field` (cap bytes) the JSON path of the value that byte `offset` of `data`
 * lies in, e.g. "reporter.name" or "items[3]"; "" at the top level. Bytes of keys that are not
 * printable ASCII are written as '?'. Works on a prefix of malformed JSON.
 */
void rk_http_json_path_at(const char *data, size_t len, size_t offset, char *field, size_t cap);

/* Offset of the first byte that is not valid UTF-8 (overlongs, surrogates and values past
 * U+10FFFF are invalid), or `len` when all of it is valid. */
size_t rk_http_utf8_check(const char *data, size_t len);

/* Kinds of JSON values a field accepts (a bit set). */
enum {
    RK_JT_STRING = 1 << 0,
    RK_JT_INT = 1 << 1,
    RK_JT_BOOL = 1 << 2,
    RK_JT_OBJECT = 1 << 3,
    RK_JT_ARRAY = 1 << 4,
    RK_JT_NULL = 1 << 5,
};

/* One field of a fixed-shape request body. */
struct rk_http_field {
    const char *name;
    unsigned kinds; /* RK_JT_* set */
    int required;
    size_t max_len; /* strings: maximum length in bytes (0: no limit beyond the body's) */
};

/*
 * Checks `obj` against `fields` (`n` of them): an unknown field, a missing required one, a value
 * of the wrong kind or an over-long string gives RK_EINVAL naming the field. Used for the
 * request bodies whose shape the server fixes (log-in, transitions, decisions ...); the service
 * checks the shapes of the domain objects itself.
 */
enum rk_status rk_http_body_check(const json_t *obj, const struct rk_http_field *fields, size_t n,
                                  struct rk_error *err);

/* ===== Authentication ===== */

#define RK_SESSION_COOKIE "renkei_session"

/*
 * Finds the value of cookie `name` in a Cookie header; copies it into `out` (cap bytes).
 * Returns RK_OK, RK_ENOTFOUND, or RK_ETOOBIG when the value does not fit.
 */
enum rk_status rk_http_cookie_get(const char *header, const char *name, char *out, size_t cap);
/* Extracts the key of "Authorization: Bearer <key>" into `out`; RK_ENOTFOUND when the header
 * is not a Bearer one, RK_ETOOBIG when the key does not fit. */
enum rk_status rk_http_bearer_get(const char *header, char *out, size_t cap);
/* Compares two tokens in time that does not depend on where they differ. 1 when equal. */
int rk_http_token_equal(const char *a, const char *b);
/* 1 for the methods that change state (POST, PUT, PATCH, DELETE). */
int rk_http_method_writes(const char *method);
/* Formats the Set-Cookie value for a session token that expires `max_age` seconds from now
 * (0 deletes the cookie). RK_ETOOBIG when it does not fit in `cap`. */
enum rk_status rk_http_session_cookie(char *out, size_t cap, const char *token, int64_t max_age,
                                      int secure);

/* ===== Static UI ===== */

struct rk_static_file {
    const char *path; /* "/index.html", "/js/app.js" (relative to ui/) */
    const char *content_type;
    const unsigned char *data;
    size_t len;
};

/* The generated table of the embedded ui/ files, and its length. */
extern const struct rk_static_file rk_ui_files[];
extern const size_t rk_ui_file_count;

/* Finds the embedded file for a request path: "/" is /index.html, "/ui/x" and "/x" are ui/x.
 * NULL when there is none. */
const struct rk_static_file *rk_http_static_find(const char *path);

/* ===== The server ===== */

struct rk_http_server;

struct rk_http_config {
    const char *listen;   /* "127.0.0.1:8080", "[::1]:8080", ":8080" (all interfaces) */
    unsigned threads;     /* worker threads (1 .. RK_MAX_HTTP_THREADS) */
    const char *cert_pem; /* TLS certificate and key (PEM text) or NULL for plain HTTP */
    const char *key_pem;
};

/*
 * Starts serving `store` (borrowed; it must outlive the server). Returns RK_EINVAL for a bad
 * listen address, RK_EIO when the socket cannot be bound. `*out` is freed with
 * rk_http_server_stop(). `err` gets a message.
 */
enum rk_status rk_http_server_start(const struct rk_http_config *cfg, struct rk_store *store,
                                    struct rk_http_server **out, struct rk_error *err);
/* The port actually bound (useful with port 0). */
unsigned rk_http_server_port(const struct rk_http_server *srv);
/* Stops accepting, lets running requests finish, frees the server; accepts NULL. */
void rk_http_server_stop(struct rk_http_server *srv);

/*
 * Parses "host:port" / "[v6]:port" / ":port" into a socket address. RK_EINVAL when malformed.
 * `addr` must be large enough for a sockaddr_in6 (pass a struct sockaddr_storage).
 */
enum rk_status rk_http_parse_listen(const char *listen, void *addr, unsigned *addrlen);

/* ===== Streamed uploads and the sweep runner (server/http-upload.c) ===== */

/* 1 when `method` and `url` are the streamed upload route (PUT
 * /api/v1/sweep-jobs/{id}/files), whose body goes to disk instead of the JSON buffer; copies the
 * job id into `job_id`. */
int rk_http_upload_match(const char *method, const char *url, char job_id[64]);

/* The background thread that runs queued sweep jobs one at a time. Start marks jobs a killed
 * server left "running" as failed first. Stop interrupts a running job (it is marked failed,
 * "interrupted") and joins the thread; accepts NULL. */
struct rk_http_sweep_runner;
enum rk_status rk_http_sweep_runner_start(struct rk_store *s, struct rk_http_sweep_runner **out,
                                          struct rk_error *err);
void rk_http_sweep_runner_stop(struct rk_http_sweep_runner *r);

#endif
