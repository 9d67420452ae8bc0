/*
 * The writers behind rk_export_sensor(): indicators in, sensor files out. They are separate from
 * the store walk so that the unit tests can feed them indicators directly and compare the files
 * byte for byte.
 */
#ifndef RK_EXPORT_SENSOR_H
#define RK_EXPORT_SENSOR_H

#include <stdint.h>

#include "model/indicator-source.h"
#include "renkei/buf.h"
#include "renkei/service.h"

struct rk__export_writer;

/* Checks the options (RK_EINVAL naming "format", "type", "audience", "tlp_max" or "sid_base")
 * and returns a new writer in `*out`; `now` (Unix seconds) stamps the headers and the RPZ
 * serial. The writer is freed by rk__export_finish() or rk__export_abort(). */
enum rk_status rk__export_begin(const struct rk_export_opts *o, int64_t now,
                                struct rk__export_writer **out, struct rk_error *err);
/* Adds one indicator; types the format does not carry (or that the option `type` excludes) are
 * ignored. RK_ETOOBIG past RK_MAX_EXPORT_BYTES. Usable as an rk_store_indicator_fn. */
enum rk_status rk__export_add(void *writer, const struct rk_store_indicator *ind,
                              struct rk_error *err);
/* Assembles the files. Frees the writer in every case; `*out` is set only on RK_OK. */
enum rk_status rk__export_finish(struct rk__export_writer *w, struct rk_export **out,
                                 struct rk_error *err);
/* Frees a writer that will not be finished; accepts NULL. */
void rk__export_abort(struct rk__export_writer *w);

/* The RPZ owner name of an address or CIDR ("32.5.113.0.203.rpz-ip",
 * "48.zz.db8.2001.rpz-ip") appended to `out`. RK_EINVAL when `value` is not one. */
enum rk_status rk__export_rpz_ip(const char *type, const char *value, struct rk_buf *out);

#endif
