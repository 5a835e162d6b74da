/// How Countersign talks to GitHub: the webhook secret it verifies deliveries with, the API it calls back, the
/// credentials it calls with, and who deploys what GitHub Actions runs.
public struct GitHubConfiguration: Sendable, Hashable {
    /// What Countersign authenticates to GitHub's API with.
    public enum Credentials: Sendable, Hashable {
        /// A fixed token (a fine-grained personal access token, or an installation token someone else refreshes).
        /// Empty means no API: deliveries are still verified and decided, but nothing is read or called back.
        case token(String)
        /// A GitHub App: installation tokens made from its private key, per installation, refreshed before expiry.
        case app(GitHubApp)
    }

    /// The webhook secret; deliveries without a valid `X-Hub-Signature-256` under it are refused.
    public var webhookSecret: String
    /// `https://api.github.com`, or a GitHub Enterprise or test server's API root. Callback URLs in deliveries
    /// must start with it, so a forged payload cannot make Countersign send its token elsewhere.
    public var apiBaseURL: String
    public var credentials: Credentials
    /// The identity that carries out deploys GitHub Actions runs; `nil` means the run's sender.
    public var deployer: String?

    public init(
        webhookSecret: String, apiBaseURL: String = "https://api.github.com", apiToken: String, deployer: String? = nil
    ) {
        self.init(
            webhookSecret: webhookSecret, apiBaseURL: apiBaseURL, credentials: .token(apiToken), deployer: deployer)
    }

    public init(
        webhookSecret: String, apiBaseURL: String = "https://api.github.com", credentials: Credentials,
        deployer: String? = nil
    ) {
        self.webhookSecret = webhookSecret
        self.apiBaseURL = Self.root(apiBaseURL)
        self.credentials = credentials
        self.deployer = deployer
    }

    /// The API root without a trailing slash, as every URL is built from it.
    static func root(_ url: String) -> String { url.hasSuffix("/") ? String(url.dropLast()) : url }

    /// Whether there are credentials to call the API with.
    public var callsAPI: Bool {
        switch credentials {
        case .token(let token): !token.isEmpty
        case .app: true
        }
    }

    /// The token to call the API about `repository` (`owner/name`) with: the fixed token, or the App's installation
    /// token for the installation that covers the repository.
    func token(for repository: String) async throws(ControlError) -> String {
        switch credentials {
        case .token(let token): token
        case .app(let app): try await app.token(repository: repository)
        }
    }
}
