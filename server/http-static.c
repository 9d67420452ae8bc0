/*
 * The web UI: every file under ui/ is compiled into the binary (server/embed-ui.cmake writes the
 * table at build time), so `renkei serve` needs no files beside the database and a deployed UI
 * always matches the API it talks to. "/" is ui/index.html; a file is reachable both as "/x"
 * and "/ui/x". The security headers are added to every response by http-server.c.
 */
#include "http.h"

#include <string.h>

const struct rk_static_file *rk_http_static_find(const char *path)
{
    if (strcmp(path, "/") == 0 || strcmp(path, "/ui") == 0 || strcmp(path, "/ui/") == 0)
        path = "/index.html";
    else if (strncmp(path, "/ui/", 4) == 0)
        path += 3;
    for (size_t i = 0; i < rk_ui_file_count; i++) {
        if (strcmp(rk_ui_files[i].path, path) == 0)
            return &rk_ui_files[i];
    }
    return NULL;
}
