public import CountersignCore
public import CountersignEncoding

/// What the request page and the inbox show: a request's reviews, decisions and deploys as recorded.
extension ReadModel {
    /// Requests waiting on a decision (`pending`), newest first.
    public func pendingRequests(limit: Int = 50) async throws(LedgerError) -> [String] {
        var ids: [String] = []
        for row in try await rows(
            "deploy_requests",
            "SELECT request_id FROM deploy_requests WHERE verdict = 'pending' ORDER BY seq DESC LIMIT \(max(1, limit))")
        { ids.append(try row.required(row.text("request_id"))) }
        return ids
    }

    /// One reviewer's current review of a request.
    public struct Review: Sendable, Hashable {
        public var approver: String
        public var state: Approval.State
        public var at: String
        public var team, comment: String?
        public var seq: Int64
    }

    /// Request `id`'s reviews, one per reviewer, in the order they were last changed.
    public func reviews(request id: String) async throws(LedgerError) -> [Review] {
        var reviews: [Review] = []
        for row in try await rows(
            "approvals",
            "SELECT approver, state, at, team, comment, seq FROM approvals WHERE request_id = ? ORDER BY seq",
            [.text(id)])
        {
            reviews.append(
                Review(
                    approver: try row.required(row.text("approver")),
                    state: try row.required(row.text("state").flatMap(Approval.State.init(rawValue:))),
                    at: try row.required(row.text("at")), team: row.text("team"), comment: row.text("comment"),
                    seq: try row.required(row.integer("seq"))))
        }
        return reviews
    }

    /// One recorded decision of a request.
    public struct RecordedDecision: Sendable, Hashable {
        public var seq: Int64
        public var decidedAt: String
        public var verdict: Decision.Verdict
        public var decidedBy: String
        public var reasons: [String]
    }

    /// Request `id`'s decisions, oldest first.
    public func decisions(request id: String) async throws(LedgerError) -> [RecordedDecision] {
        var decisions: [RecordedDecision] = []
        for row in try await rows(
            "decisions",
            "SELECT seq, decided_at, verdict, decided_by, reasons FROM decisions WHERE request_id = ? ORDER BY seq",
            [.text(id)])
        {
            let reasons = try row.required(
                (try? JSONValue(parsing: try row.required(row.text("reasons"))))?.arrayValue?.compactMap(\.stringValue))
            decisions.append(
                RecordedDecision(
                    seq: try row.required(row.integer("seq")), decidedAt: try row.required(row.text("decided_at")),
                    verdict: try row.required(row.text("verdict").flatMap(Decision.Verdict.init(rawValue:))),
                    decidedBy: try row.required(row.text("decided_by")), reasons: reasons))
        }
        return decisions
    }

    /// One deploy as recorded: its request, where and what it deployed, its status (`started`, `succeeded`,
    /// `failed`, `rolled_back`), who started it, and when it started and ended.
    public struct RecordedDeploy: Sendable, Hashable {
        public var id, request, environment, service, digest, status, startedBy, startedAt: String
        public var finishedAt: String?
        public var startedSeq: Int64

        static let columns =
            "deploy_id, request_id, environment, service, digest, status, started_by, started_at, finished_at, "
            + "started_seq"

        init(_ row: ProjectionRow) throws(LedgerError) {
            id = try row.required(row.text("deploy_id"))
            request = try row.required(row.text("request_id"))
            environment = try row.required(row.text("environment"))
            service = try row.required(row.text("service"))
            digest = try row.required(row.text("digest"))
            status = try row.required(row.text("status"))
            startedBy = try row.required(row.text("started_by"))
            startedAt = try row.required(row.text("started_at"))
            finishedAt = row.text("finished_at")
            startedSeq = try row.required(row.integer("started_seq"))
        }

        /// The API's answer: the `deploys` columns by name.
        public var json: JSONValue {
            .object([
                ("id", .string(id)), ("request", .string(request)), ("environment", .string(environment)),
                ("service", .string(service)), ("digest", .string(digest)), ("status", .string(status)),
                ("started_by", .string(startedBy)), ("started_at", .string(startedAt)),
                ("finished_at", finishedAt.map(JSONValue.string) ?? .null),
            ])
        }
    }

    /// Request `id`'s deploys, in the order they started.
    public func deploys(request id: String) async throws(LedgerError) -> [RecordedDeploy] {
        var deploys: [RecordedDeploy] = []
        for row in try await rows(
            "deploys",
            "SELECT \(RecordedDeploy.columns) FROM deploys WHERE request_id = ? ORDER BY started_seq", [.text(id)])
        {
            deploys.append(try RecordedDeploy(row))
        }
        return deploys
    }

    /// The repository a webhook recorded `commit`'s change evidence from.
    public func repository(commit: String) async throws(LedgerError) -> String? {
        try await rows("changes", "SELECT repository FROM changes WHERE commit_sha = ?", [.text(commit)]).first?
            .text("repository")
    }
}
