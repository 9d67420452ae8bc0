/* `renkei version`: prints the version of the binary. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "renkei/version.h"

static int run_version(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--help") == 0) {
        printf("usage: renkei version\n\nPrints the version of renkei.\n");
        return RK_EXIT_OK;
    }
    printf("renkei %s\n", rk_version());
    return RK_EXIT_OK;
}

const struct rk_cli_cmd rk_cli_cmd_version = {"version", "print the version", run_version};
