/*
 * rk_buf, the growable byte buffer with a hard cap (include/renkei/buf.h). Growth doubles the
 * capacity so appends are amortised O(1); the cap is checked before any arithmetic that could
 * overflow.
 */
#include "renkei/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "renkei/alloc.h"
#include "renkei/limits.h"

void rk_buf_init(struct rk_buf *b, size_t toobig)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->toobig = toobig ? toobig : RK_MAX_BUF_DEFAULT;
}

void rk_buf_free(struct rk_buf *b)
{
    if (b == NULL)
        return;
    rk_free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void rk_buf_reset(struct rk_buf *b)
{
    b->len = 0;
    if (b->data != NULL)
        b->data[0] = '\0';
}

enum rk_status rk_buf_reserve(struct rk_buf *b, size_t extra)
{
    if (extra > b->toobig || b->len > b->toobig - extra)
        return RK_ETOOBIG;
    size_t need = b->len + extra + 1; /* +1 for the NUL */
    if (need <= b->cap)
        return RK_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *p = rk_realloc(b->data, cap);
    if (p == NULL)
        return RK_ENOMEM;
    b->data = p;
    b->cap = cap;
    return RK_OK;
}

enum rk_status rk_buf_add(struct rk_buf *b, const void *data, size_t len)
{
    enum rk_status rc = rk_buf_reserve(b, len);
    if (rc != RK_OK)
        return rc;
    if (len > 0)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return RK_OK;
}

enum rk_status rk_buf_adds(struct rk_buf *b, const char *s)
{
    return rk_buf_add(b, s, strlen(s));
}

enum rk_status rk_buf_addc(struct rk_buf *b, char c)
{
    return rk_buf_add(b, &c, 1);
}

enum rk_status rk_buf_vaddf(struct rk_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return RK_EINVAL;
    enum rk_status rc = rk_buf_reserve(b, (size_t)n);
    if (rc != RK_OK)
        return rc;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return RK_OK;
}

enum rk_status rk_buf_addf(struct rk_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    enum rk_status rc = rk_buf_vaddf(b, fmt, ap);
    va_end(ap);
    return rc;
}

char *rk_buf_steal(struct rk_buf *b)
{
    char *p = b->data;
    if (p == NULL)
        p = rk_strdup("");
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    return p;
}
