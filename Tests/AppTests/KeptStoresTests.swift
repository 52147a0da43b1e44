// What a FastCGI process keeps between requests: settings parsed once per virtual host, stores reused, and
// nothing that belongs to one request.
import Foundation
import Testing
@testable import App
import OTP

@Suite struct KeptStoresTests {
    /// A request's own variables, as Apache sends them: they differ from request to request.
    private func request(_ settings: [String: String], port: Int) -> [String: String] {
        settings.merging(["REMOTE_ADDR": "192.0.2.\(port % 250)", "REMOTE_PORT": String(port), "CONTENT_LENGTH": String(40 + port % 7),
                          "CONTENT_TYPE": "application/json", "REQUEST_METHOD": "POST", "HTTP_USER_AGENT": "agent \(port)",
                          "REQUEST_URI": "/api/otp/verify?\(port)", "GATEWAY_INTERFACE": "CGI/1.1"]) { $1 }
    }

    private let hostA = ["OTP_CODE_LENGTH": "6", "OTP_STORE_DIR": "/tmp/otp-kept-a", "OTP_ALLOWED_ORIGINS": "https://a.example"]
    private let hostB = ["OTP_CODE_LENGTH": "8", "OTP_STORE_DIR": "/tmp/otp-kept-b", "OTP_ALLOWED_ORIGINS": "https://b.example"]

    @Test func oneVirtualHostsSettingsAreParsedOnceWhateverItsRequestsCarry() throws {
        let kept = KeptStores()
        for port in 40_000..<40_010 { _ = try kept.wiring(request(hostA, port: port), { _ in }) }
        #expect(kept.parsed == 1)
    }

    @Test func twoVirtualHostsEachKeepTheirOwnSettingsAndStore() throws {
        let kept = KeptStores()
        var stores: [String: ObjectIdentifier] = [:]
        for port in 40_000..<40_008 {
            let (host, expected) = port % 2 == 0 ? (hostA, ("/tmp/otp-kept-a", 6, "https://a.example")) : (hostB, ("/tmp/otp-kept-b", 8, "https://b.example"))
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
        for params in [cloud.merging(file) { $1 }, cloud] {
            #expect(try Settings(environment: params, own: file).delivery.cloud.accessTokenFile == "/etc/otp-cgi/wa.token")
        }
    }

    @Test func aChangedValueIsParsedAgainAndAnInvalidOneIsNeverKept() throws {
        let kept = KeptStores()
        _ = try kept.wiring(request(hostA, port: 1), { _ in })
        #expect(throws: OTPError.self) { try kept.wiring(request(hostA.merging(["OTP_CODE_LENGTH": "99"]) { $1 }, port: 2), { _ in }) }
        #expect(throws: OTPError.self) { try kept.wiring(request(hostA.merging(["OTP_CODE_LENGTH": "99"]) { $1 }, port: 3), { _ in }) }
        let (_, service) = try kept.wiring(request(hostA.merging(["OTP_CODE_LENGTH": "7"]) { $1 }, port: 4), { _ in })
        #expect(service.settings.codeLength == 7)
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
        for name in names {
            #expect(Settings.namePrefixes.contains { name.hasPrefix($0) }, "\(name) is not in the settings cache's key")
            #expect(Settings.key([name: "x"]) != Settings.key([:]))
        }
        #expect(Settings.key(["HTTP_OTP_CODE_LENGTH": "8", "REMOTE_PORT": "1"]) == Settings.key([:]))
    }
}
