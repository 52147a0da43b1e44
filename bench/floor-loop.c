/* The kernel's cost of one check, apart from any gateway: COUNT checks of a store floor (store-floor.h, or
 * slot-floor.h with -DSLOT_FLOOR) in one process, which keeps its descriptors as a FastCGI responder does, timed.
 * cc -O2 [-DSLOT_FLOOR] -o floor-loop bench/floor-loop.c; OTP_STORE_DIR=DIR ./floor-loop COUNT
 * prints microseconds per check. Run two at once to see the lock shared. */
#include <stdlib.h>
#include <time.h>
#ifdef SLOT_FLOOR
#include "slot-floor.h"
#else
#include "store-floor.h"
#endif

int main(int argc, char **argv) {
    long count = argc > 1 ? strtol(argv[1], NULL, 10) : 20000;
    const char *store = getenv(STORE_FLOOR_SETTING);
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (long i = 0; i < count; i++) {
        if (store_floor(store) != 0) return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    double us = ((end.tv_sec - start.tv_sec) * 1e9 + (end.tv_nsec - start.tv_nsec)) / 1e3 / count;
    printf("%.2f us per check\n", us);
    return 0;
}
