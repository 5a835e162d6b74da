/// Whether an image may run in a namespace: the server wires this to the ledger's decisions (an `allowed`
/// decision for the digest in the namespace's environment); tests and the CLI use a closure or evidence file.
public protocol ImageApprover: Sendable {
    func approval(of image: ImageReference, digest: Digest, namespace: String) async -> ImageApproval
}

/// An approver's answer. A denial carries the reason shown to whoever applied the object.
public enum ImageApproval: Sendable, Hashable {
    case approved
    case denied(String)
}

/// An ``ImageApprover`` from a closure.
public struct ClosureApprover: ImageApprover {
    let body: @Sendable (ImageReference, Digest, String) async -> ImageApproval

    public init(_ body: @escaping @Sendable (ImageReference, Digest, String) async -> ImageApproval) {
        self.body = body
    }

    public func approval(of image: ImageReference, digest: Digest, namespace: String) async -> ImageApproval {
        await body(image, digest, namespace)
    }
}
