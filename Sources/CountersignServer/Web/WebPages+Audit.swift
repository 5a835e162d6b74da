internal import CountersignControl
internal import CountersignCore
internal import CountersignEncoding
internal import CountersignLedger
internal import Foundation
internal import Hummingbird
internal import NIOCore

extension WebPages {
    static let exampleQuery = """
        SELECT r.service, r.environment, r.tier, COUNT(*) AS deploys
        FROM deploys d JOIN deploy_requests r ON r.request_id = d.request_id
        GROUP BY 1, 2, 3 ORDER BY deploys DESC
        """

    /// Read-only SQL over the projections through the store's isolated audit console, with a CSV download,
    /// and the SOC 2 change report: every deploy in a period with its authorization. Auditors and admins only.
    func audit(
        _ request: Request, _ context: ServerRequestContext, _ session: WebSession, _ started: ContinuousClock.Instant
    )
        async throws -> Response
    {
        try session.principal.require(.auditor, .admin, to: "run audit queries")
        let q = Self.query(request)
        let sql = q["sql"] ?? ""
        var page: [String: Any] = ["sql": sql.isEmpty ? Self.exampleQuery : sql, "csvHref": ""]
        if !sql.isEmpty {
            do {
                let result = try await control.store.audit(sql)
                page["columns"] = result.columns
                page["rows"] = result.rows.prefix(1_000).map { row in ["cells": row.map { ["value": $0.description] }] }
                page["hasRows"] = !result.rows.isEmpty
                page["ran"] = true
                page["rowCount"] = result.rows.count
                page["truncated"] = result.rows.count > 1_000
                if let cut = result.truncation { page["cut"] = cut }
                page["csvHref"] = "/ui/audit/results.csv?sql=" + Self.encode(sql, keeping: "")
            } catch {
                page["error"] = error.message
            }
        }
        let now = control.now()
        let from = q["from"] ?? RFC3339.string(now.addingTimeInterval(-30 * 86_400), fraction: .milliseconds)
        let to = q["to"] ?? RFC3339.string(now, fraction: .milliseconds)
        let environment = q["environment"] ?? "production"
        page["report"] = ["from": from, "to": to, "environment": environment]
        if q["report"] != nil {
            guard let start = RFC3339.date(from), let end = RFC3339.date(to), start <= end else {
                throw ControlError(.badRequest, "from and to must be RFC 3339 times with from ≤ to")
            }
            let store = control.store
            let (records, total) = try await LedgerRoutes.ledger { () async throws(LedgerError) in
                (
                    try await DeployRecord.report(
                        store, environment: environment, from: start, to: end, limit: Self.reportRows),
                    try await DeployRecord.count(store, environment: environment, from: start, to: end)
                )
            }
            page["deploys"] = records.map(Self.reportRow)
            page["deployCount"] = total
            if total > records.count {
                page["reportTruncated"] =
                    "Showing the first \(records.count) of \(total); the full report with inclusion proofs is "
                    + "GET /api/v1/audit/deploys or `countersign audit deploys`."
            }
            page["sodViolations"] = records.filter { $0["separation_of_duties"]?["ok"] == .bool(false) }.count
            page["reportRan"] = true
        }
        return renderer.page(
            "audit", title: "Audit", section: "audit", session: session, context: page, started: started)
    }

    func auditCSV(
        _ request: Request, _ context: ServerRequestContext, _ session: WebSession, _ started: ContinuousClock.Instant
    )
        async throws -> Response
    {
        try session.principal.require(.auditor, .admin, to: "run audit queries")
        let sql = Self.query(request)["sql"] ?? ""
        guard !sql.isEmpty else { throw ControlError(.badRequest, "sql is required") }
        let store = control.store
        let result = try await LedgerRoutes.ledger { () async throws(LedgerError) in try await store.audit(sql) }
        var headers: HTTPFields = [
            .contentType: "text/csv; charset=utf-8",
            .contentDisposition: "attachment; filename=\"countersign-audit.csv\"",
            .cacheControl: "no-store",
        ]
        // A CSV has no place for a note: a cut result says so in a header.
        if let cut = result.truncation { headers[.init("Countersign-Truncated")!] = cut }
        return Response(
            status: .ok,
            headers: headers,
            body: .init(byteBuffer: ByteBuffer(string: result.csv)))
    }

    /// Deploys the report page lists; the API and CLI give the whole period.
    static let reportRows = 100

    static func reportRow(_ record: JSONValue) -> [String: Any] {
        let approvals = record["approvals"]?.arrayValue ?? []
        let sod = record["separation_of_duties"]
        return [
            "deploy": record["deploy_id"]?.stringValue ?? "", "service": record["service"]?.stringValue ?? "",
            "digest": record["digest"]?.stringValue ?? "",
            "digestShort": WebFormat.short(record["digest"]?.stringValue),
            "at": WebFormat.time(record["timestamp"]?.stringValue), "status": record["status"]?.stringValue ?? "",
            "requester": record["requested_by"]?.stringValue ?? "",
            "approvers": approvals.compactMap { $0["actor"]?.stringValue }.joined(separator: ", "),
            "tier": record["decision"]?["tier"]?.stringValue ?? "—",
            "checks": (record["checks_passed"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ", "),
            "sodOK": sod?["ok"] == .bool(true),
            "violations": (sod?["violations"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: "; "),
            "seq": record["ledger"]?["seq"]?.integerValue ?? 0,
        ]
    }
}
