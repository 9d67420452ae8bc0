/*
 * All allocation in Renkei goes through these functions (raw malloc/free are banned by
 * scripts/checksrc outside lib/util/alloc.c). They give one place for accounting and for fault
 * injection: in builds with RK_FAULT_INJECTION, rk_alloc_fail_after(n) makes the n-th following
 * allocation fail, so tests can replay a scenario for every n and check that every error path
 * frees what it took and returns RK_ENOMEM.
 *
 * The library never aborts on a failed allocation; it returns RK_ENOMEM. Only the `renkei`
 * binary's main loop may decide to abort.
 */
#ifndef RENKEI_ALLOC_H
#define RENKEI_ALLOC_H

#include <stddef.h>

/* Returns new memory, or NULL on failure; the caller frees it with rk_free(). */
void *rk_malloc(size_t size);
/* As rk_malloc() but zeroed; NULL also when n * size overflows. */
void *rk_calloc(size_t n, size_t size);
/* Resizes `p`; on failure returns NULL and `p` is untouched (still owned by the caller). */
void *rk_realloc(void *p, size_t size);
/* Resizes to n * size, failing (NULL, `p` untouched) when the product overflows. */
void *rk_reallocarray(void *p, size_t n, size_t size);
/* Frees `p`; accepts NULL. */
void rk_free(void *p);
/* Returns a new NUL-terminated copy of `s` (or of its first `n` bytes); free with rk_free(). */
char *rk_strdup(const char *s);
char *rk_strndup(const char *s, size_t n);

/*
 * Fault injection (RK_FAULT_INJECTION builds only; a no-op otherwise): the n-th allocation from
 * now fails (n = 1 is the next one), and every one after it too if `sticky`. n = 0 turns it off.
 * Not thread-safe: for single-threaded tests.
 */
void rk_alloc_fail_after(unsigned long n, int sticky);
/* Number of allocations made since start-up (RK_FAULT_INJECTION builds; 0 otherwise). */
unsigned long rk_alloc_count(void);

#endif
