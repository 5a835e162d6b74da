internal import CEL

/// A signer a policy accepts: the OIDC issuer that vouched for it, compared exactly, and its subject (the
/// certificate's SAN: an e-mail or a workflow URI) — exactly, or by a pattern in RE2 syntax that must match the whole
/// subject (anchored, as `sourceRefs` are: `https://github.com/acme/.*` does not admit
/// `https://github.com/acme-evil/…`, and an unanchored `acme/app` does not match inside another URI). Patterns run in
/// linear time, so a hostile certificate cannot make matching slow.
public struct CertificateIdentity: Sendable, CustomStringConvertible {
    public enum Subject: Sendable {
        case exact(String)
        case pattern(String)
    }

    public let issuer: String
    public let subject: Subject
    let regex: LinearRegex?

    public init(issuer: String, subject: String) {
        self.issuer = issuer
        self.subject = .exact(subject)
        regex = nil
    }

    public init(issuer: String, subjectPattern: String) throws(SupplyChainError) {
        self.issuer = issuer
        subject = .pattern(subjectPattern)
        do { regex = try LinearRegex("^(?:\(subjectPattern))$") } catch {
            throw SupplyChainError(
                .invalidConfiguration, "certificate identity pattern '\(subjectPattern)': \(error.message)")
        }
    }

    /// Whether `certificate` names this identity: its issuer, and one of its SAN values.
    func admits(_ certificate: FulcioCertificate) -> Bool {
        admits(issuer: certificate.issuer, subjects: certificate.subjects)
    }

    func admits(issuer: String?, subjects: [String]) -> Bool {
        guard issuer == self.issuer else { return false }
        return subjects.contains { value in
            switch subject {
            case .exact(let expected): value == expected
            case .pattern: regex?.matches(value) ?? false
            }
        }
    }

    public var description: String {
        switch subject {
        case .exact(let s): "\(s) (issuer \(issuer))"
        case .pattern(let p): "/\(p)/ (issuer \(issuer))"
        }
    }
}
