/*
 * rk_buf: the one growable byte buffer of Renkei. Every buffer has a hard `toobig` cap so that
 * outside input can never make it grow without bound; reaching it returns RK_ETOOBIG and leaves
 * the buffer as it was. The data is always NUL-terminated (the NUL is not counted in `len`), so
 * a buffer of text can be passed to C string functions.
 *
 * The struct is public so that callers can embed it (libuv style); treat the fields as read-only.
 */
#ifndef RENKEI_BUF_H
#define RENKEI_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "renkei/status.h"

struct rk_buf {
    char *data;    /* owned; NULL until the first append; NUL-terminated after it */
    size_t len;    /* bytes used, not counting the terminating NUL */
    size_t cap;    /* bytes allocated */
    size_t toobig; /* hard limit on len; an append that would pass it fails with RK_ETOOBIG */
};

/* Initialises an empty buffer with the given cap (0 means RK_MAX_BUF_DEFAULT). */
void rk_buf_init(struct rk_buf *b, size_t toobig);
/* Frees the data and leaves the buffer empty and reusable; accepts NULL. */
void rk_buf_free(struct rk_buf *b);
/* Empties the buffer but keeps its memory. */
void rk_buf_reset(struct rk_buf *b);
/* Appends bytes / a string / a formatted string. Returns RK_OK, RK_ENOMEM or RK_ETOOBIG. */
enum rk_status rk_buf_add(struct rk_buf *b, const void *data, size_t len);
enum rk_status rk_buf_adds(struct rk_buf *b, const char *s);
enum rk_status rk_buf_addc(struct rk_buf *b, char c);
enum rk_status rk_buf_addf(struct rk_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
enum rk_status rk_buf_vaddf(struct rk_buf *b, const char *fmt, va_list ap);
/* Ensures room for `extra` more bytes without changing len. */
enum rk_status rk_buf_reserve(struct rk_buf *b, size_t extra);
/*
 * Takes the data out of the buffer, leaving it empty. Returns the NUL-terminated data (an empty
 * string for an empty buffer) or NULL on allocation failure; the caller frees it with rk_free().
 */
char *rk_buf_steal(struct rk_buf *b);

#endif
