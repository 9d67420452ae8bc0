/*
 * `renkei export --db FILE --format F --audience A [--type T] [--tlp-max T] [--sid-base N]
 * [-o FILE|DIR]`: the store's indicators as files for network sensors (Suricata datasets and
 * rules, a Zeek Intel file, a DNS RPZ zone, plain blocklists), for one audience under the sharing
 * rule of docs/access.md. Runs as the installation (rk_actor_system); the export is audited.
 *
 * Output: a format that makes one file (suricata-rules, zeek-intel, rpz, or any format with
 * --type) goes to -o FILE, or to standard output without -o; a format that makes several
 * (suricata-datasets, blocklist without --type) needs -o DIR and writes its files there, each
 * through a temporary file renamed into place so a sensor never loads half a file.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "renkei/buf.h"
#include "renkei/parse.h"
#include "renkei/service.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: renkei export --db FILE --format FORMAT --audience AUDIENCE [--type TYPE]\n"
            "                     [--tlp-max TLP] [--sid-base N] [-o FILE|DIR]\n\n"
            "Writes the indicators of FILE that AUDIENCE may receive, for a network sensor.\n"
            "  FORMAT    suricata-datasets (dataset files and renkei.rules; needs -o DIR),\n"
            "            suricata-rules, zeek-intel, rpz, blocklist (one file per type;\n"
            "            -o DIR, or --type for one file)\n"
            "  AUDIENCE  police, partners or public (docs/access.md, \"Audiences\"):\n"
            "            TLP:RED and AMBER+STRICT never leave; partners get GREEN and CLEAR\n"
            "            of scope partners or public; the public gets CLEAR of scope public\n"
            "  TYPE      ipv4 ipv6 cidr domain url email md5 sha1 sha256\n"
            "  TLP       the highest TLP to include (CLEAR GREEN AMBER)\n"
            "  N         first Suricata sid (default 1900000)\n"
            "Without -o a single-file export goes to standard output. A summary goes to stderr.\n"
            "Exit status: 0 ok, 1 failure, 2 usage error.\n");
}

/* Writes `len` bytes to `path` through `path.tmp` and a rename. */
static int write_file(const char *path, const char *data, size_t len)
{
    struct rk_buf tmp;
    rk_buf_init(&tmp, 8192);
    if (rk_buf_addf(&tmp, "%s.tmp", path) != RK_OK) {
        rk_buf_free(&tmp);
        return -1;
    }
    FILE *f = fopen(tmp.data, "wb");
    int ok = f != NULL && fwrite(data, 1, len, f) == len;
    if (f != NULL && fclose(f) != 0)
        ok = 0;
    if (ok && rename(tmp.data, path) != 0)
        ok = 0;
    if (!ok) {
        fprintf(stderr, "renkei export: cannot write %s: %s\n", path, strerror(errno));
        unlink(tmp.data);
    }
    rk_buf_free(&tmp);
    return ok ? 0 : -1;
}

static int write_export(const struct rk_export *x, const char *out)
{
    struct stat st;
    int is_dir = out != NULL && stat(out, &st) == 0 && S_ISDIR(st.st_mode);
    if (x->nfiles > 1 && !is_dir) {
        fprintf(stderr,
                "renkei export: this export makes %zu files; -o must name an existing "
                "directory\n",
                x->nfiles);
        return RK_EXIT_USAGE;
    }
    if (out == NULL) {
        if (fwrite(x->files[0].data, 1, x->files[0].len, stdout) != x->files[0].len)
            return RK_EXIT_FAIL;
        return RK_EXIT_OK;
    }
    for (size_t i = 0; i < x->nfiles; i++) {
        struct rk_buf path;
        rk_buf_init(&path, 8192);
        enum rk_status rc =
            is_dir ? rk_buf_addf(&path, "%s/%s", out, x->files[i].name) : rk_buf_adds(&path, out);
        int r = rc == RK_OK ? write_file(path.data, x->files[i].data, x->files[i].len) : -1;
        if (r == 0)
            fprintf(stderr, "%s: %llu indicators\n", path.data,
                    (unsigned long long)x->files[i].count);
        rk_buf_free(&path);
        if (r != 0)
            return RK_EXIT_FAIL;
    }
    return RK_EXIT_OK;
}

static int run_export(int argc, char **argv)
{
    const char *db = NULL, *out = NULL;
    struct rk_export_opts o = {0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has = i + 1 < argc;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return RK_EXIT_OK;
        } else if (strcmp(a, "--db") == 0 && has) {
            db = argv[++i];
        } else if (strcmp(a, "--format") == 0 && has) {
            o.format = argv[++i];
        } else if (strcmp(a, "--audience") == 0 && has) {
            o.audience = argv[++i];
        } else if (strcmp(a, "--type") == 0 && has) {
            o.type = argv[++i];
        } else if (strcmp(a, "--tlp-max") == 0 && has) {
            o.tlp_max = argv[++i];
        } else if (strcmp(a, "--sid-base") == 0 && has) {
            const char *v = argv[++i];
            if (rk_parse_i64(v, strlen(v), 1, INT64_MAX, &o.sid_base) != RK_OK) {
                fprintf(stderr, "renkei export: --sid-base: not a positive number: '%s'\n", v);
                return RK_EXIT_USAGE;
            }
        } else if (strcmp(a, "-o") == 0 && has) {
            out = argv[++i];
        } else {
            fprintf(stderr, "renkei export: unknown argument '%s'\n", a);
            usage(stderr);
            return RK_EXIT_USAGE;
        }
    }
    if (db == NULL || o.format == NULL || o.audience == NULL) {
        fprintf(stderr, "renkei export: --db, --format and --audience are required\n");
        usage(stderr);
        return RK_EXIT_USAGE;
    }
    struct rk_store *s = NULL;
    struct rk_export *x = NULL;
    struct rk_error err = {0};
    struct rk_actor sys;
    rk_actor_system(&sys);
    enum rk_status rc = rk_store_open(db, &s, &err);
    if (rc == RK_OK)
        rc = rk_export_sensor(s, &sys, &o, &x, &err);
    if (rc != RK_OK) {
        if (err.field[0] != '\0')
            fprintf(stderr, "renkei export: --%s: %s\n",
                    strcmp(err.field, "tlp_max") == 0    ? "tlp-max"
                    : strcmp(err.field, "sid_base") == 0 ? "sid-base"
                                                         : err.field,
                    err.message);
        else
            fprintf(stderr, "renkei export: %s\n", err.message);
        rk_store_close(s);
        return rk_status_primary(rc) == RK_EINVAL ? RK_EXIT_USAGE : RK_EXIT_FAIL;
    }
    int code = write_export(x, out);
    if (code == RK_EXIT_OK)
        fprintf(stderr, "renkei export: %llu indicators for %s (%s)%s\n",
                (unsigned long long)x->count, o.audience, o.format,
                x->skipped ? ", some values skipped that the format cannot hold" : "");
    rk_export_destroy(x);
    rk_store_close(s);
    return code;
}

const struct rk_cli_cmd rk_cli_cmd_export = {
    "export", "indicators for network sensors (Suricata, Zeek, RPZ, blocklists)", run_export};
