import CountersignControl
import CountersignEncoding
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import CountersignServer

/// The server's one code → status map and the one error body, over every code the control layer has.
@Suite struct ControlErrorHTTPTests {
    @Test func everyCodeHasItsOwnErrorStatus() {
        let statuses = ControlError.Code.all.map(\.status.code)
        #expect(Set(statuses).count == ControlError.Code.all.count, "\(statuses)")
        #expect(statuses.allSatisfy { (400...599).contains($0) })
        #expect(ControlError.Code.unavailable.status == .serviceUnavailable)
        #expect(ControlError.Code.internal.status == .internalServerError)
    }

    /// The body names the code and the reason; where the error was raised stays in the server's logs.
    @Test func theBodyHasTheOneShapeAndNoSourceLocation() throws {
        let error = ControlError(
            .forbidden, "bob may not review this request", details: ["rule": "separation-of-duties"])
        let body = try JSONValue(parsing: error.body)
        #expect(
            body
                == .object([
                    "error": .object([
                        "code": "forbidden", "message": "bob may not review this request",
                        "details": .object(["rule": "separation-of-duties"]),
                    ])
                ]))
        let text = String(decoding: error.body, as: UTF8.self)
        #expect(!text.contains(error.file) && !text.contains("ControlErrorHTTPTests"))
    }

    /// Through the router: an unauthenticated call is 401 with the challenge, an unknown request 404.
    @Test func theRouterAnswersWithTheMappedStatus() async throws {
        let f = try await ServerFixture()
        try await f.application().test(.router) { client in
            let anonymous = try await client.call(.get, "/api/v1/deploy-requests", [:], nil)
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.headers[.wwwAuthenticate] == "Bearer realm=\"countersign\"")
            #expect(try apiError(anonymous).code == "unauthenticated")
            let unknown = try await client.call(.get, "/api/v1/deploy-requests/dr_none", f.headers("auditor"))
            #expect(unknown.status == .notFound)
            #expect(try apiError(unknown).code == "not_found")
        }
    }
}
