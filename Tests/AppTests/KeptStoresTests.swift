// What a FastCGI process keeps between requests: settings parsed once per virtual host, stores reused, and
// nothing that belongs to one request.
import Foundation
import Testing
@testable import App
@testable import Gateway
import OTP

@Suite struct KeptStoresTests {
    /// A request's own variables, as Apache sends them (they differ from request to request), through the responder's
    /// own reading of PARAMS, which also lays out its setting variables as they came.
    private func request(_ settings: [String: String], port: Int, reversed: Bool = false) -> Request {
        let variables = settings.merging(["REMOTE_ADDR": "192.0.2.\(port % 250)", "REMOTE_PORT": String(port), "CONTENT_LENGTH": String(40 + port % 7),
                                          "CONTENT_TYPE": "application/json", "REQUEST_METHOD": "POST", "HTTP_USER_AGENT": "agent \(port)",
                                          "REQUEST_URI": "/api/otp/verify?\(port)", "GATEWAY_INTERFACE": "CGI/1.1"]) { $1 }
        var prefixed: [UInt8] = []
        let env = FastCGIPairs.environment(FastCGIPairs.encode(variables.sorted { reversed ? $0.key > $1.key : $0.key < $1.key }),
                                           keeping: VariableFilter(prefixes: SettingsReader.namePrefixes), prefixed: &prefixed)!
        var request = Request(method: "POST", environment: env)
        request.prefixedVariables = prefixed
        return request
    }

    private let hostA = ["OTP_CODE_LENGTH": "6", "OTP_LOCK_TIMEOUT_MS": "2000", "OTP_ALLOWED_ORIGINS": "https://a.example"]
    private let hostB = ["OTP_CODE_LENGTH": "8", "OTP_LOCK_TIMEOUT_MS": "2001", "OTP_ALLOWED_ORIGINS": "https://b.example"]
    /// A responder on a Unix socket whose own environment names the store.
    private func keptStores() -> KeptStores {
        KeptStores(sources: SettingSources(environment: ["OTP_STORE_DIR": "/tmp/otp-kept", "PATH": "/bin"], requestsMaySet: true))
    }

    @Test func oneVirtualHostsSettingsAreParsedOnceWhateverItsRequestsCarry() throws {
        let kept = keptStores()
        for port in 40_000..<40_010 { _ = try kept.wiring(request(hostA, port: port), { _ in }) }
        #expect(kept.parsed == 1)
    }

    @Test func twoVirtualHostsEachKeepTheirOwnSettingsAndStore() throws {
        let kept = keptStores()
        var stores: [String: ObjectIdentifier] = [:]
        for port in 40_000..<40_008 {
            let (host, expected) = port % 2 == 0 ? (hostA, ("a", 6, "https://a.example")) : (hostB, ("b", 8, "https://b.example"))
            let (http, service) = try kept.wiring(request(host, port: port), { _ in })
            #expect(service.settings.codeLength == expected.1)
            #expect(http.allowedOrigins == [expected.2])
            let store = ObjectIdentifier(service.store as AnyObject)
            #expect(stores[expected.0, default: store] == store, "one store per store settings, kept")
            stores[expected.0] = store
        }
        #expect(kept.parsed == 2)
        #expect(stores.count == 2 && Set(stores.values).count == 2)
    }

    /// A setting that names a provider's secret file counts only in the responder's own environment: a request
    /// (a virtual host's SetEnv, or anyone who can shape PARAMS) cannot make the responder read a file.
    @Test func aSecretFileNamedOnlyByARequestIsRefused() throws {
        let file = ["WA_CLOUD_ACCESS_TOKEN_FILE": "/etc/otp-cgi/wa.token"]
        #expect(throws: OTPError.self) { try KeptStores(own: [:]).wiring(request(hostA.merging(file) { $1 }, port: 1), { _ in }) }
        _ = try KeptStores(own: file).wiring(request(hostA.merging(file) { $1 }, port: 1), { _ in })
        let cloud = hostA.merging(["WA_CLOUD_PHONE_NUMBER_ID": "106540352242922"]) { $1 }
        let sources = SettingSources(environment: file, requestsMaySet: true)
        for params in [cloud.merging(file) { $1 }, cloud] {
            #expect(try Settings(environment: sources.settings(for: params)).delivery.cloud.accessTokenFile == "/etc/otp-cgi/wa.token")
        }
    }

    @Test func aChangedValueIsParsedAgainAndAnInvalidOneIsNeverKept() throws {
        let kept = keptStores()
        _ = try kept.wiring(request(hostA, port: 1), { _ in })
        #expect(throws: OTPError.self) { try kept.wiring(request(hostA.merging(["OTP_CODE_LENGTH": "99"]) { $1 }, port: 2), { _ in }) }
        #expect(throws: OTPError.self) { try kept.wiring(request(hostA.merging(["OTP_CODE_LENGTH": "99"]) { $1 }, port: 3), { _ in }) }
        let (_, service) = try kept.wiring(request(hostA.merging(["OTP_CODE_LENGTH": "7"]) { $1 }, port: 4), { _ in })
        #expect(service.settings.codeLength == 7)
        #expect(kept.parsed == 2)
    }

    /// A request is given the last one's settings only when it carries the same setting variables, no fewer and no
    /// more: one that leaves a setting out gets its default.
    @Test func aRequestCarryingFewerOrMoreSettingsThanTheLastGetsItsOwn() throws {
        let kept = keptStores()
        let eight = hostA.merging(["OTP_CODE_LENGTH": "8"]) { $1 }, unset = eight.filter { $0.key != "OTP_CODE_LENGTH" }
        for (port, (host, length)) in [(eight, 8), (unset, 6), (eight, 8), (unset.merging(["OTP_TTL_SECONDS": "600"]) { $1 }, 6)].enumerated() {
            let (_, service) = try kept.wiring(request(host, port: port), { _ in })
            #expect(service.settings.codeLength == length)
        }
        #expect(kept.parsed == 3)
    }

    /// The last request's settings are reused when a request's setting variables came as the same bytes: the same
    /// ones in another order are looked up again, and a request whose variables did not come through a responder is
    /// never given another's.
    @Test func settingsAreReusedOnlyForTheSameVariablesAsTheyCame() throws {
        let kept = keptStores()
        let eight = hostA.merging(["OTP_CODE_LENGTH": "8"]) { $1 }
        _ = try kept.wiring(request(eight, port: 1), { _ in })
        #expect(try kept.wiring(request(eight, port: 2, reversed: true), { _ in }).1.settings.codeLength == 8)
        let unknown = Request(method: "POST", environment: hostA)
        #expect(unknown.prefixedVariables == nil)
        #expect(try kept.wiring(unknown, { _ in }).1.settings.codeLength == 6)
        #expect(try kept.wiring(request(eight, port: 3), { _ in }).1.settings.codeLength == 8)
        #expect(kept.parsed == 2)
    }

    /// The cache key holds only the setting variables: every setting the docs document must be one of them,
    /// or a virtual host changing it would keep its old value.
    @Test func everyDocumentedSettingIsPartOfTheKey() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..")
        let pages = try ["README.md"] + FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("docs").path)
            .filter { $0.hasSuffix(".md") }.map { "docs/\($0)" }
        let readme = try pages.map { try String(contentsOf: root.appendingPathComponent($0), encoding: .utf8) }.joined(separator: "\n")
        var names: [String] = []
        for row in readme.split(separator: "\n") where row.hasPrefix("| `") {
            let quoted = row.split(separator: "|")[0].split(separator: "`", omittingEmptySubsequences: false)
            for (index, part) in quoted.enumerated() where index % 2 == 1 && part.count > 3 {
                if part.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }) { names.append(String(part)) }
            }
        }
        #expect(names.count > 40)
        let sources = SettingSources(environment: [:], requestsMaySet: true)
        for name in names {
            #expect(SettingsReader.namePrefixes.contains { name.hasPrefix($0) }, "\(name) is not in the settings cache's key")
            #expect(try SettingSources(environment: [name: "x"], requestsMaySet: true).settings(for: [:]) == [name: "x"])
        }
        #expect(try sources.settings(for: ["HTTP_OTP_CODE_LENGTH": "8", "REMOTE_PORT": "1"]).isEmpty)
    }

    /// A local account that can reach a responder's socket ran its own program as the service's user with one
    /// request naming it (EMAIL_SENDMAIL_PATH). No setting naming a program, a file or a directory is taken
    /// from a request; the responder's own environment wins over a request for every setting.
    @Test(arguments: ["OTP_CURL_PATH", "EMAIL_SENDMAIL_PATH", "EMAIL_FILE_PATH", "OTP_STORE_DIR", "OTP_TEMPLATE_DIR",
                      "OTP_SECRET_KEY_FILE", "OTP_CA_BUNDLE", "OTP_FUTURE_HOOK_COMMAND", "SMS_SOMETHING_DIR",
                      "SMS_COMMAND", "SMS_HTTP_PASSWORD_FILE", "SMS_WEBHOOK_SECRET_FILE", "WA_CLOUD_ACCESS_TOKEN_FILE"])
    func aRequestNamesNoFileOrProgram(name: String) throws {
        #expect(SettingsReader.namesLocalResource(name))
        let kept = keptStores()
        #expect(throws: OTPError.misconfigured("\(name) is read from the FastCGI responder's own environment, not from a request's "
                                               + "parameters: set it where the responder is started")) {
            try kept.wiring(request(hostA.merging([name: "/tmp/attacker/x", "EMAIL_BACKEND": "sendmail"]) { $1 }, port: 1), { _ in })
        }
        // The same value as the responder's own is no attempt to change it.
        let (_, service) = try kept.wiring(request(hostA.merging(["OTP_STORE_DIR": "/tmp/otp-kept"]) { $1 }, port: 2), { _ in })
        #expect(service.settings.codeLength == 6)
    }

    @Test func overTCPNoSettingComesFromARequestAndTheOwnEnvironmentWins() throws {
        let sources = SettingSources(environment: ["OTP_CODE_LENGTH": "7", "OTP_STORE_DIR": "/tmp/otp-kept"], requestsMaySet: false)
        #expect(throws: OTPError.self) { try sources.settings(for: ["OTP_MAX_ATTEMPTS": "1000000", "REMOTE_ADDR": "127.0.0.1"]) }
        let env = try sources.settings(for: ["OTP_CODE_LENGTH": "7", "REMOTE_ADDR": "127.0.0.1", "HTTP_X": "y"])
        #expect(env == ["OTP_CODE_LENGTH": "7", "OTP_STORE_DIR": "/tmp/otp-kept"])
        let unix = SettingSources(environment: ["OTP_CODE_LENGTH": "7"], requestsMaySet: true)
        #expect(try unix.settings(for: ["OTP_CODE_LENGTH": "9", "OTP_TTL_SECONDS": "60"])
                == ["OTP_CODE_LENGTH": "7", "OTP_TTL_SECONDS": "60"])
    }

}
