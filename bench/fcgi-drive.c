/* Drives one FastCGI responder directly (no web server) as fast as one client can, to see whether its memory
 * stays flat: COUNT verify requests for distinct unknown identifiers, with this program's environment as each
 * request's PARAMS (the settings, as Apache's SetEnv would send them). Prints the responder's resident size
 * (VmRSS, KiB) after the first 1,000 requests and after all of them, and the rate; fails on any answer but 400.
 * Usage: fcgi-drive SOCKET COUNT PID */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static void put_length(unsigned char **p, size_t n) {
    if (n < 128) { *(*p)++ = (unsigned char)n; return; }
    *(*p)++ = (unsigned char)((n >> 24) | 0x80); *(*p)++ = (unsigned char)(n >> 16);
    *(*p)++ = (unsigned char)(n >> 8); *(*p)++ = (unsigned char)n;
}

static unsigned char *record(unsigned char *p, int type, const unsigned char *content, size_t length) {
    unsigned char header[8] = {1, (unsigned char)type, 0, 1, (unsigned char)(length >> 8), (unsigned char)length, 0, 0};
    memcpy(p, header, 8);
    memcpy(p + 8, content, length);
    return p + 8 + length;
}

static long rss_kib(const char *pid) {
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%s/status", pid);
    FILE *f = fopen(path, "r");
    long kib = -1;
    while (f && fgets(line, sizeof line, f)) if (strncmp(line, "VmRSS:", 6) == 0) kib = strtol(line + 6, NULL, 10);
    if (f) fclose(f);
    return kib;
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: fcgi-drive SOCKET COUNT PID\n"); return 2; }
    long count = atol(argv[2]);
    static unsigned char params[60000], request[70000], answer[65536];
    struct timespec start, end;
    long rss_early = 0;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (long i = 0; i < count; i++) {
        char body[128], length[32];
        int body_length = snprintf(body, sizeof body, "{\"channel\":\"email\",\"identifier\":\"m%ld@bench.example\",\"code\":\"000000\"}", i);
        snprintf(length, sizeof length, "%d", body_length);
        unsigned char *p = params;
        const char *fixed[][2] = {{"REQUEST_METHOD", "POST"}, {"CONTENT_TYPE", "application/json"}, {"CONTENT_LENGTH", length}};
        for (int k = 0; k < 3; k++) {
            put_length(&p, strlen(fixed[k][0])); put_length(&p, strlen(fixed[k][1]));
            memcpy(p, fixed[k][0], strlen(fixed[k][0])); p += strlen(fixed[k][0]);
            memcpy(p, fixed[k][1], strlen(fixed[k][1])); p += strlen(fixed[k][1]);
        }
        for (char **e = environ; *e; e++) {
            char *eq = strchr(*e, '=');
            if (!eq) continue;
            size_t nl = (size_t)(eq - *e), vl = strlen(eq + 1);
            put_length(&p, nl); put_length(&p, vl);
            memcpy(p, *e, nl); p += nl; memcpy(p, eq + 1, vl); p += vl;
        }
        static const unsigned char begin[8] = {0, 1, 0, 0, 0, 0, 0, 0};
        unsigned char *r = record(request, 1, begin, 8);
        r = record(r, 4, params, (size_t)(p - params));
        r = record(r, 4, NULL, 0);
        r = record(r, 5, (unsigned char *)body, (size_t)body_length);
        r = record(r, 5, NULL, 0);

        int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        struct sockaddr_un address = {.sun_family = AF_UNIX};
        strncpy(address.sun_path, argv[1], sizeof address.sun_path - 1);
        if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0) { perror("connect"); return 1; }
        if (write(fd, request, (size_t)(r - request)) != r - request) { perror("write"); return 1; }
        shutdown(fd, SHUT_WR);
        /* The first STDOUT record (after any STDERR ones) starts with the status line: the 400 of a whole check. */
        size_t got = 0;
        ssize_t n;
        while ((n = read(fd, answer + got, sizeof answer - got)) > 0) got += (size_t)n;
        close(fd);
        static const char expected[] = "Status: 400";
        size_t at = 0;
        while (at + 8 <= got && answer[at + 1] != 6) at += 8 + (size_t)(answer[at + 4] << 8 | answer[at + 5]) + answer[at + 6];
        if (at + 8 + sizeof expected - 1 > got || memcmp(answer + at + 8, expected, sizeof expected - 1) != 0) {
            fprintf(stderr, "fcgi-drive: request %ld was not answered 400: %.*s\n", i, (int)got, answer);
            return 1;
        }
        if (i + 1 == 1000) rss_early = rss_kib(argv[3]);
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    double seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
    printf("%ld %ld %.0f\n", rss_early, rss_kib(argv[3]), (double)count / seconds);
    return 0;
}
