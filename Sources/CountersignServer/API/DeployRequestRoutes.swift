public import CountersignControl
internal import CountersignCore
internal import CountersignEncoding
internal import CountersignLedger
internal import Foundation
public import Hummingbird
internal import NIOCore

/// `/api/v1/deploy-requests`: create, list, get, decide, review.
public struct DeployRequestRoutes: Sendable {
    let control: ControlPlane

    public init(control: ControlPlane) { self.control = control }

    struct ReviewBody: Decodable {
        enum Action: String, Decodable, CaseIterable {
            case approve, reject, withdraw

            /// What the action records.
            var state: Approval.State { Approval.State(action: rawValue)! }
        }
        var decision: Action
        var comment: String?
    }

    public func add(to group: RouterGroup<ServerRequestContext>) {
        group.post("deploy-requests") { request, context in
            let input = try await JSONBody.decode(DeployRequestInput.self, request)
            let status = try await control.requestDeploy(input, by: try context.caller())
            return try Self.response(status, status: .created)
        }
        group.get("deploy-requests") { request, context in
            _ = try context.caller()
            let query = request.uri.queryParameters
            var verdict: Decision.Verdict?
            if let raw = query["verdict"] {
                guard let v = Decision.Verdict(rawValue: String(raw)) else {
                    throw ControlError(
                        .badRequest, "verdict must be allowed, pending or denied", details: ["field": "verdict"])
                }
                verdict = v
            }
            let limit = try LedgerRoutes.integer(request, "limit", in: 1...500) ?? 50
            let rows = try await control.listRequests(
                environment: query["environment"].map(String.init), verdict: verdict, limit: limit)
            let items: [JSONValue] = rows.map(\.json)
            return JSONBody.response(.object([("items", .array(items))]))
        }
        group.get("deploy-requests/{id}") { _, context in
            _ = try context.caller()
            return try Self.response(try await control.deployRequest(id: try context.parameters.require("id")))
        }
        group.get("deploy-requests/{id}/decision") { _, context in
            _ = try context.caller()
            let body = try await control.latestDecisionJSON(try context.parameters.require("id"))
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
        group.post("deploy-requests/{id}/decide") { _, context in
            let caller = try context.caller()
            try caller.require(.deployer, .approver, .admin, to: "re-evaluate a decision")
            let decision = try await control.decide(id: try context.parameters.require("id"), by: caller.identity)
            return try JSONBody.response(decision)
        }
        group.post("deploy-requests/{id}/reviews") { request, context in
            let body = try await JSONBody.decode(ReviewBody.self, request)
            let result = try await control.review(
                id: try context.parameters.require("id"), state: body.decision.state, comment: body.comment,
                by: try context.caller())
            return try JSONBody.response(result)
        }
    }

    static func response(_ status: DeployRequestStatus, status code: HTTPResponse.Status = .ok) throws(ControlError)
        -> Response
    {
        var members: [(String, JSONValue)] = [
            ("request", try PayloadCoding.encode(status.request)), ("seq", .number(Double(status.seq))),
        ]
        members.append(
            ("decision", try status.decision.map { d throws(ControlError) in try PayloadCoding.encode(d) } ?? .null))
        return JSONBody.response(.object(members), status: code)
    }
}
