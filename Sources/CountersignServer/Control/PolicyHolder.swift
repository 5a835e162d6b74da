public import CountersignCore
internal import Synchronization

/// The policy in force, swapped whole on reload so every request sees one consistent bundle.
public final class PolicyHolder: Sendable {
    private let current: Mutex<PolicyBundle>
    /// Where the policy was loaded from, for reloads.
    public let path: String?

    public init(_ bundle: PolicyBundle, path: String? = nil) {
        current = Mutex(bundle)
        self.path = path
    }

    public var bundle: PolicyBundle { current.withLock { $0 } }

    /// Loads `path` again; on any error the old policy stays in force and the error is thrown.
    @discardableResult
    public func reload() throws(PolicyError) -> PolicyBundle {
        guard let path else { return bundle }
        let bundle = try PolicyLoader.load(path: path)
        current.withLock { $0 = bundle }
        return bundle
    }

    public func replace(_ bundle: PolicyBundle) { current.withLock { $0 = bundle } }
}
