/*
 * `renkei serve`: opens the database and serves the HTTP API and the web UI until SIGINT or
 * SIGTERM, then stops gracefully (no new connections, requests in flight finish, the store is
 * closed). The signals are blocked before the store and the server start any thread, so that
 * every thread inherits the mask and only this one, in sigwait(), ever receives them.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli.h"
#include "http.h"
#include "renkei/alloc.h"
#include "renkei/buf.h"
#include "renkei/cpu.h"
#include "renkei/parse.h"
#include "renkei/service.h"

/* A PEM certificate chain or key is a few KiB; refuse anything much larger. */
#define SERVE_MAX_PEM (256u * 1024u)

static void usage(FILE *out)
{
    fprintf(out,
            "usage: renkei serve --db FILE [--listen ADDR:PORT] [--threads N]\n"
            "                    [--cert FILE --key FILE]\n\n"
            "Serves the HTTP API (/api/v1/) and the web UI (/) from the database FILE until\n"
            "interrupted (SIGINT or SIGTERM stop it gracefully).\n\n"
            "  --db FILE          the SQLite database (created by `renkei init`)\n"
            "  --listen ADDR:PORT address to listen on (default 127.0.0.1:8080; [::1]:8080 for\n"
            "                     IPv6, :8080 for every interface, port 0 for any free port)\n"
            "  --threads N        worker threads (default: 2 per CPU, 1..%u)\n"
            "  --cert FILE        TLS certificate (PEM); with --key, serve HTTPS\n"
            "  --key FILE         TLS private key (PEM)\n",
            RK_MAX_HTTP_THREADS);
}

/* Reads a whole PEM file into a new NUL-terminated string (rk_free()). */
static char *read_pem(const char *path)
{
    struct rk_buf b;
    char chunk[4096];
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "renkei serve: cannot open %s: %s\n", path, strerror(errno));
        return NULL;
    }
    rk_buf_init(&b, SERVE_MAX_PEM);
    size_t n;
    enum rk_status rc = RK_OK;
    while (rc == RK_OK && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = rk_buf_add(&b, chunk, n);
    fclose(f);
    if (rc != RK_OK || b.len == 0) {
        fprintf(stderr, "renkei serve: %s is empty or larger than %u bytes\n", path, SERVE_MAX_PEM);
        rk_buf_free(&b);
        return NULL;
    }
    return rk_buf_steal(&b);
}

/*
 * When the database holds the demo data set (its first demo user exists), prints the demo
 * log-ins so that `make run` tells people how to get in. The passwords are the public demo
 * ones from rk_demo_logins(), never anything read from the database.
 */
static void print_demo_logins(struct rk_store *store)
{
    json_t *logins = NULL, *found = NULL;
    struct rk_actor sys;
    rk_actor_system(&sys);
    if (rk_demo_logins(&logins) != RK_OK || json_array_size(logins) == 0)
        goto out;
    const char *first = json_string_value(json_object_get(json_array_get(logins, 0), "login"));
    if (first == NULL || rk_user_find(store, &sys, first, &found, NULL) != RK_OK)
        goto out;
    printf("\nThis database holds the fictional demo data. Demo log-ins:\n");
    printf("  %-14s %-24s %-11s %s\n", "login", "password", "role", "unit");
    size_t i;
    json_t *e;
    json_array_foreach(logins, i, e)
    {
        printf("  %-14s %-24s %-11s %s\n", json_string_value(json_object_get(e, "login")),
               json_string_value(json_object_get(e, "password")),
               json_string_value(json_object_get(e, "role")),
               json_string_value(json_object_get(e, "unit")));
    }
    printf("\n");
out:
    json_decref(found);
    json_decref(logins);
}

static unsigned default_threads(void)
{
    unsigned n = rk_cpus_usable();
    if ((unsigned long)n * 2 > RK_MAX_HTTP_THREADS)
        return RK_MAX_HTTP_THREADS;
    return n * 2;
}

static int run_serve(int argc, char **argv)
{
    const char *db = NULL, *listen = "127.0.0.1:8080", *cert = NULL, *key = NULL;
    unsigned threads = default_threads();
    int ret = RK_EXIT_FAIL;
    char *cert_pem = NULL, *key_pem = NULL;
    struct rk_store *store = NULL;
    struct rk_http_server *srv = NULL;
    struct rk_error err = {0};

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return RK_EXIT_OK;
        }
        if (v == NULL) {
            fprintf(stderr, "renkei serve: %s needs a value\n", a);
            usage(stderr);
            return RK_EXIT_USAGE;
        }
        if (strcmp(a, "--db") == 0) {
            db = v;
        } else if (strcmp(a, "--listen") == 0) {
            listen = v;
        } else if (strcmp(a, "--cert") == 0) {
            cert = v;
        } else if (strcmp(a, "--key") == 0) {
            key = v;
        } else if (strcmp(a, "--threads") == 0) {
            uint64_t n;
            if (rk_parse_u64(v, strlen(v), RK_MAX_HTTP_THREADS, &n) != RK_OK || n == 0) {
                fprintf(stderr, "renkei serve: --threads must be 1..%u\n", RK_MAX_HTTP_THREADS);
                return RK_EXIT_USAGE;
            }
            threads = (unsigned)n;
        } else {
            fprintf(stderr, "renkei serve: unknown option %s\n", a);
            usage(stderr);
            return RK_EXIT_USAGE;
        }
        i++;
    }
    if (db == NULL) {
        fprintf(stderr, "renkei serve: --db FILE is required\n");
        usage(stderr);
        return RK_EXIT_USAGE;
    }
    if ((cert == NULL) != (key == NULL)) {
        fprintf(stderr, "renkei serve: --cert and --key go together\n");
        return RK_EXIT_USAGE;
    }
    if (cert != NULL) {
        cert_pem = read_pem(cert);
        key_pem = read_pem(key);
        if (cert_pem == NULL || key_pem == NULL)
            goto out;
    }
    /* Block the stop signals before any thread exists (the store may start some), so that
     * every thread inherits the mask and only sigwait() below sees them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    /* Each connection is a descriptor: lift the soft limit (often 1024) to the hard one so
     * that RK_MAX_HTTP_CONNECTIONS plus the database files fit. */
    struct rlimit nofile;
    if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
        nofile.rlim_cur = nofile.rlim_max;
        setrlimit(RLIMIT_NOFILE, &nofile);
    }
    if (access(db, F_OK) != 0) {
        fprintf(stderr, "renkei serve: %s does not exist (create it with `renkei init --db %s`)\n",
                db, db);
        goto out;
    }
    if (rk_store_open(db, &store, &err) != RK_OK) {
        fprintf(stderr, "renkei serve: cannot open %s: %s\n", db, err.message);
        goto out;
    }

    struct rk_http_config cfg = {listen, threads, cert_pem, key_pem};
    if (rk_http_server_start(&cfg, store, &srv, &err) != RK_OK) {
        fprintf(stderr, "renkei serve: %s\n", err.message);
        goto out;
    }
    /* The URL with the port actually bound (the listen address may say port 0). */
    const char *colon = strrchr(listen, ':');
    int hlen = (int)(colon - listen);
    const char *host = hlen == 0 ? "0.0.0.0" : listen;
    if (hlen == 0)
        hlen = 7;
    printf("Renkei is serving %s on %s://%.*s:%u/ (%u threads); stop with Ctrl-C\n", db,
           cert_pem != NULL ? "https" : "http", hlen, host, rk_http_server_port(srv), threads);
    print_demo_logins(store);
    fflush(stdout);

    int sig = 0;
    sigwait(&stop, &sig);
    printf("renkei serve: signal %d, stopping\n", sig);
    fflush(stdout);
    ret = RK_EXIT_OK;
out:
    rk_http_server_stop(srv);
    rk_store_close(store);
    rk_free(cert_pem);
    if (key_pem != NULL) {
        memset(key_pem, 0, strlen(key_pem));
        rk_free(key_pem);
    }
    return ret;
}

const struct rk_cli_cmd rk_cli_cmd_serve = {"serve", "serve the HTTP API and the web UI",
                                            run_serve};
