public import Foundation

/// The life of an approval request as a pure state machine: pending → granted / rejected / expired /
/// withdrawn. Each transition returns the new state or why it is refused; nothing else changes.
public enum ApprovalState: String, Sendable, Codable, Equatable {
    case pending, granted, rejected, expired, withdrawn

    public enum Event: Sendable, Equatable {
        case approve(by: String)
        case reject(by: String)
        /// The approver takes their approval back (only an approval can be withdrawn).
        case withdraw(by: String)
        /// Time passed the request's deadline.
        case expire
    }

    /// The state after `event`, or a reason the transition is not allowed.
    public func applying(_ event: Event) -> Result<ApprovalState, LifecycleError> {
        switch (self, event) {
        case (.pending, .approve): return .success(.granted)
        case (.pending, .reject): return .success(.rejected)
        case (.pending, .expire), (.granted, .expire): return .success(.expired)
        case (.granted, .withdraw): return .success(.withdrawn)
        case (.granted, .reject): return .success(.rejected)
        default: return .failure(LifecycleError("cannot \(event.name) an approval that is \(rawValue)"))
        }
    }

    /// Terminal states accept no further events (an approval is re-requested, not revived).
    public var isTerminal: Bool { self == .rejected || self == .expired || self == .withdrawn }
}

extension ApprovalState.Event {
    var name: String {
        switch self {
        case .approve: return "approve"
        case .reject: return "reject"
        case .withdraw: return "withdraw"
        case .expire: return "expire"
        }
    }
}

/// The life of a break-glass grant: granted → expired → reviewed (a grant may be reviewed early, ending it).
public enum BreakGlassState: String, Sendable, Codable, Equatable {
    case granted, expired, reviewed

    public enum Event: Sendable, Equatable {
        case tick(now: Date, expiresAt: Date)
        case review(by: String, reviewers: [String])
    }

    public func applying(_ event: Event) -> Result<BreakGlassState, LifecycleError> {
        switch (self, event) {
        case (.granted, .tick(let now, let expiresAt)):
            return .success(now >= expiresAt ? .expired : .granted)
        case (.expired, .tick):
            return .success(.expired)
        case (.granted, .review(let by, let reviewers)), (.expired, .review(let by, let reviewers)):
            guard reviewers.contains(by) else {
                return .failure(LifecycleError("\(by) is not on the review team for this break-glass grant"))
            }
            return .success(.reviewed)
        case (.reviewed, _):
            return .failure(LifecycleError("the grant has already been reviewed"))
        }
    }
}

/// A refused lifecycle transition.
public struct LifecycleError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    init(_ message: String) { self.message = message }
    public var description: String { message }
}
