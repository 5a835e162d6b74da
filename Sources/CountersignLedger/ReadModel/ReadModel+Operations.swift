public import CountersignEncoding
public import Foundation

extension ReadModel {
    /// A notification still to deliver.
    public struct PendingNotification: Sendable, Hashable {
        public var id, kind, target, body: String
        public var attempts: Int
    }

    /// Notifications neither delivered nor abandoned, oldest first, at most `limit`.
    public func pendingNotifications(limit: Int = 100) async throws(LedgerError) -> [PendingNotification] {
        var pending: [PendingNotification] = []
        for row in try await rows(
            "outbox",
            """
            SELECT notification_id, kind, target, body, attempts FROM outbox
            WHERE delivered_at IS NULL AND abandoned_at IS NULL ORDER BY queued_seq LIMIT \(max(1, limit))
            """)
        {
            pending.append(
                PendingNotification(
                    id: try row.required(row.text("notification_id")), kind: try row.required(row.text("kind")),
                    target: try row.required(row.text("target")), body: try row.required(row.text("body")),
                    attempts: Int(try row.required(row.integer("attempts")))))
        }
        return pending
    }

    /// The outbox's backlog: notifications still to deliver, and those abandoned.
    public func outboxBacklog() async throws(LedgerError) -> (pending: Int, abandoned: Int) {
        guard
            let row = try await rows(
                "outbox",
                """
                SELECT COUNT(*) FILTER (WHERE delivered_at IS NULL AND abandoned_at IS NULL) AS pending,
                       COUNT(*) FILTER (WHERE abandoned_at IS NOT NULL) AS abandoned FROM outbox
                """
            ).first
        else { return (0, 0) }
        return (Int(row.integer("pending") ?? 0), Int(row.integer("abandoned") ?? 0))
    }

    /// An `Idempotency-Key` as claimed, and its answer once recorded.
    public struct IdempotencyKey: Sendable, Hashable {
        public var fingerprint: String
        public var status: Int?
        public var body: String?
    }

    /// The key claimed under `scope`.
    public func idempotencyKey(scope: String) async throws(LedgerError) -> IdempotencyKey? {
        guard
            let row = try await rows(
                "idempotency_keys", "SELECT fingerprint, status, body FROM idempotency_keys WHERE scope = ?",
                [.text(scope)]
            ).first
        else { return nil }
        return IdempotencyKey(
            fingerprint: try row.required(row.text("fingerprint")), status: row.integer("status").map { Int($0) },
            body: row.text("body"))
    }

    /// Whether deploy `id` is recorded.
    public func deployExists(id: String) async throws(LedgerError) -> Bool {
        try await !rows("deploys", "SELECT 1 AS one FROM deploys WHERE deploy_id = ?", [.text(id)]).isEmpty
    }

    /// Deploy `id`, when there is one.
    public func deploy(id: String) async throws(LedgerError) -> RecordedDeploy? {
        guard
            let row = try await rows(
                "deploys",
                """
                SELECT \(RecordedDeploy.columns) FROM deploys WHERE deploy_id = ?
                """, [.text(id)]
            ).first
        else { return nil }
        return try RecordedDeploy(row)
    }

    /// Incident `id`: nil when there is none, else whether it is resolved.
    public func incidentResolved(id: String) async throws(LedgerError) -> Bool? {
        guard
            let row = try await rows(
                "incidents", "SELECT resolved_at FROM incidents WHERE incident_id = ?", [.text(id)]
            ).first
        else { return nil }
        return row.text("resolved_at") != nil
    }

    /// A break-glass grant as its review needs it.
    public struct Grant: Sendable, Hashable {
        public var freeze, invokedBy: String
        public var expiresAt: Date
        public var reviewed: Bool
    }

    /// Break-glass grant `id`.
    public func grant(id: String) async throws(LedgerError) -> Grant? {
        guard
            let row = try await rows(
                "breakglass_grants",
                "SELECT freeze_name, invoked_by, expires_at, reviewed_at FROM breakglass_grants WHERE grant_id = ?",
                [.text(id)]
            ).first
        else { return nil }
        return Grant(
            freeze: try row.required(row.text("freeze_name")), invokedBy: try row.required(row.text("invoked_by")),
            expiresAt: try row.required(row.date("expires_at")), reviewed: row.text("reviewed_at") != nil)
    }

    /// The ledger position of the latest policy entry in `state` (`proposed`, `published`), for `hash` when given.
    public func policyEntry(state: String, hash: String? = nil) async throws(LedgerError) -> Int64? {
        var sql = "SELECT seq FROM policies WHERE state = ?"
        var arguments: [SQLValue] = [.text(state)]
        if let hash {
            sql += " AND hash = ?"
            arguments.append(.text(hash))
        }
        guard let row = try await rows("policies", sql + " ORDER BY seq DESC LIMIT 1", arguments).first else {
            return nil
        }
        return try row.required(row.integer("seq"))
    }

    /// The hash of the policy last published (cheap enough to poll).
    public func publishedPolicyHash() async throws(LedgerError) -> String? {
        guard
            let row = try await rows(
                "policies", "SELECT hash FROM policies WHERE state = 'published' ORDER BY seq DESC LIMIT 1"
            ).first
        else { return nil }
        return try row.required(row.text("hash"))
    }
}

extension ReadModel {
    /// Whether webhook delivery `id` was recorded.
    public func deliveryRecorded(id: String) async throws(LedgerError) -> Bool {
        try await !rows("webhook_deliveries", "SELECT seq FROM webhook_deliveries WHERE delivery_id = ?", [.text(id)])
            .isEmpty
    }

    /// The delivery whose body had this SHA-256, if one was recorded: a replay under a new delivery id.
    public func delivery(bodySHA256: String) async throws(LedgerError) -> String? {
        guard
            let row = try await rows(
                "webhook_deliveries", "SELECT delivery_id FROM webhook_deliveries WHERE body_sha256 = ?",
                [.text(bodySHA256)]
            ).first
        else { return nil }
        return try row.required(row.text("delivery_id"))
    }

    /// The change evidence recorded for `commit`, as canonical JSON.
    public func recordedChange(commit: String) async throws(LedgerError) -> String? {
        guard
            let row = try await rows("changes", "SELECT change FROM changes WHERE commit_sha = ?", [.text(commit)])
                .first
        else { return nil }
        return try row.required(row.text("change"))
    }

    /// The newest change evidence recorded for pull request `number` of `repository`, as canonical JSON.
    public func recordedChange(repository: String, pullRequest number: Int64) async throws(LedgerError) -> String? {
        guard
            let row = try await rows(
                "changes",
                "SELECT change FROM changes WHERE repository = ? AND pull_request = ? ORDER BY seq DESC LIMIT 1",
                [.text(repository), .integer(number)]
            ).first
        else { return nil }
        return try row.required(row.text("change"))
    }
}
