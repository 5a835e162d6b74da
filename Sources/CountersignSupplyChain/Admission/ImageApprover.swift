/// Whether an image may run in a namespace: the server wires this to the ledger's decisions (an `allowed`
/// decision for the digest in the namespace's environment); tests and the CLI use a closure or evidence file.
public protocol ImageApprover: Sendable {
    func approval(of image: ImageReference, digest: Digest, namespace: String) async -> ImageApproval

    /// How strictly admission treats `namespace`. The default is ``AdmissionScope/strict``: a namespace nobody
    /// described is protected and enforced, so forgetting to say otherwise never lightens the gate.
    func scope(of namespace: String) async -> AdmissionScope
}

extension ImageApprover {
    public func scope(of namespace: String) async -> AdmissionScope { .strict }
}

/// How admission treats one namespace (the server reads it from the namespace's environment in the policy).
public struct AdmissionScope: Sendable, Hashable {
    /// In a protected namespace an object of a kind Countersign does not recognise is refused: what its
    /// controller would run cannot be known. Elsewhere it is admitted with a warning (its pod specs still checked).
    public var protected: Bool
    /// Refusals deny. When `false` (warn mode) what would have been refused is admitted and reported instead —
    /// as a warning to whoever applied it, an audit annotation in the API server's audit log, and (unless the
    /// review is a dry run) an `admission.warned` entry in the ledger.
    public var enforced: Bool

    public init(protected: Bool, enforced: Bool) {
        self.protected = protected
        self.enforced = enforced
    }

    /// Protected and enforced: the default for a namespace nothing is known about.
    public static let strict = AdmissionScope(protected: true, enforced: true)
}

/// An approver's answer. A denial carries the reason shown to whoever applied the object.
public enum ImageApproval: Sendable, Hashable {
    case approved
    /// Admitted for a canary only — the deploy waits for nothing but its canary's verdict, which needs the canary
    /// to run — with the note the response carries as a warning.
    case canary(String)
    case denied(String)
}

/// An ``ImageApprover`` from closures; without `scope`, every namespace is ``AdmissionScope/strict``.
public struct ClosureApprover: ImageApprover {
    let body: @Sendable (ImageReference, Digest, String) async -> ImageApproval
    let scopes: @Sendable (String) async -> AdmissionScope

    public init(
        scope: @escaping @Sendable (String) async -> AdmissionScope = { _ in .strict },
        _ body: @escaping @Sendable (ImageReference, Digest, String) async -> ImageApproval
    ) {
        self.body = body
        self.scopes = scope
    }

    public func approval(of image: ImageReference, digest: Digest, namespace: String) async -> ImageApproval {
        await body(image, digest, namespace)
    }

    public func scope(of namespace: String) async -> AdmissionScope { await scopes(namespace) }
}
