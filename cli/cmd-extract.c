/*
 * `renkei extract [--json] [FILES...]`: the observable extractor on its own, for analysts. Reads
 * each file (or standard input) and prints every observable found, one per line, in order of
 * offset. Text is processed in pieces of at most RK_MAX_OBS_TEXT bytes cut after a newline, so
 * any file size works and offsets stay those of the whole file.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "renkei/alloc.h"
#include "renkei/limits.h"
#include "renkei/obs.h"

static const char usage[] =
    "usage: renkei extract [--json] [FILES...]\n"
    "\n"
    "Prints every observable (IP address, CIDR, domain, URL, e-mail, MD5/SHA-1/SHA-256,\n"
    "phone number, bank account, crypto wallet, file name) found in Japanese or English text,\n"
    "refanging defanged forms (hxxp, [.], ［．］, ＠, full-width digits). Reads standard input\n"
    "when no FILES are given (\"-\" also names standard input).\n"
    "\n"
    "Output, one observable a line, in order of offset:\n"
    "  TYPE<TAB>CANONICAL<TAB>VALUE          (VALUE is the text as found)\n"
    "  --json: {\"type\",\"value\",\"canonical\",\"offset\"[,\"display\"]} (offset: bytes into the "
    "file)\n"
    "With more than one file each line starts with FILE<TAB> (with --json, a \"file\" member).\n"
    "\n"
    "Exit status: 0 success (whether or not anything was found), 1 out of memory,\n"
    "2 usage error or a file that cannot be read.\n";

struct opts {
    int json;
    int multi;
};

/* Prints a value on one line: TAB, CR and LF become spaces. */
static void put_clean(const char *s)
{
    for (; *s; s++)
        putchar(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s);
}

static int print_obs(const struct opts *op, const char *file, const struct rk_obs *o, size_t base)
{
    if (!op->json) {
        if (op->multi) {
            put_clean(file);
            putchar('\t');
        }
        printf("%s\t", rk_obs_type_name(o->type));
        put_clean(o->canonical);
        putchar('\t');
        put_clean(o->value);
        putchar('\n');
        return 0;
    }
    json_t *j = json_object();
    if (j == NULL)
        return -1;
    json_object_set_new(j, "type", json_string(rk_obs_type_name(o->type)));
    json_object_set_new(j, "value", json_string(o->value));
    json_object_set_new(j, "canonical", json_string(o->canonical));
    json_object_set_new(j, "offset", json_integer((json_int_t)(base + o->offset)));
    if (o->display != NULL)
        json_object_set_new(j, "display", json_string(o->display));
    if (op->multi)
        json_object_set_new(j, "file", json_string(file));
    int rc = json_dumpf(j, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(j);
    putchar('\n');
    return rc;
}

/* Extracts from buf[0..len) and prints; returns an exit code. */
static int extract_piece(const struct opts *op, const char *file, const char *buf, size_t len,
                         size_t base)
{
    struct rk_obs_list l = {0};
    enum rk_status rc = rk_obs_extract(buf, len, &l);
    if (rc != RK_OK) {
        fprintf(stderr, "renkei extract: %s: %s\n", file, rk_strerror(rc));
        return RK_EXIT_FAIL;
    }
    int code = RK_EXIT_OK;
    for (size_t i = 0; i < l.count && code == RK_EXIT_OK; i++)
        if (print_obs(op, file, &l.items[i], base) != 0)
            code = RK_EXIT_FAIL;
    rk_obs_list_clear(&l);
    return code;
}

static int extract_stream(const struct opts *op, const char *name, FILE *f)
{
    const size_t cap = RK_MAX_OBS_TEXT;
    char *buf = rk_malloc(cap);
    size_t have = 0, base = 0;
    int code = RK_EXIT_OK;
    if (buf == NULL) {
        fprintf(stderr, "renkei extract: out of memory\n");
        return RK_EXIT_FAIL;
    }
    for (;;) {
        size_t got = fread(buf + have, 1, cap - have, f);
        have += got;
        if (ferror(f)) {
            fprintf(stderr, "renkei extract: %s: %s\n", name, strerror(errno));
            code = RK_EXIT_USAGE;
            break;
        }
        int eof = feof(f);
        if (!eof && have < cap)
            continue;
        /* Cut after the last newline so that no observable is split between pieces. */
        size_t cut = have;
        if (!eof) {
            const char *nl = memrchr(buf, '\n', have);
            if (nl != NULL)
                cut = (size_t)(nl - buf) + 1;
        }
        code = extract_piece(op, name, buf, cut, base);
        if (code != RK_EXIT_OK || eof)
            break;
        memmove(buf, buf + cut, have - cut);
        have -= cut;
        base += cut;
    }
    rk_free(buf);
    return code;
}

static int run_extract(int argc, char **argv)
{
    struct opts op = {0, 0};
    int first = argc, i;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage, stdout);
            return RK_EXIT_OK;
        }
        if (strcmp(argv[i], "--json") == 0) {
            op.json = 1;
        } else if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "renkei extract: unknown option %s\n\n%s", argv[i], usage);
            return RK_EXIT_USAGE;
        } else {
            break;
        }
    }
    first = i;
    /* Options after the files are not supported: they would read as file names. */
    op.multi = argc - first > 1;
    if (first == argc)
        return extract_stream(&op, "-", stdin);
    int code = RK_EXIT_OK;
    for (i = first; i < argc; i++) {
        int c;
        if (strcmp(argv[i], "-") == 0) {
            c = extract_stream(&op, "-", stdin);
        } else {
            FILE *f = fopen(argv[i], "rb");
            if (f == NULL) {
                fprintf(stderr, "renkei extract: %s: %s\n", argv[i], strerror(errno));
                c = RK_EXIT_USAGE;
            } else {
                c = extract_stream(&op, argv[i], f);
                fclose(f);
            }
        }
        if (c > code)
            code = c;
        if (c == RK_EXIT_FAIL)
            break;
    }
    fflush(stdout);
    return code;
}

const struct rk_cli_cmd rk_cli_cmd_extract = {"extract", "print the observables found in text",
                                              run_extract};
