// The three ways a code travels; the channel is part of a record's identity.

public enum Channel: String, CaseIterable, Sendable {
    case email, sms, whatsapp
}

/// Where the service reads a request's fields from, whatever their encoding; the HTTP layer provides it.
public protocol RequestValues {
    /// The field's text, nil when absent; throws for a field present but not text.
    func string(_ name: String) throws(OTPError) -> String?
}
