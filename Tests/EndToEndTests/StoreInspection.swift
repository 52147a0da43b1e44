// A test's view into a site's file store: which slot holds an identifier, identifiers that share a shard, its tables.
import Foundation
import Testing
import TestSupport
@testable import Stores
@testable import OTP
import Platform
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

    /// The table that holds an identifier's record, and the offset of its slot there (nil when it has none).
    func recordSlot(_ email: String) throws -> (path: String, offset: Int)? {
        let key = try recordKey(email), path = store.path + "/t/" + key.hex.prefix(2)
        guard let table = FileManager.default.contents(atPath: path).map(Array.init) else { return nil }
        let bytes = try #require(Hex.decode(key.hex[...]))
        guard let offset = stride(from: 0, to: table.count, by: Slot.size).first(where: { table[$0..<$0 + Slot.keySize].elementsEqual(bytes) }) else {
            return nil
        }
        return (path, offset)
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
    var shardNames: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: store.path + "/t")) ?? []).filter { $0.hasSuffix(".lock") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// Every slot of a shard's table that was ever written (not all zeros).
    func writtenSlots(ofShard shard: String) -> [SlotBucket] {
        guard let table = FileManager.default.contents(atPath: store.path + "/t/" + shard).map(Array.init) else { return [] }
        return stride(from: 0, to: table.count, by: Slot.size).compactMap { offset in
            let slot = Array(table[offset..<offset + Slot.size])
            return slot.allSatisfy { $0 == 0 } ? nil : SlotBucket(bytes: slot + [UInt8](repeating: 0, count: Slot.pageSize - Slot.size))
        }
    }

    /// Whether the store holds nothing: no slot written (or every one emptied again) and no long value's file.
    func holdsNothing() -> Bool {
        shardNames.allSatisfy { writtenSlots(ofShard: $0).isEmpty }
            && ((try? FileManager.default.contentsOfDirectory(atPath: store.path + "/t/o")) ?? []).isEmpty
    }

    /// The slots of a shard that hold something live at `now`.
    func liveSlots(ofShard shard: String, now: Int64) -> Int {
        writtenSlots(ofShard: shard).filter { $0.intact(0) && $0.deadAt(0) > now }.count
    }

    /// Whether every slot ever written is whole (old or new, never torn) and decodes as the store reads it; a
    /// long value's file too.
    func everyRecordDecodes() -> Bool {
        shardNames.allSatisfy { shard in
            writtenSlots(ofShard: shard).allSatisfy { page in
                guard page.intact(0) else { return false }
                if page.flags(0) & Slot.elsewhere != 0 {
                    let bytes = FileManager.default.contents(atPath: store.path + "/t/o/" + Hex.encode(page.key(0))).map(Array.init) ?? []
                    return EventLog(stored: bytes) != nil
                }
                return Record(stored: page.value(0)) != nil || EventLog(stored: page.value(0)) != nil
            }
        }
    }

    /// Whether some process still holds a shard's lock: a non-blocking exclusive try fails only then.
    func heldLocks() -> [String] {
        shardNames.filter { shard in
            let fd = open(store.path + "/t/\(shard).lock", O_RDWR | O_CLOEXEC)
            guard fd >= 0 else { return false }
            defer { close(fd) }
            return flock(fd, LOCK_EX | LOCK_NB) != 0
        }
    }
}
