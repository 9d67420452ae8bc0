/*
 * `renkei smishing`: scores SMS texts for smishing. Input is one text per line, or one JSON
 * object per line with the text in "text", "body" or "message" (detected per line: a line that
 * starts with '{' is JSON). Each text gets rule reasons (parcel 不在通知, account suspension,
 * identity verification, payment problems, prize and refund lures, app installs, urgency, a
 * brand named with a link elsewhere) and the lookalike score of every URL or domain in it.
 * See docs/lookalike.md, "Smishing".
 *
 * SMS volumes are small next to domain feeds, so this verb runs on one thread.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "renkei/alloc.h"
#include "renkei/buf.h"
#include "renkei/limits.h"
#include "renkei/lookalike.h"
#include "renkei/parse.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: renkei smishing [--brands DIR] [--json] [--min-score N] [--all] [FILE...]\n"
            "\n"
            "Scores SMS texts, one per line (plain text, or a JSON object with \"text\", \"body\"\n"
            "or \"message\"), read from each FILE or stdin, for the smishing patterns seen in\n"
            "Japan: parcel 不在通知, carrier/bank/card/electricity account alerts, identity\n"
            "checks, prize and refund lures, app installs from unknown sources. URLs and bare\n"
            "domains in the text are checked with the lookalike detector (renkei lookalike).\n"
            "\n"
            "  --brands DIR     brand lists (*.brands); default %s\n"
            "  --json           one JSON object per reported text: text, score, brand, rules,\n"
            "                   urls (url, registrable, brand, score, reasons)\n"
            "  --min-score N    report texts scoring N or more (0-100, default %d)\n"
            "  --all            report every text with its score, even 0\n"
            "\n"
            "Exit status: 0 nothing reported, 1 at least one text reported, 2 error.\n"
            "\n"
            "Example:\n"
            "  echo 'お荷物をお届けにあがりましたが不在の為持ち帰りました。 "
            "https://sagawa-fuzai.top/x' |\n"
            "    renkei smishing --json\n",
            RK_LOOKALIKE_BRANDS_DIR, RK_LOOKALIKE_DEFAULT_MIN_SCORE);
}

struct counts {
    unsigned long long texts, reported, skipped_json, skipped_bad, skipped_long;
};

static int one_line(struct rk_lookalike_scanner *sc, const struct rk_lookalike *lk,
                    const char *line, size_t n, int json, int min_score, int all,
                    struct rk_buf *out, char *text, struct counts *c, const char *fname,
                    unsigned long long lineno)
{
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        n--;
    size_t i = 0;
    while (i < n && (line[i] == ' ' || line[i] == '\t'))
        i++;
    if (i == n)
        return 0;
    const char *t = line;
    size_t tn = n;
    if (line[i] == '{') {
        enum rk_status rc =
            rk_lookalike_sms_from_json(line + i, n - i, text, RK_MAX_LOOKALIKE_SMS + 1, &tn);
        if (rc != RK_OK) {
            if (c->skipped_json++ < 5)
                fprintf(stderr, "renkei smishing: %s:%llu: skipped: %s\n", fname, lineno,
                        rc == RK_ETOOBIG ? "text too long"
                                         : "not a JSON object with a \"text\" string");
            return 0;
        }
        t = text;
    }
    struct rk_lookalike_sms_result r;
    enum rk_status rc = rk_lookalike_sms_check(sc, t, tn, &r);
    if (rc == RK_ENOMEM)
        return -1;
    if (rc != RK_OK) {
        unsigned long long *k = rc == RK_ETOOBIG ? &c->skipped_long : &c->skipped_bad;
        if ((*k)++ < 5)
            fprintf(stderr, "renkei smishing: %s:%llu: skipped: %s\n", fname, lineno,
                    rc == RK_ETOOBIG ? "text too long" : "empty or not UTF-8 text");
        return 0;
    }
    c->texts++;
    if (!all && r.score < min_score)
        return 0;
    if (r.score >= min_score)
        c->reported++;
    rk_buf_reset(out);
    if (json) {
        rc = rk_lookalike_sms_json(lk, t, tn, &r, out);
    } else {
        struct rk_lookalike_brand_info bi = {"-", "-", "-", "-"};
        if (r.brand >= 0)
            rk_lookalike_brand(lk, (size_t)r.brand, &bi);
        rc = rk_buf_addf(out, "%3d  %-14s", r.score, bi.id);
        for (size_t k = 0; rc == RK_OK && k < r.n_rules; k++)
            rc = rk_buf_addf(out, "%s%s", k ? "," : " ", r.rules[k]);
        for (size_t k = 0; rc == RK_OK && k < r.n_urls; k++)
            rc = rk_buf_addf(out, " %s(%d)", r.urls[k].registrable, r.urls[k].m.score);
        if (rc == RK_OK)
            rc = rk_buf_adds(out, "  | ");
        /* The text itself, cut (on a UTF-8 character boundary) to keep the line readable. */
        size_t cut = tn > 120 ? 120 : tn;
        while (cut > 0 && cut < tn && ((unsigned char)t[cut] & 0xc0) == 0x80)
            cut--;
        if (rc == RK_OK)
            rc = rk_buf_add(out, t, cut);
    }
    if (rc == RK_OK)
        rc = rk_buf_addc(out, '\n');
    if (rc != RK_OK)
        return -1;
    fwrite(out->data, 1, out->len, stdout);
    return 0;
}

static int run_file(FILE *f, const char *fname, struct rk_lookalike_scanner *sc,
                    const struct rk_lookalike *lk, int json, int min_score, int all,
                    struct counts *c)
{
    struct rk_buf line, out;
    rk_buf_init(&line, RK_MAX_LOOKALIKE_SMS * 8);
    rk_buf_init(&out, 0);
    char *text = rk_malloc(RK_MAX_LOOKALIKE_SMS + 1);
    int rc = 0;
    unsigned long long lineno = 0;
    int toolong = 0;
    if (text == NULL) {
        rc = -1;
        goto out;
    }
    char chunk[8192];
    while (fgets(chunk, sizeof chunk, f) != NULL) {
        size_t n = strlen(chunk);
        int complete = n > 0 && chunk[n - 1] == '\n';
        if (!toolong && rk_buf_add(&line, chunk, n) == RK_ETOOBIG)
            toolong = 1;
        if (!complete && !feof(f))
            continue;
        lineno++;
        if (toolong) {
            if (c->skipped_long++ < 5)
                fprintf(stderr, "renkei smishing: %s:%llu: skipped: line too long\n", fname,
                        lineno);
        } else if (one_line(sc, lk, line.data ? line.data : "", line.len, json, min_score, all,
                            &out, text, c, fname, lineno) != 0) {
            rc = -1;
            goto out;
        }
        rk_buf_reset(&line);
        toolong = 0;
    }
    if (ferror(f)) {
        fprintf(stderr, "renkei smishing: %s: read error\n", fname);
        rc = -2;
    }
out:
    rk_free(text);
    rk_buf_free(&line);
    rk_buf_free(&out);
    return rc;
}

static int run_smishing(int argc, char **argv)
{
    const char *brands = RK_LOOKALIKE_BRANDS_DIR;
    const char *env = getenv("RENKEI_BRANDS");
    if (env != NULL && env[0] != '\0')
        brands = env;
    int json = 0, all = 0, min_score = RK_LOOKALIKE_DEFAULT_MIN_SCORE;
    int i;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return RK_EXIT_OK;
        } else if (strcmp(a, "--json") == 0) {
            json = 1;
        } else if (strcmp(a, "--all") == 0) {
            all = 1;
        } else if (strcmp(a, "--brands") == 0 && i + 1 < argc) {
            brands = argv[++i];
        } else if (strcmp(a, "--min-score") == 0 && i + 1 < argc) {
            uint64_t v;
            const char *s = argv[++i];
            if (rk_parse_u64(s, strlen(s), 100, &v) != RK_OK) {
                fprintf(stderr, "renkei smishing: --min-score takes 0-100\n");
                return RK_EXIT_USAGE;
            }
            min_score = (int)v;
        } else if (strcmp(a, "--") == 0) {
            i++;
            break;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "renkei smishing: unknown option '%s' (see --help)\n", a);
            return RK_EXIT_USAGE;
        } else {
            break;
        }
    }
    int status = RK_EXIT_OK;
    struct rk_lookalike *lk = NULL;
    struct rk_lookalike_scanner *sc = NULL;
    struct counts c = {0};
    enum rk_status rc = rk_lookalike_create(&lk);
    if (rc == RK_OK)
        rc = rk_lookalike_load_dir(lk, brands);
    if (rc == RK_OK)
        rc = rk_lookalike_compile(lk);
    if (rc == RK_OK)
        rc = rk_lookalike_scanner_create(lk, &sc);
    if (rc != RK_OK) {
        fprintf(stderr, "renkei smishing: %s\n",
                lk && rk_lookalike_errmsg(lk)[0] ? rk_lookalike_errmsg(lk) : rk_strerror(rc));
        status = 2;
        goto out;
    }
    if (i == argc) {
        int r = run_file(stdin, "(stdin)", sc, lk, json, min_score, all, &c);
        if (r != 0)
            status = 2;
    }
    for (; i < argc; i++) {
        int is_stdin = strcmp(argv[i], "-") == 0;
        FILE *f = is_stdin ? stdin : fopen(argv[i], "rb");
        if (f == NULL) {
            fprintf(stderr, "renkei smishing: %s: %s\n", argv[i], strerror(errno));
            status = 2;
            continue;
        }
        int r = run_file(f, is_stdin ? "(stdin)" : argv[i], sc, lk, json, min_score, all, &c);
        if (!is_stdin)
            fclose(f);
        if (r == -1) {
            fprintf(stderr, "renkei smishing: out of memory\n");
            status = 2;
            goto out;
        }
        if (r != 0)
            status = 2;
    }
    unsigned long long sk = c.skipped_json + c.skipped_bad + c.skipped_long;
    if (sk > 0)
        fprintf(stderr,
                "renkei smishing: warning: %llu line%s skipped (%llu bad JSON, %llu empty or not "
                "UTF-8, %llu too long)\n",
                sk, sk == 1 ? "" : "s", c.skipped_json, c.skipped_bad, c.skipped_long);
    if (status == RK_EXIT_OK && c.reported > 0)
        status = RK_EXIT_FOUND;
out:
    rk_lookalike_scanner_destroy(sc);
    rk_lookalike_destroy(lk);
    return status;
}

const struct rk_cli_cmd rk_cli_cmd_smishing = {
    "smishing", "score SMS texts for smishing (lures + lookalike URLs)", run_smishing};
