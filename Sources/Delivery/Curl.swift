// curl as our SMTP and HTTPS client, so that no TLS or protocol code of ours sits between a code and its reader.
import OTP

struct Curl {
    let path: String
    let timeoutSeconds: Int
    let caBundle: String?

    init(_ delivery: DeliverySettings, timeoutSeconds: Int) {
        (path, caBundle, self.timeoutSeconds) = (delivery.curlPath, delivery.caBundle, timeoutSeconds)
    }

    /// Every option, secrets included, goes through the config on fd 3: argv is readable by every local user
    /// (`ps`, /proc), and on shared hosting those are strangers. `-q` must come first to keep ~/.curlrc out.
    /// curl's own `max-time` should end it; the kill two seconds later is for a curl that hangs regardless.
    /// Returns what curl wrote to stdout.
    @discardableResult
    func run(_ options: [(String, String?)], input: [UInt8]) throws(DeliveryFault) -> [UInt8] {
        let common: [(String, String?)] = [("silent", nil), ("show-error", nil), ("max-time", String(timeoutSeconds))]
            + (caBundle.map { [("cacert", $0)] } ?? [])
        let config = (common + options).map(Self.configLine).joined()
        let outcome = try ChildProcess(path: path, arguments: ["-q", "--config", "/dev/fd/3"], setting: "OTP_CURL_PATH")
            .run(input: input, descriptor3: Array(config.utf8), seconds: timeoutSeconds + 2)
        guard outcome.exitStatus == 0 else {
            let reason = outcome.exitStatus.flatMap(Self.reason).map { " (\($0))" } ?? ""
            throw DeliveryFault("curl \(outcome.ending)\(reason): \(outcome.errors)")
        }
        return outcome.output
    }

    /// An HTTP request: the status curl appends on a line of its own, and the body before it.
    func request(_ options: [(String, String?)], input: [UInt8], provider: String) throws(DeliveryFault) -> (status: Int, body: [UInt8]) {
        let output = try run(options + [("write-out", "\n%{http_code}")], input: input)
        guard let newline = output.lastIndex(of: UInt8(ascii: "\n")),
              let status = Int(String(decoding: output[(newline + 1)...], as: UTF8.self)) else {
            throw DeliveryFault("\(provider): no HTTP status in curl's output")
        }
        return (status, Array(output[..<newline]))
    }

    /// One line of a curl config: the value always in double quotes, with curl's escapes for the characters
    /// that would end the value or the line.
    static func configLine(_ name: String, _ value: String?) -> String {
        guard let value else { return name + "\n" }
        var quoted = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": quoted += "\\\\"
            case "\"": quoted += "\\\""
            case "\t": quoted += "\\t"
            case "\n": quoted += "\\n"
            case "\r": quoted += "\\r"
            case "\u{0B}": quoted += "\\v"
            default: quoted.unicodeScalars.append(scalar)
            }
        }
        return "\(name) = \"\(quoted)\"\n"
    }

    /// The exit codes a misconfigured or unreachable provider gives, in words an operator can act on.
    static func reason(_ exitStatus: Int32) -> String? {
        switch exitStatus {
        case 6: "host name not resolved"
        case 7: "connection refused or host unreachable"
        case 28: "timed out"
        case 35: "TLS handshake failed"
        case 52, 56: "the server closed the connection"
        case 55: "the server refused the message or a recipient"
        case 60: "server certificate not trusted (see OTP_CA_BUNDLE)"
        case 64: "the server does not offer STARTTLS"
        case 67: "login denied (check the user name and password)"
        case 77: "cannot read OTP_CA_BUNDLE"
        default: nil
        }
    }
}
