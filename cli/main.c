/*
 * The `renkei` command: finds the verb in the generated table (cli/cli.h) and runs it.
 * `renkei --help` lists the verbs; `renkei <verb> --help` is each verb's own help.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "renkei/version.h"

extern const struct rk_cli_cmd *const rk_cli_table[];

static void usage(FILE *out)
{
    fprintf(out, "renkei %s — cyber case and threat-intelligence hub\n\n"
                 "usage: renkei <command> [options]   (renkei <command> --help for details)\n\n"
                 "commands:\n",
            rk_version());
    for (size_t i = 0; rk_cli_table[i] != NULL; i++)
        fprintf(out, "  %-12s %s\n", rk_cli_table[i]->name, rk_cli_table[i]->summary);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return RK_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return RK_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("renkei %s\n", rk_version());
        return RK_EXIT_OK;
    }
    for (size_t i = 0; rk_cli_table[i] != NULL; i++) {
        if (strcmp(argv[1], rk_cli_table[i]->name) == 0)
            return rk_cli_table[i]->run(argc - 1, argv + 1);
    }
    fprintf(stderr, "renkei: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return RK_EXIT_USAGE;
}
