/*
 * `renkei lookalike --db FILE --store|--watch`: the lookalike verb's storing modes
 * (cli/cli-lookalike-db.c), reached from cli/cmd-lookalike.c when `--db` is given.
 */
#ifndef RENKEI_CLI_LOOKALIKE_DB_H
#define RENKEI_CLI_LOOKALIKE_DB_H

/* Runs `renkei lookalike` with `--db` (argv[0] is the verb). Returns the exit code. */
int rk_cli_lookalike_db(int argc, char **argv);

#endif
