public import CountersignCore
internal import CountersignEncoding
public import CountersignLedger
internal import Foundation

extension ControlPlane {
    /// Records that the deploy of request `id` began (`deploy.started`), for any CI that carries deploys out: the
    /// deploy records, DORA and approval→incident correlation read it.
    ///
    /// Only the deployer the request names, holding the deployer role, starts it; and only while the request is
    /// allowed *now* — it is decided again first, so a freeze that began or an approval that expired since the last
    /// decision stops the deploy here rather than being recorded as authorised. `deploy` is the CI's own id for it
    /// (letters, digits and `. _ : -`, at most 128), or one is made.
    public func startDeploy(request id: String, deploy: String?, by principal: Principal) async throws(ControlError)
        -> ReadModel.RecordedDeploy
    {
        try principal.require(.deployer, to: "record deploys")
        let deployID = deploy ?? Self.newID("dep_")
        guard Self.isDeployID(deployID) else {
            throw ControlError(
                .badRequest, "id must be 1–128 letters, digits and . _ : - characters", details: ["field": "id"])
        }
        // `gh-…` names GitHub's deployments, whose statuses finish the deploy of that id: a CI's deploy under such a
        // name would be ended by someone else's deployment.
        guard !deployID.lowercased().hasPrefix("gh-") else {
            throw ControlError(.badRequest, "ids beginning gh- are GitHub's deployments", details: ["field": "id"])
        }
        let status = try await deployRequest(id: id)
        let request = status.request
        guard policy.bundle.canonical(principal.identity) == policy.bundle.canonical(request.deployer) else {
            throw ControlError(
                .forbidden,
                "request \(id) names \(request.deployer) as its deployer; \(principal.identity) may not deploy it")
        }
        let decision = try await decide(status, by: principal.identity)
        guard decision.verdict == .allowed else {
            throw ControlError(
                .conflict,
                "request \(id) is \(decision.verdict.rawValue), not allowed: "
                    + decision.reasons.joined(separator: "; "),
                details: ["verdict": decision.verdict.rawValue])
        }
        if try await read({ r throws(LedgerError) in try await r.deployExists(id: deployID) }) {
            throw ControlError(.conflict, "deploy \(deployID) is already recorded")
        }
        let digest: String
        do { digest = try ArtifactReference(parsing: request.artifact).digest } catch {
            throw ControlError(.conflict, "request \(id)'s artifact is not pinned by digest")
        }
        try await record(
            DeployStarted(
                id: deployID, request: id, environment: request.environment, service: request.service,
                digest: digest),
            actor: principal.identity)
        return try await recordedDeploy(deployID)
    }

    /// Records how a started deploy ended: `deploy.succeeded`, `deploy.failed` or `deploy.rolled_back`, once, by
    /// whoever started it.
    public func finishDeploy(id: String, outcome: DeployFinished.Outcome, by principal: Principal)
        async throws(ControlError) -> ReadModel.RecordedDeploy
    {
        try principal.require(.deployer, to: "record deploys")
        let deploy = try await recordedDeploy(id)
        guard deploy.startedBy == principal.identity else {
            throw ControlError(
                .forbidden, "deploy \(id) was started by \(deploy.startedBy); \(principal.identity) may not finish it")
        }
        guard deploy.status == "started" else {
            throw ControlError(.conflict, "deploy \(id) already ended: \(deploy.status)")
        }
        try await record(DeployFinished(outcome, id: id), actor: principal.identity)
        return try await recordedDeploy(id)
    }

    /// Deploy `id` as recorded, or `notFound`.
    public func recordedDeploy(_ id: String) async throws(ControlError) -> ReadModel.RecordedDeploy {
        guard let deploy = try await read({ r throws(LedgerError) in try await r.deploy(id: id) }) else {
            throw ControlError(.notFound, "no deploy with id \(id)")
        }
        return deploy
    }

    static func isDeployID(_ id: String) -> Bool {
        (1...128).contains(id.utf8.count)
            && id.utf8.allSatisfy { b in
                (0x30...0x39).contains(b) || (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) || b == 0x2E
                    || b == 0x5F || b == 0x3A || b == 0x2D
            }
    }
}
