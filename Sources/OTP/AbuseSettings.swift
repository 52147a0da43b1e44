// The settings that bound abuse: send and failure windows, the per-client limit, proxies, SMS prefixes, origins.

extension Settings {
    /// Safe defaults, each limit off at 0, so that a site is protected without configuring anything.
    public struct Abuse: Sendable {
        public var maxSendsPerWindow = 5
        public var sendWindowSeconds = 3600
        public var maxFailedVerifiesPerWindow = 20
        public var ipMaxSendsPerWindow = 30
        /// The proxies whose `X-Forwarded-For` is believed; anyone else could write any address there.
        public var trustedProxies: [AddressRange] = []
        /// Empty: every E.164 number. Otherwise SMS and WhatsApp go only to numbers starting with one of these.
        public var smsAllowedPrefixes: [String] = []
        /// Empty: no Origin check and no CORS headers, as before these settings existed.
        public var allowedOrigins: [String] = []

        init() {}

        init(_ reader: Reader) throws(OTPError) {
            maxSendsPerWindow = try reader.integer("OTP_MAX_SENDS_PER_WINDOW", default: maxSendsPerWindow, in: 0...1_000_000)
            sendWindowSeconds = try reader.integer("OTP_SEND_WINDOW_SECONDS", default: sendWindowSeconds, in: 0...31_536_000)
            maxFailedVerifiesPerWindow = try reader.integer("OTP_MAX_FAILED_VERIFIES_PER_WINDOW", default: maxFailedVerifiesPerWindow,
                                                            in: 0...1_000_000)
            ipMaxSendsPerWindow = try reader.integer("OTP_IP_MAX_SENDS_PER_WINDOW", default: ipMaxSendsPerWindow, in: 0...1_000_000)
            trustedProxies = try Self.list(reader, "OTP_TRUSTED_PROXIES") { (item: String) throws(OTPError) -> AddressRange in
                guard let range = AddressRange(item) else {
                    throw .misconfigured("OTP_TRUSTED_PROXIES must list IP addresses or CIDRs such as 10.0.0.0/8, separated by commas")
                }
                return range
            }
            smsAllowedPrefixes = try Self.list(reader, "OTP_SMS_ALLOWED_PREFIXES") { (item: String) throws(OTPError) -> String in
                guard item.hasPrefix("+"), (2...16).contains(item.utf8.count),
                      item.utf8.dropFirst().allSatisfy({ (0x30...0x39).contains($0) }) else {
                    throw .misconfigured("OTP_SMS_ALLOWED_PREFIXES must list prefixes such as +1,+44, separated by commas")
                }
                return item
            }
            allowedOrigins = try Self.list(reader, "OTP_ALLOWED_ORIGINS") { (item: String) throws(OTPError) -> String in
                let lowered = item.lowercased()
                guard lowered.hasPrefix("https://") || lowered.hasPrefix("http://"), !lowered.hasSuffix("/"),
                      !lowered.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value >= 0x7f }) else {
                    throw .misconfigured("OTP_ALLOWED_ORIGINS must list origins such as https://www.example.com, separated by commas")
                }
                return lowered
            }
        }

        /// Comma- or space-separated, empty items ignored.
        static func list<T>(_ reader: Reader, _ name: String, _ parse: (String) throws(OTPError) -> T) throws(OTPError) -> [T] {
            guard let text = reader.string(name) else { return [] }
            var out: [T] = []
            for item in text.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" }) { out.append(try parse(String(item))) }
            return out
        }

        /// Whether a number may get SMS or WhatsApp, to stop SMS pumping to premium ranges.
        public func allowsPhone(_ e164: String) -> Bool {
            smsAllowedPrefixes.isEmpty || smsAllowedPrefixes.contains { e164.hasPrefix($0) }
        }
    }
}
