public import CountersignCore
public import CountersignEncoding
public import Foundation

/// The lists the web pages and the API show: canary verdicts, break-glass grants, incidents, services, checkpoints.
extension ReadModel {
    /// A canary verdict as recorded.
    public struct RecordedVerdict: Sendable, Hashable {
        public var seq: Int64
        public var id, digest, template: String
        public var outcome: CanaryVerdict.Outcome
        public var score: Double?
        public var at: String
        /// The environment whose canary was judged (`nil` for verdicts recorded before they named one).
        public var environment: String? = nil

        /// The API's list item: the `canary_verdicts` columns by name.
        public var json: JSONValue {
            .object([
                ("at", .string(at)), ("digest", .string(digest)),
                ("environment", environment.map(JSONValue.string) ?? .null), ("outcome", .string(outcome.rawValue)),
                ("score", score.map(JSONValue.number) ?? .null), ("template", .string(template)),
                ("verdict_id", .string(id)),
            ])
        }
    }

    /// Canary verdicts, newest first: all of them, or those of `template` (for `digest`, judged in `environment`,
    /// when given).
    public func canaryVerdicts(
        digest: String? = nil, template: String? = nil, environment: String? = nil, limit: Int = 100
    ) async throws(LedgerError) -> [RecordedVerdict] {
        var conditions: [String] = []
        var arguments: [SQLValue] = []
        if let environment {
            conditions.append("environment = ?")
            arguments.append(.text(environment))
        }
        if let digest {
            conditions.append("digest = ?")
            arguments.append(.text(digest))
        }
        if let template {
            conditions.append("template = ?")
            arguments.append(.text(template))
        }
        let filter = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        var verdicts: [RecordedVerdict] = []
        for row in try await rows(
            "canary_verdicts",
            "SELECT seq, verdict_id, digest, template, outcome, score, at, environment FROM canary_verdicts\(filter) "
                + "ORDER BY seq DESC LIMIT \(max(1, limit))", arguments)
        {
            verdicts.append(
                RecordedVerdict(
                    seq: try row.required(row.integer("seq")), id: try row.required(row.text("verdict_id")),
                    digest: try row.required(row.text("digest")), template: try row.required(row.text("template")),
                    outcome: try row.required(row.text("outcome").flatMap(CanaryVerdict.Outcome.init)),
                    score: row.real("score"),
                    at: try row.required(row.text("at")), environment: row.text("environment")))
        }
        return verdicts
    }

    /// A break-glass grant as recorded, with its review once there is one.
    public struct RecordedGrant: Sendable, Hashable {
        public var id, freeze, invokedBy, environment: String
        public var service, reason, incident: String?
        public var grantedAt, expiresAt: String
        public var reviewedAt, reviewedBy, reviewOutcome, reviewNotes: String?

        /// The API's list item: the `breakglass_grants` columns by name (the review's notes are the web page's).
        public var json: JSONValue {
            func text(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
            return .object([
                ("environment", .string(environment)), ("expires_at", .string(expiresAt)),
                ("freeze_name", .string(freeze)), ("grant_id", .string(id)), ("granted_at", .string(grantedAt)),
                ("incident_id", text(incident)), ("invoked_by", .string(invokedBy)), ("reason", text(reason)),
                ("review_outcome", text(reviewOutcome)), ("reviewed_at", text(reviewedAt)),
                ("reviewed_by", text(reviewedBy)), ("service", text(service)),
            ])
        }
    }

    /// Break-glass grants, newest first.
    public func grants(limit: Int = 200) async throws(LedgerError) -> [RecordedGrant] {
        var grants: [RecordedGrant] = []
        for row in try await rows(
            "breakglass_grants",
            """
            SELECT grant_id, freeze_name, invoked_by, environment, service, reason, incident_id, granted_at, expires_at,
                reviewed_at, reviewed_by, review_outcome, review_notes FROM breakglass_grants
            ORDER BY seq DESC LIMIT \(max(1, limit))
            """)
        {
            grants.append(
                RecordedGrant(
                    id: try row.required(row.text("grant_id")), freeze: try row.required(row.text("freeze_name")),
                    invokedBy: try row.required(row.text("invoked_by")),
                    environment: try row.required(row.text("environment")), service: row.text("service"),
                    reason: row.text("reason"), incident: row.text("incident_id"),
                    grantedAt: try row.required(row.text("granted_at")),
                    expiresAt: try row.required(row.text("expires_at")), reviewedAt: row.text("reviewed_at"),
                    reviewedBy: row.text("reviewed_by"), reviewOutcome: row.text("review_outcome"),
                    reviewNotes: row.text("review_notes")))
        }
        return grants
    }

    /// An incident as recorded.
    public struct RecordedIncident: Sendable, Hashable {
        public var id, openedAt, openedBy: String
        public var severity, title: String?
        /// The deploys it names, as the canonical JSON array the table stores.
        public var deploys: String
        public var resolvedAt: String?

        /// The API's list item: the `incidents` columns by name.
        public var json: JSONValue {
            func text(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
            return .object([
                ("deploy_ids", .string(deploys)), ("incident_id", .string(id)), ("opened_at", .string(openedAt)),
                ("opened_by", .string(openedBy)), ("resolved_at", text(resolvedAt)), ("severity", text(severity)),
                ("title", text(title)),
            ])
        }
    }

    /// Incidents, newest first.
    public func incidents(limit: Int = 500) async throws(LedgerError) -> [RecordedIncident] {
        var incidents: [RecordedIncident] = []
        for row in try await rows(
            "incidents",
            """
            SELECT incident_id, opened_at, opened_by, severity, title, deploy_ids, resolved_at FROM incidents
            ORDER BY seq DESC LIMIT \(max(1, limit))
            """)
        {
            incidents.append(
                RecordedIncident(
                    id: try row.required(row.text("incident_id")), openedAt: try row.required(row.text("opened_at")),
                    openedBy: try row.required(row.text("opened_by")), severity: row.text("severity"),
                    title: row.text("title"), deploys: try row.required(row.text("deploy_ids")),
                    resolvedAt: row.text("resolved_at")))
        }
        return incidents
    }

    /// The services requests have named, in order.
    public func services(limit: Int = 200) async throws(LedgerError) -> [String] {
        var services: [String] = []
        for row in try await rows(
            "deploy_requests", "SELECT DISTINCT service FROM deploy_requests ORDER BY service LIMIT \(max(1, limit))")
        { services.append(try row.required(row.text("service"))) }
        return services
    }

    /// The signed checkpoints, newest first: each tree size and its root.
    public func checkpoints(limit: Int = 10) async throws(LedgerError) -> [(size: Int64, rootHash: [UInt8])] {
        var checkpoints: [(size: Int64, rootHash: [UInt8])] = []
        for row in try await rows(
            "checkpoints", "SELECT size, root_hash FROM checkpoints ORDER BY size DESC LIMIT \(max(1, limit))")
        {
            guard case .blob(let root) = row["root_hash"] else { throw row.unreadable() }
            checkpoints.append((try row.required(row.integer("size")), root))
        }
        return checkpoints
    }
}
