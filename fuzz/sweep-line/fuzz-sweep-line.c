/*
 * Fuzz target of the host and time of a log line (lib/model/sweep-line.c). Besides "no crash,
 * no read past the line, no undefined behaviour" it checks the contract on every input: the
 * host is empty or made of host-name/address bytes, and the time is empty or a 20-byte
 * RFC 3339 UTC time. The input is copied into a buffer of exactly its size, so that a read past
 * the end is caught by the sanitizer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/sweep-line.h"
#include "renkei/alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *line = rk_malloc(size > 0 ? size : 1);
    struct rk__sweep_line out;
    if (line == NULL)
        return 0;
    if (size > 0)
        memcpy(line, data, size);
    rk__sweep_line_parse(line, size, 1795305600, &out);
    for (const char *p = out.host; *p != '\0'; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == '_' || c == ':'))
            abort();
    }
    size_t tl = strlen(out.time);
    if (tl != 0 && (tl != 20 || out.time[4] != '-' || out.time[10] != 'T' || out.time[19] != 'Z'))
        abort();
    rk_free(line);
    return 0;
}
