public import CountersignControl
internal import CountersignCore
internal import CountersignEncoding
internal import CountersignLedger
public import Hummingbird

/// `/api/v1/policy`: the policy in force, proposals of the policy file, their plans, and their approval by a
/// different person naming the plan they read.
public struct PolicyRoutes: Sendable {
    let control: ControlPlane

    struct ApproveBody: Decodable { var plan: String }

    public init(control: ControlPlane) { self.control = control }

    public func add(to group: RouterGroup<ServerRequestContext>) {
        group.get("policy") { _, context in
            _ = try context.caller()
            let bundle = control.policy.bundle
            return JSONBody.response(
                .object([
                    ("hash", .string(bundle.hash)),
                    ("environments", .array(bundle.environments.keys.sorted().map(JSONValue.string))),
                    ("tiers", .array(bundle.tiers.map { .string($0.name) })),
                ]))
        }
        group.post("policy/proposals") { _, context in
            let caller = try context.caller()
            let hash = try await control.proposePolicy(by: caller)
            return JSONBody.response(.object([("hash", .string(hash))]), status: .created)
        }
        group.get("policy/proposals/{hash}") { _, context in
            try context.caller().require(.admin, .auditor, to: "read policy plans")
            return JSONBody.response(try await control.policyPlan(hash: try context.parameters.require("hash")).json)
        }
        group.post("policy/proposals/{hash}/approve") { request, context in
            let body = try await JSONBody.decode(ApproveBody.self, request)
            let bundle = try await control.approvePolicy(
                hash: try context.parameters.require("hash"), plan: body.plan, by: try context.caller())
            return JSONBody.response(.object([("hash", .string(bundle.hash))]))
        }
    }
}
