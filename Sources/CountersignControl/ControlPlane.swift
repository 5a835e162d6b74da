internal import CountersignCore
internal import CountersignEncoding
public import CountersignLedger
internal import CountersignSupplyChain
public import Foundation
internal import Tracing

/// The control plane's operations — deploy requests, decisions, approvals, checks, tokens — over a ledger store
/// and the policy in force. Independent of HTTP: the router maps requests onto these methods, and tests call
/// them directly.
///
/// Every state change is a ledger entry, appended before the call returns; current state is read back from the
/// projections the same append maintains, so any number of servers sharing one database agree.
public struct ControlPlane: Sendable {
    public let store: any LedgerStore
    public let policy: PolicyHolder
    /// The clock; injected so tests decide what "now" is.
    public let now: @Sendable () -> Date
    /// GitHub deployment protection rules; `nil` leaves `/webhooks/github` refusing every delivery.
    public let github: GitHubConfiguration?
    public let notifications: NotificationSettings
    public let metrics: ServerMetrics
    /// Whether the last append failed for the store's sake; `/readyz` reports it.
    public let health = StoreHealth()
    let cache = ReadCache()
    /// The key sets of the CI issuers the policy trusts.
    let workloads = WorkloadIdentities()
    /// Which refusals are recorded (a few a minute per identity).
    let refusals = RefusalLog()

    public init(
        store: any LedgerStore, policy: PolicyHolder, github: GitHubConfiguration? = nil,
        notifications: NotificationSettings = .init(), metrics: ServerMetrics = ServerMetrics(),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.policy = policy
        self.github = github
        self.notifications = notifications
        self.metrics = metrics
        self.now = now
    }

    /// A fresh identifier such as `dr_3vs0k76cpq4pz`: the prefix says what it names, 64 random bits the rest.
    static func newID(_ prefix: String) -> String {
        var rng = SystemRandomNumberGenerator()
        return prefix + String(UInt64.random(in: .min ... .max, using: &rng), radix: 36)
    }

    /// Appends one event, mapping store failures to control errors.
    @discardableResult
    package func record(_ event: some LedgerEvent, actor: String, at: Date? = nil) async throws(ControlError)
        -> LedgerEntry
    {
        var batch = EntryBatch()
        try batch.add(event, actor: actor, at: at ?? now())
        guard let entry = try await record(batch).first else {
            throw ControlError(.internal, "the ledger acknowledged no entry")
        }
        return entry
    }

    /// Appends every event of one operation in one transaction: all of them are acknowledged, or none is.
    @discardableResult
    ///
    /// The first batch of a request sent with an `Idempotency-Key` also claims the key (``IdempotencyMiddleware``):
    /// its entry comes first, and when the append fails because the key was claimed meanwhile, the answer is 409.
    package func record(_ batch: EntryBatch) async throws(ControlError) -> [LedgerEntry] {
        guard !batch.drafts.isEmpty else { return [] }
        return try await traced("ledger.append") { span throws(ControlError) in
            span.attributes["countersign.entries"] = batch.drafts.count
            span.attributes["countersign.types"] = Set(batch.drafts.map(\.type.rawValue)).sorted().joined(
                separator: ",")
            return try await append(batch)
        }
    }

    private func append(_ batch: EntryBatch) async throws(ControlError) -> [LedgerEntry] {
        var drafts = batch.drafts
        var claimed: IdempotencyClaim?
        if let claim = IdempotencyClaim.current, let event = claim.take() {
            var claiming = EntryBatch()
            try claiming.add(event, actor: "countersign", at: drafts[0].at)
            drafts.insert(contentsOf: claiming.drafts, at: 0)
            claimed = claim
        }
        do {
            let entries = try await store.append(drafts)
            guard entries.count == drafts.count else {
                throw ControlError(.internal, "the ledger acknowledged \(entries.count) of \(drafts.count) entries")
            }
            health.appended(nil, at: now())
            return Array(entries.dropFirst(claimed == nil ? 0 : 1))
        } catch let error as LedgerError {
            health.appended(error, at: now())
            if let claimed, error.code == .invalidInput,
                try await read({ r throws(LedgerError) in try await r.idempotencyKey(scope: claimed.scope) }) != nil
            {
                throw ControlError(
                    .conflict, "a request with this Idempotency-Key was recorded meanwhile; retry to get its answer",
                    details: ["header": "Idempotency-Key"])
            }
            throw ControlError(ledger: error)
        } catch let error as ControlError {
            throw error
        } catch {
            throw ControlError(.internal, "\(error)")
        }
    }

    /// A read-only query over the projections.
    /// The typed queries of the projections.
    package var read: ReadModel { ReadModel(store) }

    /// Runs a typed query, its failures as control errors.
    package func read<T>(_ query: (ReadModel) async throws(LedgerError) -> T) async throws(ControlError) -> T {
        do { return try await query(read) } catch { throw ControlError(ledger: error) }
    }
}
