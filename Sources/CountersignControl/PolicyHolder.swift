public import CountersignCore
internal import Synchronization

/// The policy in force, swapped whole on reload so every request sees one consistent bundle.
public final class PolicyHolder: Sendable {
    private let current: Mutex<PolicyBundle>
    /// Where the policy file lives, for proposals of its current contents.
    public let path: String?

    public init(_ bundle: PolicyBundle, path: String? = nil) {
        current = Mutex(bundle)
        self.path = path
    }

    public var bundle: PolicyBundle { current.withLock { $0 } }

    public func replace(_ bundle: PolicyBundle) { current.withLock { $0 = bundle } }
}
