import CountersignEncoding
import CountersignLedger
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import CountersignControl
@testable import CountersignServer

/// `Idempotency-Key` on POST: a retry gets the first answer and appends nothing; a reused key with another body,
/// another caller's key, a concurrent duplicate and a claim whose answer was lost are each handled as the IETF
/// httpapi draft says.
@Suite struct IdempotencyTests {
    static func headers(_ f: ServerFixture, _ who: String, key: String) -> HTTPFields {
        var h = f.headers(who)
        h[HTTPField.Name("Idempotency-Key")!] = key
        return h
    }

    @Test func aRetryGetsTheFirstAnswerAndAppendsNothing() async throws {
        let f = try await ServerFixture()
        try await f.application().test(.router) { client in
            let h = Self.headers(f, "deployer", key: "deploy-7f3a")
            let before = try await f.ledgerSize()
            let first = try await client.call(.post, "/api/v1/deploy-requests", h, ServerFixture.requestBody())
            #expect(first.status == .created)
            let written = try await f.control.store.entries(from: before, count: 10).map(\.type.rawValue)
            // The claim is in the operation's batch, first; the answer after it.
            #expect(
                Array(written.prefix(3)) == ["idempotency.claimed", "deploy.requested", "gate.decided"], "\(written)")
            #expect(written.last == "idempotency.answered")
            let after = try await f.ledgerSize()
            for _ in 0..<3 {
                let again = try await client.call(.post, "/api/v1/deploy-requests", h, ServerFixture.requestBody())
                #expect(again.status == .created)
                #expect(again.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
                #expect(Array(again.body.readableBytesView) == Array(first.body.readableBytesView))
            }
            #expect(try await f.ledgerSize() == after, "a retry appended")
            // Without the key, the same body is a new request.
            let fresh = try await client.call(
                .post, "/api/v1/deploy-requests", f.headers("deployer"), ServerFixture.requestBody())
            #expect(fresh.status == .created && fresh.headers[HTTPField.Name("Idempotent-Replayed")!] == nil)
        }
    }

    @Test func aReusedKeyWithAnotherBodyIs422() async throws {
        let f = try await ServerFixture()
        try await f.application().test(.router) { client in
            let h = Self.headers(f, "deployer", key: "k1")
            _ = try await client.call(.post, "/api/v1/deploy-requests", h, ServerFixture.requestBody())
            let before = try await f.ledgerSize()
            let other = try await client.call(
                .post, "/api/v1/deploy-requests", h, ServerFixture.requestBody(environment: "staging"))
            #expect(other.status == .unprocessableContent)
            #expect(try apiError(other).code == "unprocessable")
            #expect(try await f.ledgerSize() == before)
        }
    }

    /// One caller's key never answers another's request, nor the same key on another route.
    @Test func keysAreScopedToTheCallerAndTheRoute() async throws {
        let f = try await ServerFixture()
        try await f.application().test(.router) { client in
            let created = try await client.call(
                .post, "/api/v1/deploy-requests", f.headers("deployer"), ServerFixture.requestBody())
            let id = try #require((try object(created)["request"] as? [String: Any])?["id"] as? String)
            let byAlice = try await client.call(
                .post, "/api/v1/deploy-requests/\(id)/reviews", Self.headers(f, "alice", key: "same"),
                #"{"decision": "approve"}"#)
            #expect(byAlice.status == .ok)
            // bob is refused by separation of duties: his answer is his own, not alice's replayed.
            let byBob = try await client.call(
                .post, "/api/v1/deploy-requests/\(id)/reviews", Self.headers(f, "bob", key: "same"),
                #"{"decision": "approve"}"#)
            #expect(byBob.status == .forbidden && byBob.headers[HTTPField.Name("Idempotent-Replayed")!] == nil)
            let check = try await client.call(
                .post, "/api/v1/checks", Self.headers(f, "builder", key: "same"),
                #"{"digest": "\#(ServerFixture.digest)", "name": "unit", "status": "passed"}"#)
            #expect(check.status == .created)
            // And a refusal is an answer too: bob's retry gets the same 403 and records no second refusal.
            let before = try await f.ledgerSize()
            let retried = try await client.call(
                .post, "/api/v1/deploy-requests/\(id)/reviews", Self.headers(f, "bob", key: "same"),
                #"{"decision": "approve"}"#)
            #expect(retried.status == .forbidden && retried.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            #expect(try await f.ledgerSize() == before)
        }
    }

    @Test func concurrentDuplicatesRecordOneOperation() async throws {
        let f = try await ServerFixture()
        try await f.application().test(.router) { client in
            let h = Self.headers(f, "deployer", key: "burst")
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await client.call(.post, "/api/v1/deploy-requests", h, ServerFixture.requestBody()).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == .created || $0 == .conflict }, "\(statuses)")
            let all = try await f.control.store.entries(from: 0, count: 1_000)
            #expect(all.filter { $0.type.rawValue == "deploy.requested" }.count == 1)
            #expect(all.filter { $0.type.rawValue == "idempotency.claimed" }.count == 1)
        }
    }

    /// A claim whose answer was never recorded (the process died between the two): the operation is on the ledger,
    /// so a retry must not run it again.
    @Test func aClaimWithoutAnAnswerIs409() async throws {
        let f = try await ServerFixture()
        let scope = Hex.sha256(Array("deploy-bot\n/api/v1/deploy-requests\nlost".utf8))
        try await f.control.record(
            IdempotencyClaimed(
                scope: scope, fingerprint: Hex.sha256(Array(ServerFixture.requestBody().utf8)),
                operation: "POST /api/v1/deploy-requests"),
            actor: "countersign")
        try await f.application().test(.router) { client in
            let before = try await f.ledgerSize()
            let retry = try await client.call(
                .post, "/api/v1/deploy-requests", Self.headers(f, "deployer", key: "lost"), ServerFixture.requestBody())
            #expect(retry.status == .conflict)
            #expect(try await f.ledgerSize() == before)
        }
    }

    @Test(arguments: ["", String(repeating: "k", count: 256), "naïve", "a b"])
    func malformedKeysAre400(key: String) async throws {
        let f = try await ServerFixture()
        try await f.application().test(.router) { client in
            var h = f.headers("deployer")
            h[HTTPField.Name("Idempotency-Key")!] = key
            let answer = try await client.call(.post, "/api/v1/deploy-requests", h, ServerFixture.requestBody())
            #expect(answer.status == .badRequest)
        }
    }

    @Test func tokenCreationTakesNoKey() async throws {
        let f = try await ServerFixture()
        try await f.application().test(.router) { client in
            let answer = try await client.call(
                .post, "/api/v1/tokens", Self.headers(f, "admin", key: "t1"),
                #"{"identity": "ci", "role": "builder"}"#)
            #expect(answer.status == .badRequest)
            #expect(try apiError(answer).message.contains("never stored"))
        }
    }
}
