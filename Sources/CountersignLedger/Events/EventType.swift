internal import CountersignCore
public import CountersignEncoding

/// The kinds of events the ledger records — every state change in Countersign is one — each with the Swift type its
/// payload decodes to. The raw values are written into every entry's canonical bytes, so they never change.
public enum EventType: String, CaseIterable, Sendable, CustomStringConvertible {
    case policyProposed = "policy.proposed"
    case policyPublished = "policy.published"
    case identityChanged = "identity.changed"
    case teamChanged = "team.changed"
    case artifactRegistered = "artifact.registered"
    case artifactVerified = "artifact.verified"
    case checkReported = "check.reported"
    /// A check GitHub records against a commit (check run, check suite, commit status).
    case commitCheckReported = "commit_check.reported"
    /// The commits a push delivery names, with their times (lead time starts there).
    case commitsPushed = "commits.pushed"
    case deployRequested = "deploy.requested"
    case approvalGranted = "approval.granted"
    case approvalRejected = "approval.rejected"
    case approvalWithdrawn = "approval.withdrawn"
    /// An approval the server refused (self-approval, the deployer approving): recorded so the audit shows it.
    case approvalRefused = "approval.refused"
    /// Any other action an authenticated caller was refused (a wrong role, a forbidding rule).
    case accessRefused = "access.refused"
    /// What warn-mode admission admitted that enforcement would have refused.
    case admissionWarned = "admission.warned"
    /// The change evidence a webhook delivered.
    case changeRecorded = "change.recorded"
    /// Each inbound delivery, once.
    case webhookReceived = "webhook.received"
    case notificationQueued = "notification.queued"
    case notificationAttempted = "notification.attempted"
    case gateDecided = "gate.decided"
    case canaryJudged = "canary.judged"
    /// A Kayenta execution started, or judged: what any node answers Argo's poll from.
    case canaryExecution = "canary.execution"
    case deployStarted = "deploy.started"
    case deploySucceeded = "deploy.succeeded"
    case deployFailed = "deploy.failed"
    case deployRolledBack = "deploy.rolled_back"
    case breakGlassInvoked = "breakglass.invoked"
    case breakGlassReviewed = "breakglass.reviewed"
    case incidentOpened = "incident.opened"
    case incidentResolved = "incident.resolved"
    case idempotencyClaimed = "idempotency.claimed"
    case idempotencyAnswered = "idempotency.answered"

    public var description: String { rawValue }

    /// Whether entries of this type write projection rows; the others are recorded only, and an append skips
    /// building their statements altogether.
    public var projects: Bool {
        self != .teamChanged && self != .approvalRefused && self != .accessRefused && self != .admissionWarned
    }

    /// Reads a payload recorded under this type as its event. Members the type does not declare are ignored (an
    /// older entry may carry fields no longer written); a missing or malformed one is an error naming it
    /// (`check.reported: payload.status must be one of passed, failed, pending`).
    public func event(_ payload: JSONValue) throws(LedgerError) -> any LedgerEvent {
        switch self {
        case .policyProposed, .policyPublished:
            var e = try decode(PolicyRecorded.self, payload)
            e.state = self == .policyProposed ? .proposed : .published
            return e
        case .identityChanged: return try decode(IdentityChanged.self, payload)
        case .teamChanged: return try decode(TeamChanged.self, payload)
        case .artifactRegistered: return try decode(ArtifactRegistered.self, payload)
        case .artifactVerified: return try decode(ArtifactVerified.self, payload)
        case .checkReported: return try decode(CheckReported.self, payload)
        case .commitCheckReported: return try decode(CommitCheckReported.self, payload)
        case .commitsPushed: return try decode(CommitsPushed.self, payload)
        case .deployRequested: return try decode(DeployRequested.self, payload)
        case .approvalGranted, .approvalRejected, .approvalWithdrawn:
            var e = try decode(ApprovalReviewed.self, payload)
            e.state = self == .approvalGranted ? .granted : self == .approvalRejected ? .rejected : .withdrawn
            return e
        case .approvalRefused: return try decode(ApprovalRefused.self, payload)
        case .accessRefused: return try decode(AccessRefused.self, payload)
        case .admissionWarned: return try decode(AdmissionWarned.self, payload)
        case .changeRecorded: return try decode(ChangeRecorded.self, payload)
        case .webhookReceived: return try decode(WebhookReceived.self, payload)
        case .notificationQueued: return try decode(NotificationQueued.self, payload)
        case .notificationAttempted: return try decode(NotificationAttempted.self, payload)
        case .gateDecided: return try decode(GateDecided.self, payload)
        case .canaryJudged: return try decode(CanaryJudged.self, payload)
        case .canaryExecution: return try decode(CanaryExecutionRecorded.self, payload)
        case .deployStarted: return try decode(DeployStarted.self, payload)
        case .deploySucceeded, .deployFailed, .deployRolledBack:
            var e = try decode(DeployFinished.self, payload)
            e.outcome = self == .deploySucceeded ? .succeeded : self == .deployFailed ? .failed : .rolledBack
            return e
        case .breakGlassInvoked: return try decode(BreakGlassInvoked.self, payload)
        case .breakGlassReviewed: return try decode(BreakGlassReviewed.self, payload)
        case .incidentOpened: return try decode(IncidentOpened.self, payload)
        case .incidentResolved: return try decode(IncidentResolved.self, payload)
        case .idempotencyClaimed: return try decode(IdempotencyClaimed.self, payload)
        case .idempotencyAnswered: return try decode(IdempotencyAnswered.self, payload)
        }
    }

    private func decode<E: LedgerEvent>(_ type: E.Type, _ payload: JSONValue) throws(LedgerError) -> E {
        guard case .object = payload else { throw LedgerError(.invalidInput, "\(self): payload must be an object") }
        do { return try JSONValueDecoder(root: "payload").decode(E.self, from: payload) } catch {
            throw LedgerError(.invalidInput, "\(self): \(error.message)")
        }
    }
}
