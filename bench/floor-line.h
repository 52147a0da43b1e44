/* The service's log line for a check of an unknown identifier, which each floor (store-floor.h, redis-floor.h)
 * writes where its gateway takes a CGI's stderr, as the service does. */
#define STORE_FLOOR_LINE "otp-cgi: verify 400 \"Invalid or expired code\" channel=email to=u***@bench.example\n"
