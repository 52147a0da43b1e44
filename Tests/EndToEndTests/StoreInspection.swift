// A test's view into a site's file store: which file holds an identifier, identifiers that share a shard, its files.
import Foundation
import Testing
import TestSupport
@testable import Stores
@testable import OTP
@testable import Digests

extension Site {
    /// A site whose HMAC key the test knows, so that it can name the files its identifiers live in.
    static func withKnownKey(_ settings: [String: String] = [:]) throws -> Site {
        try Site(["OTP_SECRET_KEY": "store-inspection-key-0123456789"].merging(settings) { $1 })
    }

    func recordKey(_ email: String) throws -> RecordKey {
        RecordKey(secret: HMACKey(Array(try #require(settings["OTP_SECRET_KEY"]).utf8)), identifier: try Identifier(channel: .email, raw: email))
    }

    func shard(of email: String) throws -> String { String(try recordKey(email).hex.prefix(2)) }

    func recordPath(_ email: String) throws -> String {
        let hex = try recordKey(email).hex
        return store.path + "/r/" + hex.prefix(2) + "/" + hex.dropFirst(2)
    }

    /// `count` addresses `tag-N@example.com` whose records share one shard, so that tests can crowd one lock.
    func emailsInOneShard(_ count: Int, tag: String) throws -> [String] {
        try EndToEndTests.emailsInOneShard(count, tag: tag, key: try #require(settings["OTP_SECRET_KEY"]))
    }
}

/// `count` addresses `tag-N@example.com` whose records share one shard of a store keyed with `key`.
func emailsInOneShard(_ count: Int, tag: String, key: String) throws -> [String] {
    func shard(_ email: String) throws -> Substring {
        RecordKey(secret: HMACKey(Array(key.utf8)), identifier: try Identifier(channel: .email, raw: email)).hex.prefix(2)
    }
    let target = try shard("\(tag)-0@example.com")
    var found: [String] = []
    var i = 0
    while found.count < count {
        let email = "\(tag)-\(i)@example.com"
        if try shard(email) == target { found.append(email) }
        i += 1
    }
    return found
}

/// A file store on disk, whoever writes it (a Site's CGI runs, or a LocalApache's responders).
protocol StoreInspecting {
    var store: URL { get }
}

extension Site: StoreInspecting {}
extension LocalWebServer: StoreInspecting {}

extension StoreInspecting {
    var shardNames: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: store.path + "/r")) ?? []).sorted() }

    /// The names in a shard other than its lock file: records and temp files.
    func entries(ofShard shard: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: store.path + "/r/" + shard)) ?? []).filter { $0 != "lock" }
    }

    /// Whether every record in the store decodes, as the store reads them.
    func everyRecordDecodes() -> Bool {
        shardNames.allSatisfy { shard in
            entries(ofShard: shard).filter { !$0.hasPrefix(FileStore.tempPrefix) }.allSatisfy { name in
                let bytes = FileManager.default.contents(atPath: store.path + "/r/\(shard)/\(name)").map(Array.init) ?? []
                return Record(decoding: bytes) != nil || EventLog(decoding: bytes) != nil
            }
        }
    }

    /// Whether some process still holds a shard's lock: a non-blocking exclusive try fails only then.
    func heldLocks() -> [String] {
        shardNames.filter { shard in
            let fd = open(store.path + "/r/\(shard)/lock", O_RDWR | O_CLOEXEC)
            guard fd >= 0 else { return false }
            defer { close(fd) }
            return flock(fd, LOCK_EX | LOCK_NB) != 0
        }
    }
}
