// The shared-hosting way to send email: hand the message to the local mail system's `sendmail -t -i`.
import OTP

struct SendmailSender: Sender {
    let path: String
    let timeoutSeconds: Int
    let from: String

    /// `-t` takes the recipient from the To header and `-i` keeps a line holding one dot from ending the
    /// message early, as PHP's mail() does; any exit status but 0 means the mail system did not take it.
    func send(_ message: OutgoingMessage) throws(DeliveryFault) {
        let outcome = try ChildProcess(path: path, arguments: ["-t", "-i"], setting: "EMAIL_SENDMAIL_PATH")
            .run(input: EmailMessage.render(message, from: from), seconds: timeoutSeconds)
        guard outcome.exitStatus == 0 else { throw DeliveryFault("\(path) \(outcome.ending): \(outcome.errors)") }
    }
}
