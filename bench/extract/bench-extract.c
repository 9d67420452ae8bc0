/*
 * bench/extract: observable extraction throughput. Reads a text file (made by gen.py), cuts it
 * into pieces of at most RK_MAX_OBS_TEXT bytes at newlines, and runs rk_obs_extract() over
 * every piece `rounds` times on one thread, so MB/s is per core. Prints wall-clock and CPU
 * MB/s and the number of observables of each type. Speed is printed, never asserted.
 * Usage: bench_extract FILE [ROUNDS]
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "renkei/alloc.h"
#include "renkei/limits.h"
#include "renkei/obs.h"

static double now(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_extract FILE [ROUNDS]\n");
        return 2;
    }
    int rounds = 1;
    if (argc > 2 && (rounds = (int)(argv[2][0] - '0')) < 1)
        rounds = 1;
    FILE *f = fopen(argv[1], "rb");
    if (f == NULL) {
        perror(argv[1]);
        return 2;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = rk_malloc(size > 0 ? (size_t)size : 1);
    if (text == NULL || fread(text, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "cannot read %s\n", argv[1]);
        return 2;
    }
    fclose(f);
    size_t counts[RK_OBS_TYPE_COUNT] = {0};
    size_t total = 0;
    double w0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID);
    for (int round = 0; round < rounds; round++) {
        size_t off = 0;
        while (off < (size_t)size) {
            size_t len = (size_t)size - off;
            if (len > RK_MAX_OBS_TEXT) {
                len = RK_MAX_OBS_TEXT;
                const char *nl = memrchr(text + off, '\n', len);
                if (nl != NULL)
                    len = (size_t)(nl - (text + off)) + 1;
            }
            struct rk_obs_list l = {0};
            enum rk_status rc = rk_obs_extract(text + off, len, &l);
            if (rc != RK_OK) {
                fprintf(stderr, "extract: %s\n", rk_strerror(rc));
                return 1;
            }
            if (round == 0)
                for (size_t i = 0; i < l.count; i++)
                    counts[l.items[i].type]++;
            total += round == 0 ? l.count : 0;
            rk_obs_list_clear(&l);
            off += len;
        }
    }
    double wall = now(CLOCK_MONOTONIC) - w0, cpu = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
    double mb = (double)size * rounds / (1024.0 * 1024.0);
    printf("extract: %.1f MB x %d in %.2f s wall, %.2f s CPU (1 thread)\n", mb / rounds, rounds,
           wall, cpu);
    printf("extract: %.0f MB/s per core (CPU time), %.0f MB/s wall\n", mb / cpu, mb / wall);
    printf("extract: %zu observables (%.0f per MB):", total, (double)total / (mb / rounds));
    for (int t = 1; t < RK_OBS_TYPE_COUNT; t++)
        if (counts[t] > 0)
            printf(" %s=%zu", rk_obs_type_name((enum rk_obs_type)t), counts[t]);
    printf("\n");
    rk_free(text);
    return 0;
}
