public import Foundation

/// The gate's answer for one request at one time, with every control's result and what would satisfy it.
public struct Decision: Sendable, Hashable, Codable {
    /// Worst-wins order: `allowed` < `pending` < `denied`.
    public enum Verdict: String, Sendable, Codable, Comparable, CaseIterable {
        case allowed, pending, denied

        public static func < (a: Verdict, b: Verdict) -> Bool { a.severity < b.severity }
        var severity: Int {
            switch self {
            case .allowed: return 0
            case .pending: return 1
            case .denied: return 2
            }
        }
    }

    public var requestID: String
    public var verdict: Verdict
    /// The selected tier, or `nil` when the request was denied before tier selection.
    public var tier: String?
    public var controls: [ControlResult]
    /// Relaxations that applied (self-approval below a rank, break-glass), so an auditor sees them.
    public var relaxations: [String]
    /// The content hash of the policy bundle that decided.
    public var policyHash: String
    /// The ids of the evidence items the decision relied on.
    public var evidenceIDs: [String]
    public var decidedAt: Date

    public init(
        requestID: String, verdict: Verdict, tier: String?, controls: [ControlResult], relaxations: [String],
        policyHash: String, evidenceIDs: [String], decidedAt: Date
    ) {
        self.requestID = requestID
        self.verdict = verdict
        self.tier = tier
        self.controls = controls
        self.relaxations = relaxations
        self.policyHash = policyHash
        self.evidenceIDs = evidenceIDs
        self.decidedAt = decidedAt
    }

    /// One line per unsatisfied control: the reasons to show a person.
    public var reasons: [String] {
        controls.filter { $0.status != .satisfied }.map { "\($0.control): \($0.message)" }
    }
}

/// The result of one control.
public struct ControlResult: Sendable, Hashable, Codable {
    /// `error` is kept apart from `denied`: it means the control could not be evaluated (it denies in a protected
    /// environment, and is reported either way).
    public enum Status: String, Sendable, Codable, CaseIterable {
        case satisfied, pending, denied, error
    }

    /// `artifact`, `deployer`, `source-ref`, `tier`, `checks`, `approvals`, `freeze`, `canary`, `require`, …
    public var control: String
    public var status: Status
    /// Why, and what would satisfy it ("needs 1 more approval from team payments-owners; alice is excluded as
    /// the change's author").
    public var message: String
    /// Which rule of the control's kind this is, so the gate metrics can measure each rule and not only each kind:
    /// a check's name, an approval rule as `team@tier`, a freeze's name, an artifact policy's, a canary
    /// template's, a `require` condition's source, the tier whose peer-review rule it is. `nil` for a control that
    /// is one rule of its environment (`deployer`, `source-ref`), and in decisions recorded before rules were named.
    public var rule: String?

    public init(_ control: String, _ status: Status, _ message: String, rule: String? = nil) {
        self.control = control
        self.status = status
        self.message = message
        self.rule = rule
    }
}
