/*
 * Host and time of a log line, for the sightings a sweep job records (lib/model/sweep-job.c).
 * Internal to librenkei.
 */
#ifndef RK_SWEEP_LINE_H
#define RK_SWEEP_LINE_H

#include <stddef.h>
#include <stdint.h>

#include "renkei/limits.h"

/* What was recognised in one line. */
struct rk__sweep_line {
    char host[RK_MAX_SIGHTING_HOST + 1]; /* source/client host, "" when none was recognised */
    char time[21];                       /* event time as RFC 3339 UTC, "" when none */
};

/*
 * Takes the source/client host and the event time from one log line (`n` bytes, not
 * NUL-terminated, any bytes). Recognised: squid access.log and Zeek TSV (epoch seconds first,
 * client in the third field), Apache/nginx ([dd/Mon/yyyy:hh:mm:ss +zone], client first),
 * ISO 8601 first (host: the next field when it is an address or host name), JSON lines with
 * "ts" / "timestamp" / "@timestamp" and "id.orig_h" / "src_ip" / "client_ip" / "clientip" /
 * "src", and BSD syslog (Mon dd hh:mm:ss host; the year is the one of `now` unless that puts
 * the line more than a day in the future, then the year before). Elsewhere the host is the
 * first IP address of the line and the time is left empty. `now` is Unix seconds.
 * Never fails; reads only [p, p+n).
 */
void rk__sweep_line_parse(const char *p, size_t n, int64_t now, struct rk__sweep_line *out);

#endif
