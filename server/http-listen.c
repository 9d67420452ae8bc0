/*
 * The --listen address: "127.0.0.1:8080", "[::1]:8080", or ":8080" for every IPv4 interface.
 * Only numeric addresses are accepted, so that starting the server never waits on DNS.
 */
#include "http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "renkei/parse.h"

enum rk_status rk_http_parse_listen(const char *listen, void *addr, unsigned *addrlen)
{
    const char *colon = strrchr(listen, ':');
    char host[64];
    uint64_t port;
    if (colon == NULL || rk_parse_u64(colon + 1, strlen(colon + 1), 65535, &port) != RK_OK)
        return RK_EINVAL;
    size_t hlen = (size_t)(colon - listen);
    const char *h = listen;
    if (hlen >= 2 && h[0] == '[' && h[hlen - 1] == ']') {
        h++;
        hlen -= 2;
    }
    if (hlen >= sizeof host)
        return RK_EINVAL;
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    struct sockaddr_in *a4 = addr;
    struct sockaddr_in6 *a6 = addr;
    memset(addr, 0, sizeof(struct sockaddr_in6));
    if (hlen == 0) {
        a4->sin_family = AF_INET;
        a4->sin_addr.s_addr = htonl(INADDR_ANY);
        a4->sin_port = htons((uint16_t)port);
        *addrlen = sizeof *a4;
    } else if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
        *addrlen = sizeof *a4;
    } else if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        *addrlen = sizeof *a6;
    } else {
        return RK_EINVAL;
    }
    return RK_OK;
}
