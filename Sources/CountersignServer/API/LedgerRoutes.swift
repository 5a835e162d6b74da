public import CountersignControl
internal import CountersignCore
internal import CountersignEncoding
public import CountersignLedger
internal import Foundation
public import Hummingbird

/// `/api/v1/ledger` (entries, proofs, checkpoints) and `/api/v1/audit` (read-only SQL, deploy records): the audit
/// as a query, for any authenticated caller except where noted.
public struct LedgerRoutes: Sendable {
    let control: ControlPlane
    /// Signs (and publishes) checkpoints; without one, `POST /ledger/checkpoint` answers 404 with the reason.
    let checkpoints: CheckpointSigner?

    public init(control: ControlPlane, checkpoints: CheckpointSigner?) {
        self.control = control
        self.checkpoints = checkpoints
    }

    struct QueryBody: Decodable { var sql: String }

    public func add(to group: RouterGroup<ServerRequestContext>) {
        let store = control.store
        group.get("ledger/entries") { request, context in
            _ = try context.caller()
            let from = try Self.integer(request, "from") ?? 0
            let count = try Self.integer(request, "count", in: 1...1000) ?? 100
            let entries = try await Self.ledger { () async throws(LedgerError) in
                try await store.entries(from: from, count: count)
            }
            let size = try await Self.ledger { () async throws(LedgerError) in try await store.size() }
            return JSONBody.response(
                .object([("size", .number(Double(size))), ("entries", .array(entries.map(\.json)))]))
        }
        group.get("ledger/proofs/inclusion") { request, context in
            _ = try context.caller()
            guard let seq = try Self.integer(request, "seq") else {
                throw ControlError(.badRequest, "seq is required", details: ["field": "seq"])
            }
            let size = try Self.integer(request, "size")
            return JSONBody.response(
                try await Self.ledger { () async throws(LedgerError) in
                    try await store.inclusionProof(seq: seq, size: size)
                }.json)
        }
        group.get("ledger/proofs/consistency") { request, context in
            _ = try context.caller()
            guard let from = try Self.integer(request, "from"), let to = try Self.integer(request, "to") else {
                throw ControlError(.badRequest, "from and to are required", details: ["field": "from"])
            }
            return JSONBody.response(
                try await Self.ledger { () async throws(LedgerError) in
                    try await store.consistencyProof(from: from, to: to)
                }.json)
        }
        group.get("ledger/checkpoint") { _, context in
            _ = try context.caller()
            guard
                let note = try await Self.ledger({ () async throws(LedgerError) in try await store.latestCheckpoint() })
            else {
                throw ControlError(.notFound, "no checkpoint has been signed yet")
            }
            return Self.note(note)
        }
        group.post("ledger/checkpoint") { _, context in
            try context.caller().require(.admin, to: "sign checkpoints")
            guard let checkpoints else {
                throw ControlError(.notFound, "this server signs no checkpoints (start it with --checkpoint-key)")
            }
            return Self.note(try await checkpoints.sign())
        }
        group.post("audit/query") { request, context in
            try context.caller().require(.auditor, .admin, to: "run audit queries")
            let body = try await JSONBody.decode(QueryBody.self, request)
            let result = try await Self.ledger { () async throws(LedgerError) in try await store.audit(body.sql) }
            return JSONBody.response(
                .object([
                    ("columns", .array(result.columns.map(JSONValue.string))),
                    ("rows", .array(result.rows.map { .array($0.map(\.json)) })),
                    ("truncated", result.truncation.map(JSONValue.string) ?? .null),
                ]))
        }
    }

    static func note(_ note: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: .init(string: note)))
    }

    /// An integer query parameter within `range`, or nil when absent: the server's one reader of numbers in a
    /// query, so none reaches arithmetic unbounded (a `limit` of 2^62 once trapped a page computation).
    static func integer(_ request: Request, _ name: String, in range: ClosedRange<Int> = 0...Int.max)
        throws(ControlError) -> Int?
    {
        guard let raw = request.uri.queryParameters[name[...]] else { return nil }
        guard let n = Int(String(raw)), range.contains(n) else {
            let expected =
                range.upperBound == Int.max
                ? (range.lowerBound == 0 ? "a non-negative integer" : "an integer ≥ \(range.lowerBound)")
                : "an integer from \(range.lowerBound) to \(range.upperBound)"
            throw ControlError(.badRequest, "\(name) must be \(expected)", details: ["field": name])
        }
        return n
    }

    static func ledger<T>(_ body: () async throws(LedgerError) -> T) async throws(ControlError) -> T {
        do { return try await body() } catch { throw ControlError(ledger: error) }
    }
}
