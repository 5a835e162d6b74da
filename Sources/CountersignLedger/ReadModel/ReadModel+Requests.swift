public import CountersignCore
public import CountersignEncoding
public import Foundation

extension ReadModel {
    /// The ledger position of request `id`'s `deploy.requested` entry.
    public func requestEntry(id: String) async throws(LedgerError) -> Int64? {
        guard
            let row = try await rows(
                "deploy_requests", "SELECT seq FROM deploy_requests WHERE request_id = ?", [.text(id)]
            ).first
        else { return nil }
        return try row.required(row.integer("seq"))
    }

    /// The ledger position of the last `gate.decided` entry for request `id`.
    public func latestDecisionEntry(request id: String) async throws(LedgerError) -> Int64? {
        guard
            let row = try await rows(
                "decisions", "SELECT seq FROM decisions WHERE request_id = ? ORDER BY seq DESC LIMIT 1", [.text(id)]
            ).first
        else { return nil }
        return try row.required(row.integer("seq"))
    }

    /// Requests not yet allowed (undecided, pending or denied) for `digest` — what new evidence for it re-decides.
    public func openRequests(digest: String) async throws(LedgerError) -> [String] {
        try await openRequests("digest", digest)
    }

    /// The newest requests for `commit` in any state, at most `limit` — what new facts about the commit decide
    /// again: they may make an allowed request stricter as well as a pending one lighter.
    public func requests(commit: String, limit: Int = 100) async throws(LedgerError) -> [String] {
        try await rows(
            "deploy_requests",
            "SELECT request_id FROM deploy_requests WHERE commit_sha = ? ORDER BY seq DESC LIMIT ?",
            [.text(commit), .integer(Int64(limit))]
        ).map { row throws(LedgerError) in try row.required(row.text("request_id")) }
    }

    /// Requests not yet allowed in `environment` — what a break-glass grant there re-decides.
    public func openRequests(environment: String) async throws(LedgerError) -> [String] {
        try await openRequests("environment", environment)
    }

    private func openRequests(_ column: String, _ value: String) async throws(LedgerError) -> [String] {
        var ids: [String] = []
        for row in try await rows(
            "deploy_requests",
            "SELECT request_id FROM deploy_requests WHERE \(column) = ? AND (verdict IS NULL OR verdict <> 'allowed')",
            [.text(value)])
        { ids.append(try row.required(row.text("request_id"))) }
        return ids
    }

    /// The requests a change of policy can still act through, newest first, at most `limit`: every one not allowed,
    /// and every allowed one not yet deployed (admission and the deploy still read its decision).
    public func liveRequests(limit: Int = 500) async throws(LedgerError) -> [String] {
        try await rows(
            "deploy_requests",
            """
            SELECT request_id FROM deploy_requests r
            WHERE r.verdict IS NULL OR r.verdict <> 'allowed'
                OR NOT EXISTS (SELECT 1 FROM deploys d WHERE d.request_id = r.request_id)
            ORDER BY r.seq DESC LIMIT ?
            """, [.integer(Int64(max(1, min(limit, 5_000))))]
        ).map { row throws(LedgerError) in try row.required(row.text("request_id")) }
    }

    /// One line of the request list, newest first.
    public struct RequestSummary: Sendable, Hashable {
        public var id, service, environment, artifact, digest, requester, deployer: String
        public var requestedAt: String
        /// Nil until the first decision is recorded.
        public var verdict: Decision.Verdict?
        public var tier: String?
        public var decidedAt: String?
    }

    /// Requests, newest first, optionally only one environment's or one verdict's; at most `limit` (1–500).
    public func requests(environment: String? = nil, verdict: Decision.Verdict? = nil, limit: Int = 50)
        async throws(LedgerError) -> [RequestSummary]
    {
        var sql = """
            SELECT request_id, service, environment, artifact, digest, requester, deployer, requested_at, verdict, tier,
                decided_at FROM deploy_requests
            """
        var conditions: [String] = []
        var arguments: [SQLValue] = []
        if let environment {
            conditions.append("environment = ?")
            arguments.append(.text(environment))
        }
        if let verdict {
            conditions.append("verdict = ?")
            arguments.append(.text(verdict.rawValue))
        }
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY seq DESC LIMIT \(max(1, min(limit, 500)))"
        var summaries: [RequestSummary] = []
        for row in try await rows("deploy_requests", sql, arguments) {
            summaries.append(
                RequestSummary(
                    id: try row.required(row.text("request_id")), service: try row.required(row.text("service")),
                    environment: try row.required(row.text("environment")),
                    artifact: try row.required(row.text("artifact")), digest: try row.required(row.text("digest")),
                    requester: try row.required(row.text("requester")),
                    deployer: try row.required(row.text("deployer")),
                    requestedAt: try row.required(row.text("requested_at")),
                    verdict: try row.text("verdict").map { v throws(LedgerError) in
                        try row.required(Decision.Verdict(rawValue: v))
                    },
                    tier: row.text("tier"), decidedAt: row.text("decided_at")))
        }
        return summaries
    }
}

extension ReadModel.RequestSummary {
    /// The list's JSON: the `deploy_requests` columns by name, null where unset (the API's documented shape).
    public var json: JSONValue {
        .object([
            ("artifact", .string(artifact)), ("decided_at", decidedAt.map(JSONValue.string) ?? .null),
            ("deployer", .string(deployer)), ("digest", .string(digest)), ("environment", .string(environment)),
            ("request_id", .string(id)), ("requested_at", .string(requestedAt)), ("requester", .string(requester)),
            ("service", .string(service)), ("tier", tier.map(JSONValue.string) ?? .null),
            ("verdict", verdict.map { .string($0.rawValue) } ?? .null),
        ])
    }
}

extension ReadModel {
    /// An allowed request for `digest` in `environment`, if any — what admission asks before a pod runs.
    public func allowedRequest(digest: String, environment: String) async throws(LedgerError) -> String? {
        guard
            let row = try await rows(
                "deploy_requests",
                "SELECT request_id FROM deploy_requests WHERE digest = ? AND environment = ? AND verdict = 'allowed' LIMIT 1",
                [.text(digest), .text(environment)]
            ).first
        else { return nil }
        return try row.required(row.text("request_id"))
    }

    /// The newest allowed request for `commit` in `environment` — what a GitHub deployment status is recorded against.
    public func allowedRequest(commit: String, environment: String) async throws(LedgerError)
        -> (id: String, service: String, digest: String)?
    {
        guard
            let row = try await rows(
                "deploy_requests",
                """
                SELECT request_id, service, digest FROM deploy_requests
                WHERE commit_sha = ? AND environment = ? AND verdict = 'allowed' ORDER BY seq DESC LIMIT 1
                """, [.text(commit), .text(environment)]
            ).first
        else { return nil }
        return (
            try row.required(row.text("request_id")), try row.required(row.text("service")),
            try row.required(row.text("digest"))
        )
    }

    /// When request `id` became ready (approvals the only control left) and when it was first allowed after that —
    /// the two ends of its approval wait, as the projection of `gate.decided` records them.
    public func readiness(of id: String) async throws(LedgerError) -> (ready: Date?, allowed: Date?) {
        guard
            let row = try await rows(
                "deploy_requests", "SELECT ready_at, allowed_at FROM deploy_requests WHERE request_id = ?", [.text(id)]
            ).first
        else { return (nil, nil) }
        return (row.text("ready_at").flatMap(RFC3339.date), row.text("allowed_at").flatMap(RFC3339.date))
    }

    /// How many requests wait on a decision (`pending`).
    public func pendingRequestCount() async throws(LedgerError) -> Int {
        guard
            let row = try await rows(
                "deploy_requests", "SELECT COUNT(*) AS n FROM deploy_requests WHERE verdict = 'pending'"
            ).first
        else { return 0 }
        return Int(try row.required(row.integer("n")))
    }
}
