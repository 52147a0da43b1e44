// A W3C WebDriver client (JSON over HTTP) for Debian's chromedriver driving headless Chromium.
import Foundation
import TestSupport

/// Just what a person does on a page: open it, type into a field, click, read text, and a screenshot of it.
final class WebDriver: @unchecked Sendable {
    private let driver: ServerProcess
    private let session: URL
    private let profile: URL

    /// Runs `body` with a fresh browser, and ends the browser whatever happens.
    /// `width`: the page's width in CSS pixels, as a phone's screen (Chromium's device emulation) instead of a
    /// desktop window's 800.
    static func withBrowser<T>(width: Int? = nil, _ body: (WebDriver) async throws -> T) async throws -> T {
        let browser = try await WebDriver(width: width)
        do {
            let result = try await body(browser)
            await browser.quit()
            return result
        } catch {
            await browser.quit()
            throw error
        }
    }

    private init(width: Int?) async throws {
        for path in ["/usr/bin/chromedriver", "/usr/bin/chromium"] where !FileManager.default.isExecutableFile(atPath: path) {
            throw TestFailure("\(path) is missing: run Tests/setup.sh (make deps)")
        }
        profile = FileManager.default.temporaryDirectory.appendingPathComponent("otp-chromium-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
        let port = try Loopback.freePort()
        driver = try ServerProcess(["/usr/bin/chromedriver", "--port=\(port)"], output: profile.appendingPathComponent("chromedriver.log"))
        try await driver.waitWhileRunning { Loopback.accepts(port: port) }
        // As root in a container Chromium's sandbox cannot start; the page under test is our own.
        var options: [String: Any] = ["binary": "/usr/bin/chromium", "args": [
            "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=800,1000",
            "--user-data-dir=\(profile.appendingPathComponent("profile").path)",
        ]]
        if let width { options["mobileEmulation"] = ["deviceMetrics": ["width": width, "height": 740, "pixelRatio": 1]] }
        do {
            let created = try await Self.call(URL(string: "http://127.0.0.1:\(port)/session")!, "POST",
                                              ["capabilities": ["alwaysMatch": ["goog:chromeOptions": options]]])
            guard let id = (created as? [String: Any])?["sessionId"] as? String else { throw TestFailure("no session id") }
            session = URL(string: "http://127.0.0.1:\(port)/session/\(id)")!
        } catch {
            driver.stop(SIGTERM, group: true)
            throw TestFailure("Chromium did not start: \(error)\n\(driver.output)")
        }
        // Finding an element waits for the page that a click started loading.
        _ = try await command("POST", "timeouts", ["implicit": 30_000])
    }

    func open(_ url: URL) async throws { _ = try await command("POST", "url", ["url": url.absoluteString]) }

    func type(_ selector: String, _ text: String) async throws {
        let element = try await find(selector)
        _ = try await command("POST", "element/\(element)/clear", [:])
        _ = try await command("POST", "element/\(element)/value", ["text": text])
    }

    func click(_ selector: String) async throws { _ = try await command("POST", "element/\(try await find(selector))/click", [:]) }

    /// Runs `source` (a function body) in the page and returns what it returns.
    func script(_ source: String) async throws -> Any? { try await command("POST", "execute/sync", ["script": source, "args": []]) }

    func text(_ selector: String) async throws -> String {
        try await command("GET", "element/\(try await find(selector))/text") as? String ?? ""
    }

    /// How many elements match: 0 when none does (it does not wait for one to appear).
    func elementCount(_ selector: String) async throws -> Int {
        _ = try await command("POST", "timeouts", ["implicit": 0])
        let found = try? await command("POST", "elements", ["using": "css selector", "value": selector])
        _ = try await command("POST", "timeouts", ["implicit": 30_000])
        guard let list = found as? [Any] else { throw TestFailure("could not look for \(selector)") }
        return list.count
    }

    /// A computed style of the first match, such as `direction`.
    func css(_ selector: String, _ property: String) async throws -> String {
        try await command("GET", "element/\(try await find(selector))/css/\(property)") as? String ?? ""
    }

    func attribute(_ selector: String, _ name: String) async throws -> String? {
        try await command("GET", "element/\(try await find(selector))/attribute/\(name)") as? String
    }

    /// The first match alone as test-artifacts/NAME.png; returns the file, for checks on what it shows.
    @discardableResult
    func screenshot(_ name: String, of selector: String) async throws -> URL {
        guard let base64 = try await command("GET", "element/\(try await find(selector))/screenshot") as? String,
              let png = Data(base64Encoded: base64) else { throw TestFailure("no screenshot of \(selector)") }
        let file = Project.root.appendingPathComponent("test-artifacts/\(name).png")
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try png.write(to: file)
        return file
    }

    /// The page a click submitted may still be loading: waits for its title (half a minute at most).
    func waitForTitle(_ title: String) async throws {
        let deadline = Date().addingTimeInterval(30)
        var current = ""
        while current != title {
            guard Date() < deadline else { throw TestFailure("the page is \"\(current)\", not \"\(title)\"") }
            current = try await command("GET", "title") as? String ?? ""
            if current != title { try await Task.sleep(nanoseconds: 50_000_000) }
        }
    }

    /// Saved as test-artifacts/NAME.png in the project, to be looked at.
    func screenshot(_ name: String) async throws {
        guard let base64 = try await command("GET", "screenshot") as? String, let png = Data(base64Encoded: base64) else {
            throw TestFailure("no screenshot")
        }
        let directory = Project.root.appendingPathComponent("test-artifacts")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try png.write(to: directory.appendingPathComponent("\(name).png"))
    }

    private func quit() async {
        _ = try? await command("DELETE", "")
        driver.stop(SIGTERM, group: true)
        try? FileManager.default.removeItem(at: profile)
    }

    private func find(_ selector: String) async throws -> String {
        let found = try await command("POST", "element", ["using": "css selector", "value": selector]) as? [String: Any]
        guard let id = found?["element-6066-11e4-a52e-4f735466cecf"] as? String else { throw TestFailure("no element \(selector)") }
        return id
    }

    private func command(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> Any? {
        try await Self.call(path.isEmpty ? session : session.appendingPathComponent(path), method, body)
    }

    /// The `value` of the answer; a WebDriver error becomes a test failure naming it.
    private static func call(_ url: URL, _ method: String, _ body: [String: Any]?) async throws -> Any? {
        let json = try body.map { try JSONSerialization.data(withJSONObject: $0) }
        let (status, data) = try await exchange(port: url.port ?? 80, method, url.path, json)
        let value = (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["value"]
        guard status == 200 else { throw TestFailure("WebDriver \(method) \(url.path): \(String(decoding: data, as: UTF8.self))") }
        return value is NSNull ? nil : value
    }

    /// HTTP/1.1 by hand, a connection per request: URLSession (swift-corelibs-foundation) refuses chromedriver's
    /// headers, written without a space after the colon (`Content-Length:914`), with "Failed writing header".
    /// Runs off the test's thread, since a call blocks until the browser has finished loading.
    private static func exchange(port: Int, _ method: String, _ path: String, _ body: Data?) async throws -> (Int, Data) {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                guard let fd = Loopback.connection(port: port) else {
                    return continuation.resume(throwing: TestFailure("chromedriver is not listening"))
                }
                defer { close(fd) }
                var request = Data("\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n".utf8)
                request += Data("Content-Type: application/json\r\nContent-Length: \(body?.count ?? 0)\r\n\r\n".utf8) + (body ?? Data())
                _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                guard let answer = readAnswer(fd) else { return continuation.resume(throwing: TestFailure("no HTTP answer from chromedriver")) }
                continuation.resume(returning: answer)
            }
        }
    }

    /// Reads through the end of the body that Content-Length announces: chromedriver keeps the connection open.
    private static func readAnswer(_ fd: Int32) -> (Int, Data)? {
        var answer = Data(), buffer = [UInt8](repeating: 0, count: 65536)
        var head: (status: Int, end: Int, length: Int)?
        while head.map({ answer.count < $0.end + $0.length }) ?? true {
            let n = recv(fd, &buffer, buffer.count, 0)
            guard n > 0 else { return nil }
            answer.append(contentsOf: buffer[..<n])
            if head == nil, let end = answer.firstRange(of: Data("\r\n\r\n".utf8)) {
                let lines = String(decoding: answer[..<end.lowerBound], as: UTF8.self).lowercased().components(separatedBy: "\r\n")
                guard let status = Int(lines[0].split(separator: " ").dropFirst().first ?? "") else { return nil }
                let length = lines.first { $0.hasPrefix("content-length:") }.flatMap { Int($0.dropFirst(15).trimmingCharacters(in: .whitespaces)) }
                head = (status, end.upperBound, length ?? 0)
            }
        }
        return head.map { ($0.status, Data(answer[$0.end...])) }
    }
}
