/// `access.refused`: an authenticated caller was refused an action (a role that may not do it, a rule that forbids
/// it), recorded so the audit shows who tried what and why — not only what succeeded. Recorded only; it projects
/// nothing. `suppressed` counts the refusals of the same identity that were not recorded before this one, because
/// a caller retrying in a loop may not flood the ledger (the server records a few a minute per identity).
public struct AccessRefused: LedgerEvent, Hashable {
    public var identity: String
    public var role: String
    /// What was attempted, as the caller asked for it: `POST /api/v1/tokens`, `POST /ui/break-glass/{id}/review`.
    public var action: String
    public var reason: String
    public var suppressed: Int?

    public init(identity: String, role: String, action: String, reason: String, suppressed: Int? = nil) {
        self.identity = identity
        self.role = role
        self.action = action
        self.reason = reason
        self.suppressed = suppressed
    }

    public var type: EventType { .accessRefused }
    public func statements(_ entry: ProjectionContext) throws(LedgerError) -> [SQLStatement] { [] }
}
