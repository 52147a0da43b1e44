/* The physical limit of a FastCGI request on this Apache: libfcgi's responder that reads its body and answers
 * fixed JSON, the FastCGI scenarios' counterpart of baseline.c, served by the same Apache through mod_fcgid. */
#include <fcgiapp.h>
#include <stdlib.h>

/* -DSTATUS='"400 Bad Request"': the same responder answering 400, as baseline.c. */
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
    FCGX_Stream *in, *out, *err;
    FCGX_ParamArray envp;
    char buffer[4096];
    while (FCGX_Accept(&in, &out, &err, &envp) >= 0) {
        const char *length = FCGX_GetParam("CONTENT_LENGTH", envp);
        long left = length ? strtol(length, NULL, 10) : 0;
        while (left > 0) {
            int n = FCGX_GetStr(buffer, left < (long)sizeof buffer ? (int)left : (int)sizeof buffer, in);
            if (n <= 0) break;
            left -= n;
        }
#ifdef STORE_FLOOR
        if (store_floor(FCGX_GetParam(STORE_FLOOR_SETTING, envp)) != 0) {
            FCGX_PutS("Status: 500 Internal Server Error\r\n\r\n", out);
            continue;
        }
        FCGX_PutS(STORE_FLOOR_LINE, err);
#endif
        FCGX_PutS("Status: " STATUS "\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n\r\n"
                  "{\"detail\": \"OK\"}\n", out);
    }
    return 0;
}
