/*
 * The `renkei` command is a table of subcommands. Each lives in its own file cli/cmd-<name>.c
 * and defines one `const struct rk_cli_cmd rk_cli_cmd_<name>` (dashes in the file name become
 * underscores); cli/CMakeLists.txt generates the table from the file names, so adding a verb
 * never touches a shared file.
 *
 * Exit codes (DESIGN.md): 0 ok, 1 findings or failure as the verb documents, 2 usage error.
 */
#ifndef RENKEI_CLI_H
#define RENKEI_CLI_H

enum { RK_EXIT_OK = 0, RK_EXIT_FOUND = 1, RK_EXIT_FAIL = 1, RK_EXIT_USAGE = 2 };

struct rk_cli_cmd {
    const char *name;    /* the verb, e.g. "sweep" */
    const char *summary; /* one line for `renkei --help` */
    /* Runs the verb; argv[0] is the verb itself. Returns the process exit code. */
    int (*run)(int argc, char **argv);
};

#endif
