internal import CountersignControl
internal import CountersignEncoding
internal import CountersignLedger
internal import Foundation
internal import Hummingbird
internal import Logging
internal import NIOCore
internal import Synchronization

/// `Idempotency-Key` on every `POST` of the API (the IETF httpapi draft's semantics): a request retried with the
/// key it was first sent with gets the first answer again and appends nothing.
///
/// The key is claimed by an `idempotency.claimed` entry in the same batch as the operation's first entries
/// (``ControlPlane/record(_:)-(EntryBatch)``), so the claim and the operation are recorded together or not at all —
/// a crash in between cannot leave an operation whose retry runs it again — and the claim's primary key refuses a
/// second operation under the same key, from this node or another. The answer is recorded after it is given
/// (`idempotency.answered`). Keys are scoped to the caller and the route: one client's key never answers another's
/// request.
///
/// - A retry with the key and the same body: the recorded status and body, with `Idempotent-Replayed: true`.
/// - The key with a different body: 422.
/// - The key while its first request is still running, or after its answer was lost to a crash before it was
///   recorded: 409 (the operation itself is on the ledger; read it there).
/// - A request that recorded nothing (refused before any append) claims nothing: a retry runs again, which appends
///   nothing either.
/// - `POST /tokens` refuses a key: its answer holds a token secret, which is never stored.
struct IdempotencyMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext
    let control: ControlPlane

    static let header = "Idempotency-Key"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        guard request.method == .post, let key = request.headers[.init(Self.header)!] else {
            return try await next(request, context)
        }
        guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw ControlError(
                .badRequest, "Idempotency-Key must be 1 to 255 visible ASCII characters",
                details: ["header": "Idempotency-Key"])
        }
        let path = request.uri.path
        guard !path.hasSuffix("/tokens") else {
            throw ControlError(
                .badRequest, "POST \(path) takes no Idempotency-Key: its answer holds a secret that is never stored",
                details: ["header": "Idempotency-Key"])
        }
        let caller = try context.caller()
        let body = try await JSONBody.bytes(request)
        let scope = Hex.sha256(Array("\(caller.identity)\n\(path)\n\(key)".utf8))
        let fingerprint = Hex.sha256(body)
        if let claimed = try await control.read({ r throws(LedgerError) in try await r.idempotencyKey(scope: scope) }) {
            return try Self.replay(claimed, fingerprint: fingerprint)
        }
        let claim = IdempotencyClaim(scope: scope, fingerprint: fingerprint, operation: "POST \(path)")
        var retried = request
        retried.body = .init(buffer: ByteBuffer(bytes: body))
        let response: Response
        do {
            response = try await IdempotencyClaim.$current.withValue(claim) { try await next(retried, context) }
        } catch let error as ControlError {
            if claim.isTaken { await answer(claim, status: error.status, body: error.body, context: context) }
            throw error
        }
        guard claim.isTaken else { return response }
        let collected = BodyCollector.Bytes()
        try await response.body.write(BodyCollector(into: collected))
        await answer(claim, status: response.status, body: collected.bytes, context: context)
        return Response(
            status: response.status, headers: response.headers,
            body: .init(byteBuffer: ByteBuffer(bytes: collected.bytes)))
    }

    /// Records the answer; a failure to record it is not the caller's failure (the operation is done), so it is
    /// logged and a retry gets 409.
    func answer(_ claim: IdempotencyClaim, status: HTTPResponse.Status, body: [UInt8], context: Context) async {
        do {
            try await control.record(
                IdempotencyAnswered(
                    scope: claim.scope, status: status.code, body: String(decoding: body, as: UTF8.self)),
                actor: "countersign")
        } catch {
            context.logger.warning("the answer to an idempotent request could not be recorded: \(error.message)")
        }
    }

    static func replay(_ claimed: ReadModel.IdempotencyKey, fingerprint: String) throws -> Response {
        guard claimed.fingerprint == fingerprint else {
            throw ControlError(
                .unprocessable, "this Idempotency-Key was first used with a different body",
                details: ["header": "Idempotency-Key"])
        }
        guard let status = claimed.status, let body = claimed.body else {
            throw ControlError(
                .conflict,
                "a request with this Idempotency-Key is still running, or its answer was lost before it was recorded; "
                    + "what it did is on the ledger", details: ["header": "Idempotency-Key"])
        }
        return Response(
            status: HTTPResponse.Status(code: Int(status)),
            headers: [.contentType: "application/json", .init("Idempotent-Replayed")!: "true"],
            body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

/// A response body written into memory, to record and send it.
private struct BodyCollector: ResponseBodyWriter {
    /// Where the bytes go: the writer is consumed by the body it writes.
    final class Bytes { var bytes: [UInt8] = [] }
    let into: Bytes

    mutating func write(_ buffer: ByteBuffer) async throws { into.bytes += buffer.readableBytesView }
    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
