// The smallest Swift CGI program: reads its body and answers fixed JSON, like baseline.c. Built with the same
// flags as the service, it is the floor any Swift executable starts from (runtime start-up, page faults).
import Glibc

var left = Int(String(cString: getenv("CONTENT_LENGTH") ?? strdup("0"))) ?? 0
var buffer = [UInt8](repeating: 0, count: 4096)
while left > 0 {
    let n = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, min(left, $0.count)) }
    if n <= 0 { break }
    left -= n
}
let answer = "Status: 200 OK\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n\r\n{\"detail\": \"OK\"}\n"
_ = answer.withCString { write(1, $0, strlen($0)) }
