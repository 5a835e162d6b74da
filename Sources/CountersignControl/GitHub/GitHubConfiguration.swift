/// How Countersign talks to GitHub: the webhook secret it verifies deliveries with, the API it calls back, the
/// token it calls with, and who deploys what GitHub Actions runs.
public struct GitHubConfiguration: Sendable, Hashable {
    /// The webhook secret; deliveries without a valid `X-Hub-Signature-256` under it are refused.
    public var webhookSecret: String
    /// `https://api.github.com`, or a GitHub Enterprise or test server's API root. Callback URLs in deliveries
    /// must start with it, so a forged payload cannot make Countersign send its token elsewhere.
    public var apiBaseURL: String
    /// A token allowed to review deployment protection rules (an installation token or a fine-grained PAT).
    public var apiToken: String
    /// The identity that carries out deploys GitHub Actions runs; `nil` means the run's sender.
    public var deployer: String?

    public init(
        webhookSecret: String, apiBaseURL: String = "https://api.github.com", apiToken: String, deployer: String? = nil
    ) {
        self.webhookSecret = webhookSecret
        self.apiBaseURL = apiBaseURL.hasSuffix("/") ? String(apiBaseURL.dropLast()) : apiBaseURL
        self.apiToken = apiToken
        self.deployer = deployer
    }
}
