// `generate --check [--config FILE]`: the settings read as a request reads them, and each problem with its fix.
#if canImport(Glibc)
import Glibc
#endif
import Delivery
import Web
import OTP
import Stores
import Platform

/// Run by the operator outside any CGI environment, before a visitor meets a problem: the settings from the
/// environment, or from the file given with `--config` in any format a server's configuration gives them in
/// (`SettingsFile`). It
/// checks what a request would need (the settings, the store, the key, the email backend, Twilio, the message
/// templates) and prints `ok:`, `note:` or `problem:` lines, each problem with a `fix:`. Exit 0 when there is no
/// problem, 1 when there is one, 2 for wrong arguments.
struct SelfCheck {
    private(set) var problems = 0
    let print: (String) -> Void
    /// Why no program the settings name may be started (the SMTP probe's curl): a file they came from can be
    /// changed by someone other than the user running the check, who would then run that someone's program.
    var untrusted: String?

    static func run(_ arguments: [String], environment: [String: String], print: @escaping (String) -> Void) -> Int32 {
        var check = SelfCheck(print: print)
        let env: [String: String]
        if arguments.isEmpty {
            env = environment
            print("otp-cgi check: settings from the environment")
        } else if arguments.count == 2, arguments[0] == "--config" {
            let path = arguments[1]
            let file: SettingsFile
            do throws(OTPError) {
                file = try SettingsFile.read(path)
            } catch {
                print("otp-cgi check: \(Response(error).detail)")
                return 2
            }
            guard !file.formats.isEmpty else {
                print("otp-cgi check: \(path) gives no settings: no SetEnv, fastcgi_param, lighttpd setenv, Environment= or NAME=VALUE line")
                return 2
            }
            env = file.settings
            check.untrusted = file.files.lazy.compactMap { file in Self.otherWriters(of: file).map { "\(file) can be changed by \($0)" } }.first
            print("otp-cgi check: settings from the \(file.origin) of \(path)")
        } else {
            print("usage: generate --check [--config FILE]   (FILE: settings as Apache SetEnv, nginx fastcgi_param, lighttpd setenv, systemd Environment= or NAME=VALUE lines)")
            return 2
        }
        check.all(env)
        print(check.problems == 0 ? "otp-cgi check: all is well" : "otp-cgi check: \(check.problems) problem\(check.problems == 1 ? "" : "s")")
        return check.problems == 0 ? 0 : 1
    }

    private mutating func all(_ env: [String: String]) {
        let settings: Settings
        do throws(OTPError) {
            settings = try Settings(environment: env)
        } catch {
            problem("settings: \(Response(error).detail)", fix: "correct that setting; the README's settings tables give each one's range")
            return
        }
        ok("settings")
        store(settings.store)
        if settings.service.secretKey == nil {
            problem("key: neither OTP_SECRET_KEY nor OTP_SECRET_KEY_FILE is set, so every request answers 500",
                    fix: SecretKeyFile.howToMakeOne)
        } else {
            ok(settings.service.secretKeyFile == nil ? "key: OTP_SECRET_KEY" : "key: OTP_SECRET_KEY_FILE")
        }
        email(settings.delivery)
        phone(.sms, "SMS", settings.delivery)
        phone(.whatsapp, "WhatsApp", settings.delivery)
        let templates = Wire.messageProblems(settings)
        for text in templates { problem("messages: \(text)", fix: "correct the template or OTP_TEMPLATE_DIR") }
        if templates.isEmpty { ok("messages") }
    }

    private mutating func store(_ settings: StoreSettings) {
        switch settings.location {
        case .redis(let endpoint):
            do throws(StoreFault) {
                try RedisStore(endpoint: endpoint, prefix: settings.redisPrefix, connectTimeoutMilliseconds: settings.connectTimeoutMilliseconds,
                               readTimeoutMilliseconds: settings.readTimeoutMilliseconds).ping()
                ok("store: redis at \(endpoint.address) answers PING")
            } catch {
                problem("store: \(error.description)", fix: "start Redis, or correct OTP_STORE_URL (host, port, password, db)")
            }
        case .file:
            directory(settings.directory)
        }
    }

    /// The file store's directory as the CGI will meet it: a real directory, 0700, its owner the CGI's user. Run as
    /// that user, the check also writes in it; run as root, it can only say that root must not own it.
    private mutating func directory(_ path: String) {
        let label = "store: \(path)", make = "install -d -o www-data -g www-data -m 0700 \(path)   (the user Apache runs CGI programs as)"
        var info = stat()
        guard lstat(path, &info) == 0 else {
            return problem("\(label) does not exist", fix: make)
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            return problem("\(label) is not a directory (a symlink or a file)", fix: "remove it, then: \(make)")
        }
        if info.st_mode & 0o077 != 0 {
            problem("\(label) has mode 0\(String(info.st_mode & 0o777, radix: 8)): others can read the codes' records", fix: "chmod 0700 \(path)")
        }
        if geteuid() == 0 {
            if info.st_uid == 0 {
                problem("\(label) belongs to root, so the CGI cannot write it", fix: "chown www-data:www-data \(path)   (the user Apache runs CGI programs as)")
            } else {
                ok("\(label) belongs to \(Self.userName(info.st_uid)): run this check as that user to try a write")
            }
        } else if info.st_uid != geteuid() {
            problem("\(label) belongs to \(Self.userName(info.st_uid)), not to \(Self.userName(geteuid())), who runs this check",
                    fix: "run the check as the user Apache runs CGI programs as, or chown that user \(path)")
        } else if access(path, W_OK | X_OK) != 0 {
            problem("\(label) is not writable: \(Errno.current)", fix: "chmod 0700 \(path)")
        } else {
            ok("\(label) is a writable directory of \(Self.userName(info.st_uid)), mode 0700")
        }
        // The layout before slot tables: a file per record under r/, which requests remove shard by shard.
        if lstat(path + "/r", &info) == 0 {
            note("\(label)/r holds the records of the store's layout before slot tables, which this version does not read: "
                 + "requests remove it shard by shard, or remove it now with: rm -r \(path)/r")
        }
    }

    private mutating func email(_ delivery: DeliverySettings) {
        switch delivery.emailBackend {
        case .smtp:
            let relay = "\(delivery.emailHost):\(delivery.emailPort)"
            if let reason = untrusted ?? Self.otherWriters(of: delivery.curlPath).map({ "\(delivery.curlPath) can be changed by \($0)" }) {
                note("email: the SMTP relay \(relay) is not probed: \(reason), not only by \(Self.userName(geteuid())) who runs this "
                     + "check, so it starts no program the settings name (OTP_CURL_PATH); run the check as that user to probe it")
            } else if let failure = SMTPProbe.problem(delivery) {
                problem("email: the SMTP relay \(relay) did not answer as a send needs: \(failure)",
                        fix: "set EMAIL_HOST, EMAIL_PORT and EMAIL_USE_TLS or EMAIL_USE_SSL to your relay's, or EMAIL_BACKEND sendmail")
            } else {
                ok("email: the SMTP relay \(relay) answers\(delivery.emailSecurity == .startTLS ? " and offers STARTTLS" : "")")
            }
        case .sendmail:
            if access(delivery.sendmailPath, X_OK) == 0 {
                ok("email: \(delivery.sendmailPath) is executable")
            } else {
                problem("email: \(delivery.sendmailPath) is not an executable file", fix: "install a sendmail (e.g. msmtp-mta or postfix), or set EMAIL_SENDMAIL_PATH")
            }
        case .filebased:
            var info = stat()
            if let path = delivery.emailFilePath, stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
                ok("email: files in \(path)")
            } else {
                problem("email: EMAIL_FILE_PATH \(delivery.emailFilePath ?? "(unset)") is not a directory", fix: "make it, owned by the CGI's user, mode 0700")
            }
        case .console:
            note("email: the console backend writes each email, its code included, to the error log: for trying only")
        }
        if delivery.defaultFromEmail == nil && delivery.requireProviderConfig {
            problem("email: DEFAULT_FROM_EMAIL is not set, and OTP_REQUIRE_PROVIDER_CONFIG is true, so email requests answer 500",
                    fix: "set DEFAULT_FROM_EMAIL to the address your emails come from")
        } else if delivery.defaultFromEmail == nil && (delivery.emailBackend == .smtp || delivery.emailBackend == .sendmail) {
            note("email: DEFAULT_FROM_EMAIL is not set, so emails come from webmaster@localhost, which many servers refuse")
        }
    }

    /// Every provider the channel has; with none, what Twilio alone would say (the console serves, or a 500).
    private mutating func phone(_ channel: Channel, _ label: String, _ delivery: DeliverySettings) {
        let lines = Senders.check(channel, settings: delivery, label: label)
        for line in lines {
            switch line.kind {
            case .ok: ok(line.text)
            case .note: note(line.text)
            case .problem: problem(line.text, fix: line.fix)
            }
        }
        let account = channel == .sms ? delivery.sms : delivery.whatsapp
        if !lines.contains(where: { $0.kind == .ok }) && account.missing.count == 3 {
            twilio(label, account, required: delivery.requireProviderConfig)
        }
    }

    private mutating func twilio(_ name: String, _ account: TwilioAccount, required: Bool) {
        let missing = account.missing
        if missing.isEmpty {
            ok("\(name): Twilio account \(account.accountSID ?? "") and sender \(account.sender ?? "")")
        } else if missing.count < 3 {
            problem("\(name): Twilio is set up in part: \(missing.joined(separator: ", ")) missing", fix: "set the missing settings, or none of them")
        } else if required {
            problem("\(name): no Twilio account, and OTP_REQUIRE_PROVIDER_CONFIG is true, so \(name) requests answer 500",
                    fix: "set \(account.settingPrefix)ACCOUNT_SID, \(account.settingPrefix)AUTH_TOKEN and \(account.settingPrefix)SENDER")
        } else {
            note("\(name): no Twilio account, so \(name) codes go to the error log (the console backend)")
        }
    }

    private func ok(_ text: String) { print("ok: \(text)") }
    private func note(_ text: String) { print("note: \(text)") }

    private mutating func problem(_ text: String, fix: String) {
        problems += 1
        print("problem: \(text)\n  fix: \(fix)")
    }

    /// Who besides root and the user running the check can change `path` (the file, or the directory it is in,
    /// whose writer could put another file in its place), or nil when nobody can.
    static func otherWriters(of path: String) -> String? {
        guard let real = Syscall.realPath(path) else { return nil }
        let parent = real.utf8.lastIndex(of: UInt8(ascii: "/")).map { String(decoding: real.utf8[..<$0], as: UTF8.self) } ?? "/"
        for file in [real, parent.isEmpty ? "/" : parent] {
            var info = stat()
            guard stat(file, &info) == 0 else { continue }
            let directory = info.st_mode & S_IFMT == S_IFDIR, sticky = info.st_mode & S_ISVTX != 0
            if info.st_uid != 0 && info.st_uid != geteuid() { return userName(info.st_uid) }
            // A sticky directory (/tmp) lets others add files, not replace this one.
            if info.st_mode & 0o002 != 0 && !(directory && sticky) { return "every user" }
            if info.st_mode & 0o020 != 0 && !(directory && sticky) { return "the group \(groupName(info.st_gid))" }
        }
        return nil
    }

    static func groupName(_ gid: gid_t) -> String {
        guard let entry = getgrgid(gid), let name = entry.pointee.gr_name else { return "gid \(gid)" }
        return String(cString: name)
    }

    static func userName(_ uid: uid_t) -> String {
        guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return "uid \(uid)" }
        return String(cString: name)
    }
}
