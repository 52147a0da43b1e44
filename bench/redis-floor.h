/* What the Redis store's check of an unknown identifier asks of Redis, in C and nothing else: one EVALSHA of the
 * store's own check script (loaded by the service's runs before this one) on a key named as the store names one,
 * over a connection kept for the process's life (so one per request under CGI, one per responder under FastCGI),
 * and the service's log line. The Redis counterpart of store-floor.h: what is left above it is ours. */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "floor-line.h"

/* The setting the floor reads its store from. */
#define STORE_FLOOR_SETTING "OTP_STORE_URL"
/* RedisScripts.check's SHA-1, which bench/run.py reads from the source: -DFLOOR_CHECK_SHA1='"..."'. */
#ifndef FLOOR_CHECK_SHA1
#error "FLOOR_CHECK_SHA1 is the SHA-1 of the Redis store's check script"
#endif

static int floor_redis = -1;

/* url: redis://127.0.0.1:PORT, as the benchmark sets OTP_STORE_URL. */
static int floor_connect(const char *url) {
    const char *colon = url ? strrchr(url, ':') : NULL;
    if (!colon || strncmp(url, "redis://127.0.0.1:", 18) != 0) return -1;
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(colon + 1)),
                                  .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&address, sizeof address) != 0) return -1;
    return fd;
}

/* Returns 0 when Redis answered the check as the store's unknown identifier ({4}). */
static int floor_check(const char *url) {
    if (floor_redis < 0 && (floor_redis = floor_connect(url)) < 0) return -1;
    unsigned char random[32];
    if (getrandom(random, sizeof random, 0) != (ssize_t)sizeof random) return -1;
    char key[80] = "otp:{", mac[65], now[24], command[512];
    for (int i = 0; i < 32; i++) snprintf(key + 5 + 2 * i, 3, "%02x", random[i]);
    strcat(key, "}");
    for (int i = 0; i < 32; i++) snprintf(mac + 2 * i, 3, "%02x", random[i] ^ 0x5c);
    int now_length = snprintf(now, sizeof now, "%lld", (long long)time(NULL));
    int length = snprintf(command, sizeof command,
                          "*7\r\n$7\r\nEVALSHA\r\n$40\r\n" FLOOR_CHECK_SHA1 "\r\n$1\r\n1\r\n$%zu\r\n%s\r\n$64\r\n%s\r\n"
                          "$%d\r\n%s\r\n$1\r\n5\r\n", strlen(key), key, mac, now_length, now);
    if (send(floor_redis, command, (size_t)length, MSG_NOSIGNAL) != length) return -1;
    static const char expected[] = "*1\r\n:4\r\n";
    char reply[sizeof expected];
    size_t got = 0;
    while (got < sizeof expected - 1) {
        ssize_t n = recv(floor_redis, reply + got, sizeof expected - 1 - got, 0);
        if (n <= 0) return -1;
        got += (size_t)n;
    }
    return memcmp(reply, expected, sizeof expected - 1) == 0 ? 0 : -1;
}

/* A connection that answered anything else is dropped, so no stray reply is read as the next one's. */
static int store_floor(const char *url) {
    if (floor_check(url) == 0) return 0;
    if (floor_redis >= 0) close(floor_redis);
    floor_redis = -1;
    return -1;
}
