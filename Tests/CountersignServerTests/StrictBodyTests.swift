import CountersignEncoding
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// A request body is read one way only: what a reviewer's tool reads in it is what the gate decides on. Each of
/// these was accepted before the one strict reader (Foundation's decoder took the last of two duplicate keys and
/// rounded integers beyond 2^53); each must now be refused with 400, naming the problem, and append nothing.
@Suite struct StrictBodyTests {
    static let duplicateEnvironment = """
        {"service": "shop", "environment": "staging", "artifact": "registry.example.com/shop@\(ServerFixture.digest)",
         "change": {"commit": "0123456789abcdef0123456789abcdef01234567", "ref": "refs/heads/main",
                    "kind": "code", "reversible": true},
         "environment": "production"}
        """
    /// The same key twice, the second spelled with an escape: one key to a reader that decodes escapes first.
    static let escapedDuplicate = ServerFixture.requestBody().replacingOccurrences(
        of: #"{"service": "shop","#, with: #"{"service": "shop", "serv\u0069ce": "billing","#)
    static let duplicateInChange = ServerFixture.requestBody().replacingOccurrences(
        of: #""kind": "code","#, with: #""kind": "code", "kind": "config","#)
    static let inexactNumber = ServerFixture.requestBody().replacingOccurrences(
        of: #""number": 7"#, with: #""number": 9007199254740993"#)

    @Test(arguments: [
        (duplicateEnvironment, "duplicate key 'environment'"), (escapedDuplicate, "duplicate key 'service'"),
        (duplicateInChange, "duplicate key 'kind'"), (inexactNumber, "cannot be kept exactly"),
    ])
    func ambiguousBodiesAreRefusedAndAppendNothing(body: String, reason: String) async throws {
        let f = try await ServerFixture()
        try await f.application().test(.router) { client in
            let before = try await f.ledgerSize()
            let answer = try await client.call(.post, "/api/v1/deploy-requests", f.headers("deployer"), body)
            #expect(answer.status == .badRequest)
            let message = try apiError(answer).message
            #expect(message.contains(reason), "\(message)")
            #expect(try await f.ledgerSize() == before)
        }
    }

    @Test func bytesThatAreNotUTF8AreRefused() async throws {
        let f = try await ServerFixture()
        var bytes = Array(ServerFixture.requestBody().utf8)
        let at = try #require(bytes.firstIndex(of: UInt8(ascii: "h")))  // in "shop"
        bytes[at] = 0xC3  // a lead byte with no continuation
        let body = bytes
        try await f.application().test(.router) { client in
            let before = try await f.ledgerSize()
            let answer = try await client.execute(
                uri: "/api/v1/deploy-requests", method: .post, headers: f.headers("deployer"),
                body: ByteBuffer(bytes: body))
            #expect(answer.status == .badRequest)
            #expect(try apiError(answer).message.contains("not valid UTF-8"))
            #expect(try await f.ledgerSize() == before)
        }
    }

    /// The same holds for every body the API reads: a review decision given twice is refused, not taken as the
    /// last one.
    @Test func aReviewWithTwoDecisionsIsRefused() async throws {
        let f = try await ServerFixture()
        try await f.application().test(.router) { client in
            let created = try await client.call(
                .post, "/api/v1/deploy-requests", f.headers("deployer"), ServerFixture.requestBody())
            let id = try #require((try object(created)["request"] as? [String: Any])?["id"] as? String)
            let before = try await f.ledgerSize()
            let answer = try await client.call(
                .post, "/api/v1/deploy-requests/\(id)/reviews", f.headers("alice"),
                #"{"decision": "reject", "decision": "approve"}"#)
            #expect(answer.status == .badRequest)
            #expect(try await f.ledgerSize() == before)
        }
    }
}
