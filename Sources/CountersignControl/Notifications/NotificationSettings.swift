/// Outbound notifications: JSON webhooks for pending approvals, decisions and break-glass, each signed with
/// `X-Countersign-Signature-256` (HMAC-SHA256 of the body, the same scheme as GitHub's).
public struct NotificationSettings: Sendable, Hashable {
    public var urls: [String]
    public var secret: String
    /// Attempts before a notification is abandoned (and the abandonment recorded).
    public var maxAttempts: Int
    /// Slack and Teams channels, each for an environment, a team or everything.
    public var chats: [ChatRoute]
    /// Where people reach the server: the links in chat messages (none without it).
    public var publicURL: String?
    /// Slack's signing secret: with it, Approve and Reject in Slack messages are taken at
    /// `/webhooks/slack/interactions`; without it the messages carry a link only.
    public var slackSigningSecret: String?

    public init(
        urls: [String] = [], secret: String = "", maxAttempts: Int = 8, chats: [ChatRoute] = [],
        publicURL: String? = nil, slackSigningSecret: String? = nil
    ) {
        self.urls = urls
        self.secret = secret
        self.maxAttempts = maxAttempts
        self.chats = chats
        self.publicURL = publicURL
        self.slackSigningSecret = slackSigningSecret
    }
}
