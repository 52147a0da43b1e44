// SMS through a program of the operator's (a GSM modem's gammu, a script): the number as its argument, the text on stdin.
import OTP

/// As sendmail is for email: the program comes from SMS_COMMAND, a setting of the process's own environment, and
/// runs as ChildProcess runs every helper: no shell, a bare environment, a deadline. Exit status 0 means sent; any
/// other is a failure (the next provider is tried), and its stderr goes to the log.
struct CommandSender: PhoneProvider {
    let path: String
    let timeoutSeconds: Int

    var name: String { "command" }

    func send(_ message: OutgoingMessage) throws(DeliveryFault) {
        let outcome = try ChildProcess(path: path, arguments: [message.recipient.value], setting: "SMS_COMMAND")
            .run(input: Array(message.text.utf8), seconds: timeoutSeconds)
        guard outcome.exitStatus == 0 else { throw DeliveryFault("SMS_COMMAND \(path) \(outcome.ending): \(outcome.errors)") }
    }
}
