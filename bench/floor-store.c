/* The slot tables' calls of a check (slot-floor.h) and the service's log line, for bench/floor.swift built with
 * -D STORE_FLOOR: the smallest Swift CGI program that makes the file store's calls, whose C part is those calls. */
#include "slot-floor.h"

int swift_floor_store(const char *store) {
    return store_floor(store) == 0 && write(2, STORE_FLOOR_LINE, sizeof STORE_FLOOR_LINE - 1) >= 0 ? 0 : -1;
}
