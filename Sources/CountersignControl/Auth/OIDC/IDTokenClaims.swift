public import Foundation

/// What a verified ID token says about the person signing in (OpenID Connect Core §2, §5.1). Only
/// ``OIDCProvider/verify(idToken:nonce:now:)`` makes one: everything here has passed the signature and claim checks.
public struct IDTokenClaims: Sendable, Hashable {
    public var issuer: String
    public var subject: String
    public var email: String?
    /// Whether the provider says it verified `email`; an unverified email names nobody.
    public var emailVerified: Bool
    public var name: String?
    public var groups: [String]
    public var expiresAt: Date

    public init(
        issuer: String, subject: String, email: String? = nil, emailVerified: Bool = false, name: String? = nil,
        groups: [String] = [], expiresAt: Date
    ) {
        self.issuer = issuer
        self.subject = subject
        self.email = email
        self.emailVerified = emailVerified
        self.name = name
        self.groups = groups
        self.expiresAt = expiresAt
    }
}
