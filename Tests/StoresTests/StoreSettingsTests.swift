// OTP_STORE_URL and the Redis settings: every URL form a user may write, and the ones refused with a clear message.
import Testing
@testable import Stores
import OTP

@Suite struct StoreSettingsTests {
    @Test func theFileStoreIsTheDefault() throws {
        let store = try StoreSettings(SettingsReader(env: [:]))
        #expect(store == StoreSettings())
        #expect(store.location == .file && store.redisPrefix == "otp:")
        #expect(store.connectTimeoutMilliseconds == 250 && store.readTimeoutMilliseconds == 1000)
    }

    @Test(arguments: [
        ("file:", StoreSettings.Location.file),
        ("redis://127.0.0.1", .redis(RedisEndpoint(address: .tcp(host: "127.0.0.1", port: 6379)))),
        ("redis://localhost:6380/2", .redis(RedisEndpoint(address: .tcp(host: "localhost", port: 6380), database: 2))),
        ("REDIS://redis.internal:7000/", .redis(RedisEndpoint(address: .tcp(host: "redis.internal", port: 7000)))),
        ("redis://:s3cret@10.0.0.5:6379/1", .redis(RedisEndpoint(address: .tcp(host: "10.0.0.5", port: 6379), password: "s3cret", database: 1))),
        ("redis://s3cret@10.0.0.5", .redis(RedisEndpoint(address: .tcp(host: "10.0.0.5", port: 6379), password: "s3cret"))),
        ("redis://otp:p%40ss%3Aw%2Fd@[::1]:6390", .redis(RedisEndpoint(address: .tcp(host: "::1", port: 6390), username: "otp", password: "p@ss:w/d"))),
        ("redis://[::1]", .redis(RedisEndpoint(address: .tcp(host: "::1", port: 6379)))),
        ("redis://u:p@w@host", .redis(RedisEndpoint(address: .tcp(host: "host", port: 6379), username: "u", password: "p@w"))),
        ("unix:///run/redis/redis.sock", .redis(RedisEndpoint(address: .unix(path: "/run/redis/redis.sock")))),
        ("unix:///run/redis.sock?db=4&password=x%26y", .redis(RedisEndpoint(address: .unix(path: "/run/redis.sock"), password: "x&y", database: 4))),
    ])
    func readsEveryURLForm(url: String, location: StoreSettings.Location) throws {
        #expect(try StoreSettings(SettingsReader(env: ["OTP_STORE_URL": url])).location == location)
    }

    @Test(arguments: [
        ("rediss://:pw@redis.example:6380", "rediss:// (TLS) is not supported"),
        ("http://127.0.0.1:6379", "must be file:, redis://"),
        ("file:///srv/otp", "must be file:, redis://"),
        ("redis://", "must be redis://"),
        ("redis://host:0", "port must be a number from 1 to 65535"),
        ("redis://host:70000", "port must be a number from 1 to 65535"),
        ("redis://host:63a9", "port must be a number from 1 to 65535"),
        ("redis://host/x", "the database must be a number"),
        ("redis://[::1", "must be redis://"),
        ("redis://:p%4@host", "malformed %-escape"),
        ("redis://a b:6379", "must be redis://"),
        ("unix://relative.sock", "absolute socket path"),
        ("unix:///run/redis.sock?bogus=1", "must be redis://"),
        ("unix:///run/redis.sock?\u{0301}db=4", "must be redis://"), ("redis://host:\u{0301}6379", "port must be a number from 1 to 65535"),
        ("unix:///" + String(repeating: "a", count: 120), "under 108 bytes"),
    ])
    func refusesABadURLNamingTheSettingButNotThePassword(url: String, message: String) {
        #expect {
            try StoreSettings(SettingsReader(env: ["OTP_STORE_URL": url]))
        } throws: { error in
            guard case .misconfigured(let text) = error as? OTPError else { return false }
            return text.hasPrefix("OTP_STORE_URL") && text.contains(message) && !text.contains("pw@") && !text.contains("p%4")
        }
    }

    @Test(arguments: [("OTP_REDIS_PREFIX", "with space"), ("OTP_REDIS_PREFIX", "{tag}:"), ("OTP_REDIS_CONNECT_TIMEOUT_MS", "0"),
                      ("OTP_REDIS_READ_TIMEOUT_MS", "1s")])
    func refusesABadRedisSetting(name: String, value: String) {
        #expect(throws: OTPError.self) { try StoreSettings(SettingsReader(env: ["OTP_STORE_URL": "redis://127.0.0.1", name: value])) }
    }

    @Test func readsThePrefixAndTimeouts() throws {
        let store = try StoreSettings(SettingsReader(env: ["OTP_REDIS_PREFIX": "shop1:otp:", "OTP_REDIS_CONNECT_TIMEOUT_MS": "50",
                                               "OTP_REDIS_READ_TIMEOUT_MS": "2000"]))
        #expect(store.redisPrefix == "shop1:otp:" && store.connectTimeoutMilliseconds == 50 && store.readTimeoutMilliseconds == 2000)
    }
}
