// The smallest Swift CGI program: reads its body and answers fixed JSON, like baseline.c. Built with the same
// flags as the service, it is the floor any Swift executable starts from (runtime start-up, page faults).
// With -D STORE_FLOOR and bench/floor-store.c it also makes the file store's calls of a check of an unknown
// identifier and answers 400: the floor of any Swift verify on that store.
import Glibc

#if STORE_FLOOR
@_silgen_name("swift_floor_store") func storeFloor(_ store: UnsafePointer<CChar>?) -> Int32
#endif

var left = Int(String(cString: getenv("CONTENT_LENGTH") ?? strdup("0"))) ?? 0
var buffer = [UInt8](repeating: 0, count: 4096)
while left > 0 {
    let n = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, min(left, $0.count)) }
    if n <= 0 { break }
    left -= n
}
#if STORE_FLOOR
guard storeFloor(getenv("OTP_STORE_DIR")) == 0 else { exit(1) }
let answer = "Status: 400 Bad Request\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n\r\n{\"detail\": \"OK\"}\n"
#else
let answer = "Status: 200 OK\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n\r\n{\"detail\": \"OK\"}\n"
#endif
_ = answer.withCString { write(1, $0, strlen($0)) }
