// `--config FILE`: the settings of each server's configuration format, read as that server reads them.
import Foundation
import Testing
@testable import App

@Suite struct SettingsFileTests {
    @Test func linesEndAtTheLineFeedByteAndAMarkAfterItStartsTheNextLine() throws {
        let file = try Self.file("SetEnv A one\n\u{0301}SetEnv B two\r\nSetEnv C \"x y\"\r\n# SetEnv D no\n")
        defer { try? FileManager.default.removeItem(atPath: file) }
        let read = try SettingsFile.read(file)
        #expect(read.settings == ["A": "one", "C": "x y"] && read.formats == [.apache])
    }

    @Test func nginxFastCGIParamLinesWithQuotesAndAnInclude() throws {
        let included = try Self.file("fastcgi_param EMAIL_HOST 'relay.example';\n")
        defer { try? FileManager.default.removeItem(atPath: included) }
        let file = try Self.file("""
            # fastcgi_param OTP_CODE_LENGTH 8;
            fastcgi_param OTP_STORE_DIR /var/lib/otp-cgi;
              fastcgi_param DEFAULT_FROM_EMAIL "otp@shop.example";
            fastcgi_param HTTP_PROXY "";
            fastcgi_param OTP_SITE_NAME "Shop" if_not_empty;
            include \(included);
            client_max_body_size 64k;

            """)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let read = try SettingsFile.read(file)
        #expect(read.settings == ["OTP_STORE_DIR": "/var/lib/otp-cgi", "DEFAULT_FROM_EMAIL": "otp@shop.example", "HTTP_PROXY": "",
                                  "OTP_SITE_NAME": "Shop", "EMAIL_HOST": "relay.example"])
        #expect(read.formats == [.nginx])
    }

    @Test func lighttpdSetenvPairsBinEnvironmentAndAnInclude() throws {
        let included = try Self.file("""
            setenv.add-environment = (
                "OTP_STORE_DIR" => "/var/lib/otp-cgi",
                "OTP_SITE_NAME" => "A \\"quoted\\" shop", # a comment
                # "OTP_TRUSTED_PROXIES" => "10.0.0.0/8",
            )

            """)
        defer { try? FileManager.default.removeItem(atPath: included) }
        let file = try Self.file("""
            server.modules += ( "mod_fastcgi", "mod_setenv" )
            $HTTP["url"] =~ "^/api/otp/(generate|verify)$" {
                alias.url += ( "/api/otp/" => "/srv/otp-cgi/cgi-bin/" )
                include "\(included)"
                server.max-request-size = 1024
            }
            fastcgi.server += ( "/api/otp/generate" => ((
                "bin-path" => "/srv/otp-cgi/cgi-bin/generate",
                "bin-environment" => ( "OTP_LOG" => "syslog", "OTP_FCGI_MAX_REQUESTS" => "1000" ),
            )))

            """)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let read = try SettingsFile.read(file)
        #expect(read.settings == ["OTP_STORE_DIR": "/var/lib/otp-cgi", "OTP_SITE_NAME": "A \"quoted\" shop", "OTP_LOG": "syslog",
                                  "OTP_FCGI_MAX_REQUESTS": "1000"])
        #expect(read.formats == [.lighttpd])
    }

    @Test func systemdEnvironmentLinesAndTheirEnvironmentFile() throws {
        let environment = try Self.file("# settings\nOTP_STORE_DIR=/var/lib/otp-cgi\nDEFAULT_FROM_EMAIL=\"otp@shop.example\"\n")
        defer { try? FileManager.default.removeItem(atPath: environment) }
        let unit = try Self.file("""
            [Service]
            ExecStart=/srv/otp-cgi/cgi-bin/generate --workers 4
            User=www-data
            Environment=OTP_LOG=syslog "OTP_SITE_NAME=The Shop"
            EnvironmentFile=-/nonexistent/otp-cgi.env
            EnvironmentFile=\(environment)

            """)
        defer { try? FileManager.default.removeItem(atPath: unit) }
        let read = try SettingsFile.read(unit)
        #expect(read.settings == ["OTP_LOG": "syslog", "OTP_SITE_NAME": "The Shop", "OTP_STORE_DIR": "/var/lib/otp-cgi",
                                  "DEFAULT_FROM_EMAIL": "otp@shop.example"])
        #expect(read.formats == [.systemd, .environmentFile])
    }

    /// Swift's `Character` fuses a combining mark with the `=` or quote before it; a server reads bytes, and so
    /// must the check, or it would report another value than a request gets.
    @Test func aCombiningMarkAfterAnEqualsSignOrAQuoteIsReadAsTheServerReadsIt() throws {
        let environment = try Self.file("OTP_CODE_LENGTH=\u{301}7\n")
        defer { try? FileManager.default.removeItem(atPath: environment) }
        #expect(try SettingsFile.read(environment).settings == ["OTP_CODE_LENGTH": "\u{301}7"])
        let unit = try Self.file("[Service]\nEnvironment=OTP_LOG=\u{301}syslog\n")
        defer { try? FileManager.default.removeItem(atPath: unit) }
        #expect(try SettingsFile.read(unit).settings == ["OTP_LOG": "\u{301}syslog"])
        let nginx = try Self.file("fastcgi_param OTP_SITE_NAME '\u{301}Shop';\n")
        defer { try? FileManager.default.removeItem(atPath: nginx) }
        #expect(try SettingsFile.read(nginx).settings == ["OTP_SITE_NAME": "\u{301}Shop"])
    }

    @Test func aFileOfNoKnownFormatGivesNoSettings() throws {
        let file = try Self.file("<VirtualHost *:80>\n    ServerName x\n</VirtualHost>\n")
        defer { try? FileManager.default.removeItem(atPath: file) }
        let read = try SettingsFile.read(file)
        #expect(read.settings.isEmpty && read.formats.isEmpty)
    }

    static func file(_ text: String) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("otp-settings-\(UUID().uuidString).conf")
        try Data(text.utf8).write(to: file)
        return file.path
    }
}
