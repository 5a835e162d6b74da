/// Outbound notifications: JSON webhooks for pending approvals, decisions and break-glass, each signed with
/// `X-Countersign-Signature-256` (HMAC-SHA256 of the body, the same scheme as GitHub's).
public struct NotificationSettings: Sendable, Hashable {
    public var urls: [String]
    public var secret: String
    /// Attempts before a notification is abandoned (and the abandonment recorded).
    public var maxAttempts: Int

    public init(urls: [String] = [], secret: String = "", maxAttempts: Int = 8) {
        self.urls = urls
        self.secret = secret
        self.maxAttempts = maxAttempts
    }
}
