public import CountersignCore
public import CountersignEncoding

/// `canary.judged`: a judgement of a canary against its baseline. One bound to a digest is a verdict the gate's
/// canary control reads; one without (an ad-hoc Kayenta execution) is recorded and gates nothing.
public struct CanaryJudged: LedgerEvent, Hashable {
    public var id: String?
    public var digest: String?
    /// The environment whose canary was judged: a pass counts for it alone.
    public var environment: String?
    /// The name a tier's `canary.template` refers to.
    public var template: String?
    public var outcome: CanaryVerdict.Outcome?
    public var score: Double?
    /// `kayenta` or `countersign-v1`.
    public var judge: String?
    /// A Kayenta execution's application and status, or why it was not judged.
    public var application: String?
    public var status: String?
    public var failure: String?
    /// Each metric's classification and the five-number summaries of its samples.
    public var metrics: [Metric]?

    public struct Metric: Codable, Sendable, Hashable {
        public var name: String
        public var classification: String
        public var canary: Summary
        public var baseline: Summary

        public init(name: String, classification: String, canary: Summary, baseline: Summary) {
            self.name = name
            self.classification = classification
            self.canary = canary
            self.baseline = baseline
        }
    }

    /// A five-number summary; only `count` when there were no samples.
    public struct Summary: Codable, Sendable, Hashable {
        public var count: Int
        public var min, q1, median, q3, max: Double?

        public init(count: Int, min: Double?, q1: Double?, median: Double?, q3: Double?, max: Double?) {
            self.count = count
            self.min = min
            self.q1 = q1
            self.median = median
            self.q3 = q3
            self.max = max
        }
    }

    public init(
        id: String, digest: String?, template: String, outcome: CanaryVerdict.Outcome, score: Double?,
        judge: String?, application: String? = nil, status: String? = nil, failure: String? = nil,
        metrics: [Metric]? = nil, environment: String? = nil
    ) {
        self.id = id
        self.digest = digest
        self.environment = environment
        self.template = template
        self.outcome = outcome
        self.score = score
        self.judge = judge
        self.application = application
        self.status = status
        self.failure = failure
        self.metrics = metrics
    }

    public var type: EventType { .canaryJudged }

    public func statements(_ entry: ProjectionContext) throws(LedgerError) -> [SQLStatement] {
        guard let digest else { return [] }
        guard let outcome else { throw fail("outcome", "must be one of pass, fail, inconclusive") }
        return [
            SQLStatement(
                """
                INSERT INTO canary_verdicts (seq, verdict_id, digest, template, outcome, score, at, judged_by,
                    environment)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    entry.seq, try nonEmpty(id ?? "", "id"), try sha256Digest(digest, "digest"),
                    try nonEmpty(template ?? "", "template"), .text(outcome.rawValue),
                    score.map(SQLValue.real) ?? .null,
                    entry.at, entry.actor, environment.map(SQLValue.text) ?? .null,
                ])
        ]
    }
}

/// `change.recorded`: what GitHub records about a commit (author, committers, reviewers at its head, merged-by,
/// labels), read from a verified delivery or from its API, which the gate decides on instead of what a request
/// asserts.
public struct ChangeRecorded: LedgerEvent, Hashable {
    public var change: Change
    public var repository: String?
    /// The delivery it came in, for a webhook's record.
    public var delivery: String?
    /// Where it was read; entries from before it was recorded are deliveries.
    public var source: ChangeFacts.Source?
    /// What the source could not establish. Entries from before it was recorded came from deliveries, which name
    /// only the pull request's author: their committers are unknown.
    public var unknown: [ChangeFacts.Fact]?
    /// Addresses that are neither GitHub accounts nor aliases of identities.
    public var unresolved: [String]?

    public init(
        change: Change, repository: String, delivery: String? = nil, source: ChangeFacts.Source = .githubWebhook,
        unknown: [ChangeFacts.Fact] = [], unresolved: [String] = []
    ) {
        self.change = change
        self.repository = repository
        self.delivery = delivery
        self.source = source
        self.unknown = unknown
        self.unresolved = unresolved.isEmpty ? nil : unresolved
    }

    public var type: EventType { .changeRecorded }

    /// What the record could not establish, reading an entry from before it said so as a delivery's.
    public var unknownFacts: [ChangeFacts.Fact] { unknown ?? (source == nil ? [.committers] : []) }

    public func statements(_ entry: ProjectionContext) throws(LedgerError) -> [SQLStatement] {
        let stored: String
        let unknown: String
        let unresolved: String
        do {
            stored = try JSONValueEncoder().encode(change).canonicalString
            unknown = try JSONValueEncoder().encode(unknownFacts.map(\.rawValue)).canonicalString
            unresolved = try JSONValueEncoder().encode(self.unresolved ?? []).canonicalString
        } catch {
            throw fail("change", "cannot be stored: \(error.message)")
        }
        let commit = try nonEmpty(change.commit.lowercased(), "change.commit")
        // GitHub's word on when the commit was made, for the lead time of the requests that name it (never after
        // the record itself).
        var committed = change.committedAt.map { LedgerTime($0).sql }
        if case .text(let t)? = committed, case .text(let now) = entry.at, t > now { committed = entry.at }
        var statements = [
            SQLStatement(
                """
                INSERT INTO changes (commit_sha, seq, repository, pull_request, change, delivery_id, recorded_at,
                    source, unknown, unresolved, committed_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (commit_sha) DO UPDATE SET seq = excluded.seq, repository = excluded.repository,
                    pull_request = excluded.pull_request, change = excluded.change,
                    delivery_id = excluded.delivery_id, recorded_at = excluded.recorded_at,
                    source = excluded.source, unknown = excluded.unknown, unresolved = excluded.unresolved,
                    committed_at = excluded.committed_at
                """,
                [
                    commit, entry.seq, repository.sql,
                    change.pullRequest.map { SQLValue.integer(Int64($0.number)) } ?? .null, .text(stored),
                    delivery.sql, entry.at, .text((source ?? .githubWebhook).rawValue), .text(unknown),
                    .text(unresolved), committed ?? .null,
                ])
        ]
        if let committed {
            statements += CommitTime.statements(commit: commit, source: "github", time: "?", [committed])
        }
        return statements
    }
}
