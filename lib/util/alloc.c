/*
 * The allocator wrappers (include/renkei/alloc.h). This is the only file allowed to call
 * malloc/free directly. With RK_FAULT_INJECTION it counts allocations and can fail the n-th,
 * which the fault-injection tests use to walk every error path.
 */
#include "renkei/alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef RK_FAULT_INJECTION
static unsigned long alloc_count;
static unsigned long fail_at;
static int fail_sticky;

static int should_fail(void)
{
    alloc_count++;
    if (fail_at == 0)
        return 0;
    if (alloc_count >= fail_at)
        return alloc_count == fail_at || fail_sticky;
    return 0;
}

void rk_alloc_fail_after(unsigned long n, int sticky)
{
    fail_at = n == 0 ? 0 : alloc_count + n;
    fail_sticky = sticky;
}

unsigned long rk_alloc_count(void)
{
    return alloc_count;
}
#else
static int should_fail(void)
{
    return 0;
}

void rk_alloc_fail_after(unsigned long n, int sticky)
{
    (void)n;
    (void)sticky;
}

unsigned long rk_alloc_count(void)
{
    return 0;
}
#endif

void *rk_malloc(size_t size)
{
    if (should_fail())
        return NULL;
    return malloc(size == 0 ? 1 : size);
}

void *rk_calloc(size_t n, size_t size)
{
    if (should_fail())
        return NULL;
    if (n == 0 || size == 0)
        return calloc(1, 1);
    return calloc(n, size);
}

void *rk_realloc(void *p, size_t size)
{
    if (should_fail())
        return NULL;
    return realloc(p, size == 0 ? 1 : size);
}

void *rk_reallocarray(void *p, size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size)
        return NULL;
    return rk_realloc(p, n * size);
}

void rk_free(void *p)
{
    free(p);
}

char *rk_strndup(const char *s, size_t n)
{
    char *d = rk_malloc(n + 1);
    if (d == NULL)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *rk_strdup(const char *s)
{
    return rk_strndup(s, strlen(s));
}
