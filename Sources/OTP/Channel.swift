// The three ways a code travels; the channel is part of a record's identity.

public enum Channel: String, CaseIterable, Sendable {
    case email, sms, whatsapp
}

