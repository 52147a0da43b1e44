// Draft only: stands in for the project's Channel.
public enum Channel: String, Sendable, CaseIterable { case email, sms, whatsapp }
