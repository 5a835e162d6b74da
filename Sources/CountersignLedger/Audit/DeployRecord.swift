internal import CountersignCore
public import CountersignEncoding
public import Foundation

/// The audit report of deploys: for each deploy in a period, its authorization — decision, approvals,
/// separation of duties, checks and provenance — in the deploy-record shape auditors know (DESIGN §8), plus the
/// ledger index of the deploy and an inclusion proof for it. Built from the projections with read-only queries.
public enum DeployRecord {
    /// Every deploy to `environment` started in `from ..< to`, oldest first; at most `limit` of them when given
    /// (a page shows the first ones and counts the rest with `count`).
    public static func report(
        _ store: some LedgerStore, environment: String, from: Date, to: Date, limit: Int? = nil
    ) async throws(LedgerError) -> [JSONValue] {
        let deploys = try await store.lookup(
            """
            SELECT d.deploy_id, d.request_id, d.environment, d.service, d.digest, d.status, d.started_seq,
                d.started_at, d.started_by, d.finished_at, r.artifact, r.commit_sha, r.source_ref, r.pull_request,
                r.ticket, r.author, r.committers, r.reviewers, r.requester, r.deployer, r.change_kind
            FROM deploys d LEFT JOIN deploy_requests r ON r.request_id = d.request_id
            WHERE d.environment = ? AND d.started_at >= ? AND d.started_at < ?
            ORDER BY d.started_seq\(limit.map { " LIMIT \(max(0, $0))" } ?? "")
            """,
            [
                .text(environment), .text(RFC3339.string(from, fraction: .milliseconds)),
                .text(RFC3339.string(to, fraction: .milliseconds)),
            ])
        let size = try await store.size()
        var records: [JSONValue] = []
        var policies: [String: PolicyBundle?] = [:]
        for row in deploys.rows {
            let d = Dictionary(uniqueKeysWithValues: zip(deploys.columns, row))
            records.append(try await record(store, d, treeSize: size, policies: &policies))
        }
        return records
    }

    /// How many deploys `report` would list.
    public static func count(_ store: some LedgerStore, environment: String, from: Date, to: Date)
        async throws(LedgerError) -> Int
    {
        let result = try await store.lookup(
            "SELECT COUNT(*) FROM deploys WHERE environment = ? AND started_at >= ? AND started_at < ?",
            [
                .text(environment), .text(RFC3339.string(from, fraction: .milliseconds)),
                .text(RFC3339.string(to, fraction: .milliseconds)),
            ])
        return Int(result.rows.first?.first?.integerValue ?? 0)
    }

    private static func record(
        _ store: some LedgerStore, _ d: [String: SQLValue], treeSize: Int, policies: inout [String: PolicyBundle?]
    ) async throws(LedgerError) -> JSONValue {
        let request = d["request_id"] ?? .null
        let digest = d["digest"] ?? .null
        let startedSeq = d["started_seq"] ?? .null
        let startedAt = d["started_at"] ?? .null
        let approvals = try await store.lookup(
            """
            SELECT approver, team, at, approval_id FROM approvals
            WHERE request_id = ? AND state = 'granted' AND digest = ? AND environment = ? AND at <= ?
            ORDER BY at, approver
            """, [request, digest, d["environment"] ?? .null, startedAt])
        let checks = try await store.lookup(
            "SELECT DISTINCT name FROM checks WHERE digest = ? AND status = 'passed' AND at <= ? ORDER BY name",
            [digest, startedAt])
        let decision = try await store.lookup(
            """
            SELECT verdict, tier, policy, decided_at, seq FROM decisions
            WHERE request_id = ? AND seq < ? ORDER BY seq DESC LIMIT 1
            """, [request, startedSeq])
        let artifact = try await store.lookup(
            "SELECT verified, verification_policy, verified_at, verification_details FROM artifacts WHERE digest = ?",
            [digest])

        // GitHub's record of the commit, where there is one: who reviewed and merged it, and its page. The request's
        // own account names people too; for separation of duties both count (more people excluded is stricter).
        let recorded = try await store.lookup(
            "SELECT change, source FROM changes WHERE commit_sha = ?", [d["commit_sha"] ?? .null])
        let facts = recorded.rows.first.flatMap { $0[0].textValue }.flatMap { try? JSONValue(parsing: $0) }
        let recordedPR = facts?["pullRequest"]
        let approvers = approvals.rows.compactMap { $0[0].textValue }
        let author = d["author"]?.textValue
        var committers = strings(d["committers"])
        for name in [recordedPR?["author"]?.stringValue].compactMap({ $0 })
            + (recordedPR?["committers"]?.arrayValue ?? []).compactMap(\.stringValue)
        where name != author && !committers.contains(name) {
            committers.append(name)
        }
        let reviewers =
            recordedPR.map { ($0["reviewers"]?.arrayValue ?? []).compactMap(\.stringValue) } ?? strings(d["reviewers"])
        // Compared as the gate compared them: through the aliases of the policy the decision was made under (an
        // author recorded as `alice@example.com` or a GitHub noreply address is alice), else in canonical form.
        var bundle: PolicyBundle? = nil
        if let hash = decision.rows.first?[2].textValue {
            if let known = policies[hash] {
                bundle = known
            } else {
                bundle = try await PolicyRecorded.published(in: store, hash: hash)
                policies[hash] = bundle
            }
        }
        let canonical: (String) -> String = { bundle?.canonical($0) ?? Names.canonical($0) }
        var excluded: [(String, String)] = committers.map { (canonical($0), "a committer") }
        if let author { excluded.append((canonical(author), "the author")) }
        for (key, role) in [
            ("requester", "the requester"), ("deployer", "the deployer"), ("started_by", "the deployer"),
        ] {
            if let name = d[key]?.textValue { excluded.append((canonical(name), role)) }
        }
        var violations: [JSONValue] = []
        for a in approvers {
            if let (_, role) = excluded.first(where: { $0.0 == canonical(a) }) {
                violations.append(.string("\(canonical(a)) is \(role)"))
            }
        }
        // What the decision relaxed, from its own entry: on the emergency path a break-glass grant stood in for the
        // approvals, so nobody but its invoker looked before the deploy — not separation of duties, however it was
        // justified; the review afterwards is on the grant.
        var relaxations: [String] = []
        if let seq = decision.rows.first?[4].integerValue,
            let entry = try await store.entries(from: Int(seq), count: 1).first,
            let decided = try? entry.event(GateDecided.self)
        {
            relaxations = decided.relaxations ?? []
        }
        for r in relaxations where r.hasPrefix("break-glass: ") && r.contains("stood in for the approvals") {
            violations.append(.string("no approval: " + r.dropFirst("break-glass: ".count)))
        }

        let proof = try await store.inclusionProof(seq: Int(startedSeq.integerValue ?? -1), size: treeSize)
        func column(_ key: String) -> JSONValue { d[key]?.json ?? .null }
        var members: [(String, JSONValue)] = [
            ("deploy_id", column("deploy_id")), ("environment", column("environment")), ("service", column("service")),
            ("artifact", column("artifact")), ("digest", digest.json), ("source_commit", column("commit_sha")),
            ("source_ref", column("source_ref")), ("pull_request", column("pull_request")),
            ("pull_request_url", recordedPR?["url"] ?? .null), ("merged_by", recordedPR?["mergedBy"] ?? .null),
            // Where the change's facts came from: GitHub's API or a delivery (entries from before sources were
            // recorded were deliveries), or only the request.
            ("change_facts", .string(recorded.rows.first.map { $0[1].textValue ?? "github-webhook" } ?? "request")),
            ("linked_issue", column("ticket")), ("change_kind", column("change_kind")),
            ("triggered_by", column("started_by")), ("requested_by", column("requester")), ("request_id", request.json),
        ]
        let approvalItems: [JSONValue] = approvals.rows.map { r in
            .object([
                ("actor", r[0].json), ("role", .string("approver")), ("team", r[1].json), ("at", r[2].json),
                ("method", .string("countersign")), ("evidence_id", r[3].json),
            ])
        }
        members.append(("approvals", .array(approvalItems)))
        let sod: JSONValue = .object([
            ("author", author.map(JSONValue.string) ?? .null),
            ("approver", approvers.first.map(JSONValue.string) ?? .null),
            ("approvers", .array(approvers.map(JSONValue.string))),
            ("committers", .array(committers.map(JSONValue.string))),
            // The pull request's reviewers as GitHub records them at its head (else as the request named them), and
            // who they are through the decision's policy.
            ("reviewers", .array(reviewers.map(JSONValue.string))),
            ("reviewer_identities", .array(reviewers.map { JSONValue.string(canonical($0)) })),
            ("ok", .bool(violations.isEmpty)), ("violations", .array(violations)),
        ])
        members.append(("separation_of_duties", sod))
        members.append(("checks_passed", .array(checks.rows.map { $0[0].json })))
        var provenance = JSONValue.null
        if let r = artifact.rows.first {
            let verified: JSONValue = r[0] == .null ? .null : .bool(r[0] == .integer(1))
            provenance = .object([
                ("verified", verified), ("policy", r[1].json), ("verified_at", r[2].json), ("details", r[3].json),
            ])
        }
        members.append(("provenance", provenance))
        var decided = JSONValue.null
        if let r = decision.rows.first {
            decided = .object([
                ("verdict", r[0].json), ("tier", r[1].json), ("policy", r[2].json), ("decided_at", r[3].json),
                ("seq", r[4].json), ("relaxations", .array(relaxations.map(JSONValue.string))),
            ])
        }
        members.append(("decision", decided))
        members += [
            ("status", column("status")), ("timestamp", startedAt.json), ("finished_at", column("finished_at")),
            ("ledger", .object([("seq", startedSeq.json), ("inclusion_proof", proof.json)])),
        ]
        return .object(members)
    }

    private static func strings(_ v: SQLValue?) -> [String] {
        guard let text = v?.textValue, case .array(let items)? = try? JSONValue(parsing: text) else { return [] }
        return items.compactMap(\.stringValue)
    }
}
