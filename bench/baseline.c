/* The physical limit of a CGI request: the smallest program that reads its body and answers fixed JSON.
 * Every scenario of the benchmark is printed as a ratio to this one, served by the same Apache in the same run. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* -DSTATUS='"400 Bad Request"' builds the same program answering 400, which Apache follows by closing the
 * connection (as it does for every 400): the fair comparison for the scenarios that answer 400. */
#ifndef STATUS
#define STATUS "200 OK"
#endif

/* -DSTORE_FLOOR: also does the file store's calls for an unknown identifier's check (store-floor.h, the layout of
 * a file per record); with -DSLOT_FLOOR too, the slot tables' (slot-floor.h); with -DREDIS_FLOOR, the Redis
 * store's (redis-floor.h). */
#if defined STORE_FLOOR && defined REDIS_FLOOR
#include "redis-floor.h"
#elif defined STORE_FLOOR && defined SLOT_FLOOR
#include "slot-floor.h"
#elif defined STORE_FLOOR
#include "store-floor.h"
#endif

int main(void) {
    const char *length = getenv("CONTENT_LENGTH");
    long left = length ? strtol(length, NULL, 10) : 0;
    char buffer[4096];
    while (left > 0) {
        ssize_t n = read(0, buffer, left < (long)sizeof buffer ? (size_t)left : sizeof buffer);
        if (n <= 0) break;
        left -= n;
    }
#ifdef STORE_FLOOR
    if (store_floor(getenv(STORE_FLOOR_SETTING)) != 0 || write(2, STORE_FLOOR_LINE, sizeof STORE_FLOOR_LINE - 1) < 0) return 1;
#endif
    static const char answer[] = "Status: " STATUS "\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n\r\n"
                                 "{\"detail\": \"OK\"}\n";
    return write(1, answer, sizeof answer - 1) == (ssize_t)(sizeof answer - 1) ? 0 : 1;
}
