// Who the per-client limits count: address parsing, CIDR ranges, IPv6 networks and X-Forwarded-For from trusted proxies.
import Testing
@testable import Web
import Platform

@Suite struct ClientAddressTests {
    /// An IPv4 client counts whole and in its /24 with 4 times the budget; an IPv6 client in its /64, /56 and /48,
    /// with 1, 4 and 16 times the budget.
    @Test(arguments: [("192.0.2.1", ["192.0.2.1 x1", "192.0.2.0/24 x4"]), ("::ffff:192.0.2.1", ["192.0.2.1 x1", "192.0.2.0/24 x4"]),
                      ("2001:db8:1:2:3:4:5:6", ["20010db800010002::/64 x1", "20010db8000100::/56 x4", "20010db80001::/48 x16"]),
                      ("2001:db8:1:2::9", ["20010db800010002::/64 x1", "20010db8000100::/56 x4", "20010db80001::/48 x16"]),
                      ("::1", ["0000000000000000::/64 x1", "00000000000000::/56 x4", "000000000000::/48 x16"])])
    func countsIPv4WholeAndIPv6PerSlash64Slash56AndSlash48(text: String, networks: [String]) throws {
        #expect(try #require(IPAddress(text)).networks.enumerated().map { "\($1) x\(IPAddress.budgetMultiplier(ofNetworkAt: $0))" } == networks)
    }

    @Test(arguments: ["", "192.0.2", "192.0.2.256", "01.2.3.4", "1.2.3.4.5", "fe80::1%eth0", "2001:db8:::1", "example.com", " 192.0.2.1",
                      String(repeating: "1", count: 100)])
    func refusesWhatIsNotAnAddress(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test(arguments: [("10.0.0.0/8", "10.255.1.2", true), ("10.0.0.0/8", "11.0.0.1", false), ("192.0.2.7", "192.0.2.7", true),
                      ("192.0.2.7", "192.0.2.8", false), ("192.0.2.0/25", "192.0.2.127", true), ("192.0.2.0/25", "192.0.2.128", false),
                      ("0.0.0.0/0", "203.0.113.1", true), ("2001:db8::/32", "2001:db8:ffff::1", true), ("2001:db8::/32", "2001:db9::1", false),
                      ("10.0.0.0/8", "::ffff:10.1.1.1", true), ("::/0", "10.0.0.1", false)])
    func aRangeHoldsItsAddresses(range: String, address: String, contained: Bool) throws {
        #expect(try #require(AddressRange(range)).contains(try #require(IPAddress(address))) == contained)
    }

    @Test(arguments: ["10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/", "10.0.0.0/8/8", "2001:db8::/129", "/8", "10.0.0.0/ 8"])
    func refusesBadRanges(text: String) {
        #expect(AddressRange(text) == nil)
    }

    /// Each proxy appends the address it saw, so only entries right of the first untrusted one are true.
    @Test(arguments: [
        (remote: "203.0.113.1", forwarded: "198.51.100.1", trusted: "10.0.0.0/8", client: "203.0.113.1"),
        (remote: "10.0.0.2", forwarded: "198.51.100.1", trusted: "", client: "10.0.0.2"),
        (remote: "10.0.0.2", forwarded: "198.51.100.1", trusted: "10.0.0.0/8", client: "198.51.100.1"),
        (remote: "10.0.0.2", forwarded: "1.1.1.1, 198.51.100.1, 10.0.0.3", trusted: "10.0.0.0/8", client: "198.51.100.1"),
        (remote: "10.0.0.2", forwarded: "10.0.0.9, 10.0.0.3", trusted: "10.0.0.0/8", client: "10.0.0.9"),
        (remote: "10.0.0.2", forwarded: "198.51.100.1, garbage, 10.0.0.3", trusted: "10.0.0.0/8", client: "10.0.0.3"),
        (remote: "10.0.0.2", forwarded: "", trusted: "10.0.0.0/8", client: "10.0.0.2"),
        (remote: "10.0.0.2", forwarded: " 2001:db8::7 ", trusted: "10.0.0.0/8", client: "20010db800000000::/64"),
    ])
    func forwardedForIsReadRightToLeftFromTrustedProxies(remote: String, forwarded: String, trusted: String, client: String) {
        let ranges = trusted.split(separator: ",").compactMap { AddressRange(String($0)) }
        #expect(ClientAddress.resolve(remote: remote, forwardedFor: forwarded, trusted: ranges)?.networks.first == client)
    }

    @Test func noPeerIsNoClient() {
        #expect(ClientAddress.resolve(remote: nil, forwardedFor: "198.51.100.1", trusted: [AddressRange("0.0.0.0/0")!]) == nil)
        #expect(ClientAddress.resolve(remote: "", forwardedFor: nil, trusted: []) == nil)
    }
}
