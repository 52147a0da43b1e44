// Fills a file store with live records through the core's own API, for the benchmark's scaling runs.
// Usage: bench-fill STORE_DIR COUNT [FIRST]   (records for fill-FIRST... fill-(FIRST+COUNT-1)@bench.example, whose
// code is 000000, alive for an hour), with the key of OTP_SECRET_KEY or OTP_SECRET_KEY_FILE in the environment
import Glibc
import Digests
import Gateway
import OTP
import Stores
import Platform

let arguments = CommandLine.arguments
guard (3...4).contains(arguments.count), let count = Int(arguments[2]), count >= 0,
      let first = Int(arguments.count == 4 ? arguments[3] : "0"), first >= 0 else {
    StandardError.log("usage: bench-fill STORE_DIR COUNT [FIRST]")
    exit(2)
}
let store = FileStore(path: arguments[1], log: StandardError.log)
do {
    guard let secret = try ServiceSettings(SettingsReader(env: CGI.processEnvironment())).secretKey.map(HMACKey.init) else {
        StandardError.log("bench-fill: set OTP_SECRET_KEY or OTP_SECRET_KEY_FILE")
        exit(2)
    }
    let now = Clock.unixSeconds()
    var batch: [(RecordKey, Record)] = []
    for i in first..<first + count {
        let identifier = try Identifier(channel: .email, raw: "fill-\(i)@bench.example")
        let key = RecordKey(secret: secret, identifier: identifier)
        batch.append((key, Record(codeMAC: secret.sha256(parts: ["code", key.hex, "000000"]),
                                  expiresAt: now + 3600, attempts: 0, resendAt: now)))
        if batch.count == 50_000 || i == first + count - 1 {
            try store.load(batch)
            batch.removeAll(keepingCapacity: true)
        }
    }
} catch {
    StandardError.log("bench-fill: \(error)")
    exit(1)
}
