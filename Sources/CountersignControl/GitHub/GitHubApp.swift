internal import CountersignEncoding
public import Foundation
internal import JWTKit
internal import NIOHTTP1

/// A GitHub App's way into the API: a short JWT signed with the App's private key (RS256, by jwt-kit) buys an
/// installation token for one installation, which GitHub lets live an hour. Tokens are kept per installation and
/// made again `refreshMargin` before they expire, so a call never carries an expired one; callers who ask at once
/// share one exchange. The installation of a repository is looked up once (`GET /repos/{repo}/installation`) and
/// looked up again when its token can no longer be made (the App was reinstalled).
public actor GitHubApp {
    /// The App's id (or client id): the JWT's issuer.
    public nonisolated let appID: String
    let apiBaseURL: String
    let refreshMargin: TimeInterval
    private let keys: JWTKeyCollection
    private let now: @Sendable () -> Date
    private var installations: [String: Int] = [:]
    private var tokens: [Int: (token: String, expiresAt: Date)] = [:]
    private var exchanges: [Int: Task<(token: String, expiresAt: Date), any Error>] = [:]

    /// `privateKeyPEM` is the key GitHub issues for the App (PKCS#1 `RSA PRIVATE KEY`, or PKCS#8), 2048 bits or more.
    public init(
        appID: String, privateKeyPEM: String, apiBaseURL: String, refreshMargin: TimeInterval = 300,
        now: @escaping @Sendable () -> Date = { Date() }
    ) async throws(ControlError) {
        guard !appID.isEmpty, appID.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw ControlError(.badRequest, "the GitHub App id must be its numeric id or client id, got \(appID)")
        }
        let key: Insecure.RSA.PrivateKey
        do { key = try Insecure.RSA.PrivateKey(pem: privateKeyPEM) } catch {
            throw ControlError(
                .badRequest,
                "the GitHub App's private key is not an RSA private key of 2048 bits or more in PEM: \(error)")
        }
        self.appID = appID
        self.apiBaseURL = GitHubConfiguration.root(apiBaseURL)
        self.refreshMargin = refreshMargin
        self.now = now
        keys = await JWTKeyCollection().add(rsa: key, digestAlgorithm: .sha256)
    }

    /// An installation token for the installation that covers `repository` (`owner/name`).
    public func token(repository: String) async throws(ControlError) -> String {
        guard ControlPlane.isRepositoryName(repository) else {
            throw ControlError(.badRequest, "repository \(repository) is not a GitHub owner/name")
        }
        let key = repository.lowercased()
        let installation: Int
        if let known = installations[key] {
            installation = known
        } else {
            let api = GitHubAPI(baseURL: apiBaseURL, token: try await jwt())
            let found: JSONValue
            do { found = try await api.get("/repos/\(repository)/installation") } catch {
                throw ControlError(
                    .unavailable, "the GitHub App \(appID) has no installation on \(repository): \(error.message)")
            }
            guard let id = found["id"]?.integerValue else {
                throw ControlError(.unavailable, "GitHub named no installation id for \(repository)")
            }
            installations[key] = id
            installation = id
        }
        do { return try await token(installation: installation) } catch {
            installations[key] = nil
            throw error
        }
    }

    /// The installation's token: the kept one while it has more than `refreshMargin` left, else a new one.
    public func token(installation: Int) async throws(ControlError) -> String {
        if let kept = tokens[installation], kept.expiresAt.timeIntervalSince(now()) > refreshMargin {
            return kept.token
        }
        let exchange =
            exchanges[installation]
            ?? Task { () async throws -> (token: String, expiresAt: Date) in try await self.exchange(installation) }
        exchanges[installation] = exchange
        defer { exchanges[installation] = nil }
        do {
            let made = try await exchange.value
            tokens[installation] = made
            return made.token
        } catch let error as ControlError {
            throw error
        } catch {
            throw ControlError(.unavailable, "GitHub App \(appID): \(error)")
        }
    }

    /// `POST /app/installations/{id}/access_tokens` with the App's JWT.
    private func exchange(_ installation: Int) async throws(ControlError) -> (token: String, expiresAt: Date) {
        let api = GitHubAPI(baseURL: apiBaseURL, token: try await jwt())
        let answer: JSONValue
        do {
            answer = try await api.send(.POST, "/app/installations/\(installation)/access_tokens", expect: 201)
        } catch {
            throw ControlError(
                .unavailable,
                "the GitHub App \(appID) could not make a token for installation \(installation): \(error.message)")
        }
        guard let token = answer["token"]?.stringValue, !token.isEmpty,
            let expiresAt = answer["expires_at"]?.stringValue.flatMap(RFC3339.date)
        else {
            throw ControlError(
                .unavailable, "GitHub answered installation \(installation)'s token without token or expires_at")
        }
        return (token, expiresAt)
    }

    /// The App's own JWT: issued 60 s ago (GitHub's clock may be behind), expiring in 9 minutes (GitHub takes at
    /// most 10), issued by the App.
    func jwt() async throws(ControlError) -> String {
        let at = now()
        let claims = GitHubAppClaims(
            iat: IssuedAtClaim(value: at.addingTimeInterval(-60)),
            exp: ExpirationClaim(value: at.addingTimeInterval(540)),
            iss: IssuerClaim(value: appID))
        do { return try await keys.sign(claims) } catch {
            throw ControlError(.internal, "the GitHub App's JWT could not be signed: \(error)")
        }
    }
}

extension GitHubApp: Hashable {
    public static func == (a: GitHubApp, b: GitHubApp) -> Bool { a === b }
    public nonisolated func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
}

/// The claims GitHub reads from an App's JWT.
struct GitHubAppClaims: JWTPayload {
    var iat: IssuedAtClaim
    var exp: ExpirationClaim
    var iss: IssuerClaim

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
