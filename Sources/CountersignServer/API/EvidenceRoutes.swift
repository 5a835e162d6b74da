internal import CountersignCanary
public import CountersignControl
internal import CountersignCore
internal import CountersignEncoding
internal import CountersignLedger
public import CountersignSupplyChain
internal import Foundation
public import Hummingbird

/// `/api/v1/break-glass`, `/api/v1/incidents`, `/api/v1/artifacts`, `/api/v1/canary/judgements` and the audit
/// reports (`/api/v1/audit/deploys`, `/api/v1/audit/evidence-pack`).
public struct EvidenceRoutes: Sendable {
    let control: ControlPlane
    let verifier: RegistryVerifier?

    public init(control: ControlPlane, verifier: RegistryVerifier? = nil) {
        self.control = control
        self.verifier = verifier
    }

    struct BreakGlassBody: Decodable {
        var freeze: String
        var environment: String
        var service: String?
        var reason: String?
        var incident: String?
        /// Seconds.
        var duration: Double
    }

    struct ReviewBody: Decodable {
        var outcome: String
        var notes: String?
    }

    struct IncidentBody: Decodable {
        var title: String
        var severity: String?
        var deploys: [String]?
    }

    struct ArtifactBody: Decodable {
        var reference: String
        /// The commit the artifact was built from, and its repository.
        var commit: String?
        var repository: String?
    }

    public func add(to group: RouterGroup<ServerRequestContext>) {
        group.post("break-glass") { request, context in
            let caller = try context.caller()
            try caller.require(.deployer, .approver, .admin, to: "break glass")
            let body = try await JSONBody.decode(BreakGlassBody.self, request)
            let grant = try await control.breakGlass(
                freeze: body.freeze, environment: body.environment, service: body.service, reason: body.reason,
                incident: body.incident, duration: body.duration, by: caller)
            return try JSONBody.response(grant, status: .created)
        }
        group.get("break-glass") { _, context in
            _ = try context.caller()
            return Self.items(
                try await control.read({ r throws(LedgerError) in try await r.grants(limit: 500) }).map(\.json))
        }
        group.post("break-glass/{id}/reviews") { request, context in
            let caller = try context.caller()
            let body = try await JSONBody.decode(ReviewBody.self, request)
            try await control.reviewBreakGlass(
                id: try context.parameters.require("id"), outcome: body.outcome, notes: body.notes, by: caller)
            return Response(status: .noContent)
        }
        group.post("incidents") { request, context in
            let caller = try context.caller()
            try caller.require(.deployer, .approver, .admin, to: "open incidents")
            let body = try await JSONBody.decode(IncidentBody.self, request)
            let id = try await control.openIncident(
                title: body.title, severity: body.severity, deploys: body.deploys ?? [], by: caller)
            return JSONBody.response(.object([("id", .string(id))]), status: .created)
        }
        group.post("incidents/{id}/resolve") { _, context in
            let caller = try context.caller()
            try caller.require(.deployer, .approver, .admin, to: "resolve incidents")
            try await control.resolveIncident(id: try context.parameters.require("id"), by: caller)
            return Response(status: .noContent)
        }
        group.get("incidents") { _, context in
            _ = try context.caller()
            return Self.items(
                try await control.read({ r throws(LedgerError) in try await r.incidents(limit: 500) }).map(\.json))
        }
        group.post("artifacts") { request, context in
            let body = try await JSONBody.decode(ArtifactBody.self, request)
            let digest = try await control.registerArtifact(
                reference: body.reference, commit: body.commit, repository: body.repository, by: try context.caller())
            var fields: [(String, JSONValue)] = [("digest", .string(digest)), ("reference", .string(body.reference))]
            if let commit = body.commit { fields.append(("commit", .string(commit.lowercased()))) }
            if let repository = body.repository { fields.append(("repository", .string(repository))) }
            return JSONBody.response(.object(fields), status: .created)
        }
        group.post("artifacts/verify") { request, context in
            guard let verifier else {
                throw ControlError(
                    .notFound, "this server verifies no artifacts (start it with a policy that has ArtifactPolicies)")
            }
            let body = try await JSONBody.decode(ArtifactBody.self, request)
            let results = try await control.verifyArtifact(body.reference, with: verifier, by: try context.caller())
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: .init(string: "[" + results.map(\.json).joined(separator: ",") + "]")))
        }
        group.get("canary/verdict") { request, context in
            _ = try context.caller()
            let q = request.uri.queryParameters
            guard let digest = q["digest"].map(String.init), let template = q["template"].map(String.init) else {
                throw ControlError(.badRequest, "digest and template are required", details: ["field": "digest"])
            }
            // Argo's web provider asks for the environment it rolls out to: a verdict judged elsewhere is not its.
            let environment = q["environment"].map { Names.canonical(String($0)) }
            guard
                let verdict = try await control.read({ r throws(LedgerError) in
                    try await r.canaryVerdicts(digest: digest, template: template, environment: environment, limit: 1)
                        .first
                })
            else {
                throw ControlError(
                    .notFound,
                    "no canary verdict for \(digest) under \(template)\(environment.map { " in \($0)" } ?? "")")
            }
            return JSONBody.response(
                .object([
                    ("id", .string(verdict.id)), ("outcome", .string(verdict.outcome.rawValue)),
                    ("score", verdict.score.map(JSONValue.number) ?? .null), ("at", .string(verdict.at)),
                    ("digest", .string(digest)), ("template", .string(template)),
                    ("environment", verdict.environment.map(JSONValue.string) ?? .null),
                ]))
        }
        group.post("canary/judgements") { request, context in
            let input = try await JSONBody.decode(CanaryJudgementInput.self, request)
            let judgement = try await control.judgeCanary(input, by: try context.caller())
            return Response(
                status: .created, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: .init(bytes: judgement.json.canonicalBytes)))
        }
        group.get("canary/judgements") { _, context in
            _ = try context.caller()
            return Self.items(
                try await control.read({ r throws(LedgerError) in try await r.canaryVerdicts(limit: 500) }).map(\.json))
        }
        group.get("audit/deploys") { request, context in
            try context.caller().require(.auditor, .admin, to: "read deploy reports")
            let (environment, from, to) = try Self.period(request)
            let records = try await LedgerRoutes.ledger { () async throws(LedgerError) in
                try await DeployRecord.report(control.store, environment: environment, from: from, to: to)
            }
            return JSONBody.response(.object([("deploys", .array(records))]))
        }
        group.get("audit/evidence-pack") { request, context in
            try context.caller().require(.auditor, .admin, to: "export evidence packs")
            let (_, from, to) = try Self.period(request, needsEnvironment: false)
            let pack = try await LedgerRoutes.ledger { () async throws(LedgerError) in
                try await EvidencePack.export(control.store, from: from, to: to)
            }
            return JSONBody.response(
                .object([
                    ("checkpoint", .string(pack.checkpoint)),
                    ("entries", .array(pack.entries.map(JSONValue.string))),
                    ("proofs", .array(pack.proofs.map(\.json))),
                ]))
        }
    }

    /// `environment`, `from` and `to` (RFC 3339) from the query.
    static func period(_ request: Request, needsEnvironment: Bool = true) throws(ControlError) -> (String, Date, Date) {
        let q = request.uri.queryParameters
        let environment = q["environment"].map(String.init) ?? ""
        if needsEnvironment && environment.isEmpty {
            throw ControlError(.badRequest, "environment is required", details: ["field": "environment"])
        }
        guard let from = q["from"].flatMap({ RFC3339.date(String($0)) }),
            let to = q["to"].flatMap({ RFC3339.date(String($0)) }), from <= to
        else {
            throw ControlError(.badRequest, "from and to must be RFC 3339 times, from ≤ to", details: ["field": "from"])
        }
        return (environment, from, to)
    }

    /// A projection as `{"items": [{column: value}]}`, newest first, at most 500.
    /// A list answer: `{"items": […]}`, newest first, at most 500.
    static func items(_ items: [JSONValue]) -> Response {
        JSONBody.response(.object([("items", .array(items))]))
    }
}
