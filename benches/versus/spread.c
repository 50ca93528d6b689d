/* LD_PRELOAD shim for the load generator: binds every IPv4 socket that connects to a loopback
 * address to a source address of its own, 127.<1..250>.<2..251>.<1>, taken in turn. The local
 * API counts sign-in attempts per client address (30 a minute, docs/security.md); a run of
 * sign-ins with `Connection: close` then comes from thousands of addresses, as real sign-ins do.
 *
 *   cc -shared -fPIC -O2 -o spread.so spread.c -ldl
 *   LD_PRELOAD=./spread.so SPREAD_OFFSET=1234 wrk ...
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>

static unsigned long next_address;

int connect(int fd, const struct sockaddr *address, socklen_t length) {
    static int (*real_connect)(int, const struct sockaddr *, socklen_t);
    if (!real_connect) {
        real_connect = (int (*)(int, const struct sockaddr *, socklen_t))dlsym(RTLD_NEXT, "connect");
        const char *offset = getenv("SPREAD_OFFSET");
        __sync_bool_compare_and_swap(&next_address, 0, offset ? strtoul(offset, 0, 10) : 0);
    }
    if (address && address->sa_family == AF_INET &&
        (ntohl(((const struct sockaddr_in *)address)->sin_addr.s_addr) >> 24) == 127) {
        unsigned long n = __sync_fetch_and_add(&next_address, 1) % (250 * 250);
        struct sockaddr_in source = {0};
        source.sin_family = AF_INET;
        source.sin_addr.s_addr = htonl((127u << 24) | ((unsigned)(n / 250 + 1) << 16) |
                                       ((unsigned)(n % 250 + 2) << 8) | 1u);
        bind(fd, (struct sockaddr *)&source, sizeof source);
    }
    return real_connect(fd, address, length);
}
