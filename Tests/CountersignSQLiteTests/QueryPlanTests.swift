import CountersignLedger
import CountersignTesting
import Foundation
import Testing

@testable import CountersignSQLite

/// Every lookup on the request path uses an index, so admission, re-decision and lists cost the same at any
/// history length (a full scan made admission grow from 0.8 to 6 ms p50 over ten minutes of load). The plans are
/// SQLite's own answer (`EXPLAIN QUERY PLAN`) for the statements the server runs.
@Suite struct QueryPlanTests {
    static let requestPath: [(what: String, sql: String)] = [
        (
            "admission",
            "SELECT request_id FROM deploy_requests WHERE digest = ? AND environment = ? AND verdict = 'allowed' LIMIT 1"
        ),
        (
            "re-decision by digest",
            "SELECT request_id FROM deploy_requests WHERE digest = ? AND (verdict IS NULL OR verdict <> 'allowed')"
        ),
        (
            "re-decision after break-glass",
            "SELECT request_id FROM deploy_requests WHERE environment = ? AND (verdict IS NULL OR verdict <> 'allowed')"
        ),
        ("request by id", "SELECT seq FROM deploy_requests WHERE request_id = ?"),
        ("list", "SELECT request_id, service FROM deploy_requests ORDER BY seq DESC LIMIT 50"),
        (
            "list by environment",
            "SELECT request_id FROM deploy_requests WHERE environment = ? ORDER BY seq DESC LIMIT 50"
        ),
        ("list by verdict", "SELECT request_id FROM deploy_requests WHERE verdict = ? ORDER BY seq DESC LIMIT 50"),
        (
            "GitHub deploy by commit",
            "SELECT request_id, service, digest FROM deploy_requests WHERE commit_sha = ? AND environment = ? AND verdict = 'allowed' ORDER BY seq DESC LIMIT 1"
        ),
        ("latest decision", "SELECT seq FROM decisions WHERE request_id = ? ORDER BY seq DESC LIMIT 1"),
        (
            "token",
            "SELECT token_id, token_hash, identity, role, expires_at, revoked_at FROM api_tokens WHERE token_hash = ?"
        ),
        ("checks", "SELECT seq, check_id, name, status, reported_by, at FROM checks WHERE digest = ? ORDER BY seq"),
        ("verification", "SELECT registered_seq, verified FROM artifacts WHERE digest = ? AND verified IS NOT NULL"),
        ("approvals", "SELECT seq, approver, state FROM approvals WHERE request_id = ? ORDER BY seq"),
        (
            "canary verdicts",
            "SELECT verdict_id, template, outcome, at, judged_by FROM canary_verdicts WHERE digest = ? ORDER BY seq"
        ),
        (
            "canary verdict for Argo",
            "SELECT verdict_id, outcome, score, at FROM canary_verdicts WHERE digest = ? AND template = ? ORDER BY seq DESC LIMIT 1"
        ),
        (
            "break-glass grants",
            "SELECT grant_id FROM breakglass_grants WHERE environment = ? AND reviewed_at IS NULL ORDER BY seq"
        ),
        ("webhook delivery", "SELECT seq FROM webhook_deliveries WHERE delivery_id = ?"),
        ("webhook body", "SELECT delivery_id FROM webhook_deliveries WHERE body_sha256 = ?"),
        ("change by commit", "SELECT change FROM changes WHERE commit_sha = ?"),
        ("published policy", "SELECT hash FROM policies WHERE state = 'published' ORDER BY seq DESC LIMIT 1"),
        (
            "live requests a publication decides again",
            """
            SELECT request_id FROM deploy_requests r
            WHERE r.verdict IS NULL OR r.verdict <> 'allowed'
                OR NOT EXISTS (SELECT 1 FROM deploys d WHERE d.request_id = r.request_id)
            ORDER BY r.seq DESC LIMIT 500
            """
        ),
    ]

    @Test(arguments: requestPath.map(\.what))
    func usesAnIndex(_ what: String) async throws {
        let sql = try #require(Self.requestPath.first { $0.what == what }?.sql)
        let tmp = try TemporaryLedger()
        let store = try tmp.open()
        try await store.append(LedgerFixtures.deployStory())
        let arguments = [SQLValue](repeating: .text("x"), count: sql.filter { $0 == "?" }.count)
        let plan = try await store.lookup("EXPLAIN QUERY PLAN " + sql, arguments)
        let details = plan.rows.compactMap { $0.last?.textValue }
        #expect(!details.isEmpty)
        // "SCAN t" alone reads every row; "SCAN t USING INDEX i" walks an index in order (a list's ORDER BY seq).
        let scans = details.filter { $0.hasPrefix("SCAN ") && !$0.contains("USING") }
        #expect(scans.isEmpty, "\(what) scans: \(details)")
        #expect(!details.contains { $0.contains("USE TEMP B-TREE") }, "\(what) sorts: \(details)")
    }
}
