// OTP_ALLOWED_ORIGINS through the built executables and through Apache: 403, CORS headers and the preflight.
import Foundation
import Testing
import TestSupport

@Suite struct CrossOriginTests {
    let settings = ["OTP_ALLOWED_ORIGINS": "https://shop.example, https://www.shop.example"]
    let fields = #"{"channel": "email", "identifier": "cors@example.com"}"#

    @Test func anUnlistedOriginIs403AndNothingIsSent() throws {
        let site = try Site(settings)
        for origin in ["https://evil.example", "null", "https://shop.example.evil.example", "http://shop.example"] {
            let answer = try site.run("generate", fields, extra: ["HTTP_ORIGIN": origin])
            #expect(answer.status == 403 && answer.detail == "Origin not allowed")
            #expect(answer.headers["access-control-allow-origin"] == nil)
        }
        #expect(try site.codes(for: "cors@example.com").isEmpty)
    }

    @Test func aListedOriginMayReadEveryAnswerTheTooManyToo() throws {
        let site = try Site(settings)
        let sent = try site.run("generate", fields, extra: ["HTTP_ORIGIN": "https://shop.example"])
        #expect(sent.status == 200 && sent.headers["access-control-allow-origin"] == "https://shop.example")
        #expect(sent.headers["vary"] == "Origin")
        let again = try site.run("generate", fields, extra: ["HTTP_ORIGIN": "https://WWW.shop.example"])
        #expect(again.status == 429 && again.headers["access-control-allow-origin"] == "https://WWW.shop.example")
    }

    @Test func noOriginIsNotABrowsersCrossSiteRequest() throws {
        let answer = try Site(settings).run("generate", fields)
        #expect(answer.status == 200 && answer.headers["access-control-allow-origin"] == nil && answer.headers["vary"] == "Origin")
    }

    @Test func thePreflightOfAListedOriginIs204WithoutABody() throws {
        let answer = try Site(settings).run("generate", "", method: "OPTIONS", contentType: nil, extra: [
            "HTTP_ORIGIN": "https://shop.example", "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "POST",
            "HTTP_ACCESS_CONTROL_REQUEST_HEADERS": "content-type",
        ])
        #expect(answer.status == 204)
        #expect(answer.headers["access-control-allow-origin"] == "https://shop.example")
        #expect(answer.headers["access-control-allow-methods"] == "POST")
        #expect(answer.headers["access-control-allow-headers"] == "Content-Type")
        #expect(answer.headers["content-type"] == nil)
    }

    @Test(arguments: [(["OTP_ALLOWED_ORIGINS": "https://shop.example"], "https://evil.example", 403),
                      (["OTP_ALLOWED_ORIGINS": "https://shop.example"], nil, 405),
                      ([:], "https://shop.example", 405)])
    func otherPreflightsAreRefused(settings: [String: String], origin: String?, status: Int) throws {
        let answer = try Site(settings).run("verify", "", method: "OPTIONS", contentType: nil,
                                            extra: origin.map { ["HTTP_ORIGIN": $0] } ?? [:])
        #expect(answer.status == status)
        #expect(answer.headers["access-control-allow-origin"] == nil)
    }

    @Test func unsetOriginsChangeNothing() throws {
        let answer = try Site().run("generate", fields, extra: ["HTTP_ORIGIN": "https://anywhere.example"])
        #expect(answer.status == 200 && answer.headers["access-control-allow-origin"] == nil && answer.headers["vary"] == nil)
    }
}
