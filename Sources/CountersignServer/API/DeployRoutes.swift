public import CountersignControl
internal import CountersignEncoding
internal import CountersignLedger
internal import Foundation
public import Hummingbird

/// `/api/v1/deploys`: any CI records the deploys it carries out — started for an allowed request, then how it
/// ended — so deploy records, DORA and approval→incident correlation see them (GitHub's deployment statuses arrive
/// through its webhook instead).
public struct DeployRoutes: Sendable {
    let control: ControlPlane

    public init(control: ControlPlane) { self.control = control }

    struct StartBody: Decodable {
        var request: String
        var id: String?
    }

    struct FinishBody: Decodable {
        var outcome: String
    }

    public func add(to group: RouterGroup<ServerRequestContext>) {
        group.post("deploys") { request, context in
            let body = try await JSONBody.decode(StartBody.self, request)
            let deploy = try await control.startDeploy(request: body.request, deploy: body.id, by: try context.caller())
            return JSONBody.response(deploy.json, status: .created)
        }
        group.get("deploys/{id}") { _, context in
            _ = try context.caller()
            return JSONBody.response(try await control.recordedDeploy(try context.parameters.require("id")).json)
        }
        group.post("deploys/{id}/finish") { request, context in
            let body = try await JSONBody.decode(FinishBody.self, request)
            guard let outcome = DeployFinished.Outcome(rawValue: body.outcome) else {
                throw ControlError(
                    .badRequest, "outcome must be succeeded, failed or rolled_back", details: ["field": "outcome"])
            }
            let deploy = try await control.finishDeploy(
                id: try context.parameters.require("id"), outcome: outcome, by: try context.caller())
            return JSONBody.response(deploy.json)
        }
    }
}
