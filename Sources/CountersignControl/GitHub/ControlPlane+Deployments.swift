internal import CountersignCore
internal import CountersignEncoding
internal import CountersignLedger
internal import Foundation

extension ControlPlane {
    /// `deployment_protection_rule` (requested): GitHub asks whether this run may deploy to an environment.
    ///
    /// The artifact is the build of the deployment's commit in its repository (``build(of:commit:named:)``): what a
    /// builder registered or provenance verified, which `payload.artifact` may pick among but never add to; a run
    /// with no such build is rejected with the reason, since a commit is not an artifact. The change evidence is what earlier `pull_request` deliveries recorded for the
    /// commit; when there is none the change counts as irreversible code, the strictest reading. The callback URL
    /// must be a protection-rule callback of the configured API (`deploymentCallback`), so a forged delivery cannot
    /// redirect the token.
    func protectionRule(_ payload: JSONValue, _ github: GitHubConfiguration) async throws(ControlError) -> String {
        guard payload["action"]?.stringValue == "requested" else { return "ignored action" }
        guard let environment = payload["environment"]?.stringValue,
            let given = payload["deployment_callback_url"]?.stringValue
        else {
            throw ControlError(
                .badRequest, "deployment_protection_rule: missing environment or deployment_callback_url")
        }
        guard let callback = github.deploymentCallback(given) else {
            throw ControlError(
                .badRequest,
                "deployment_callback_url \(given) is not a protection-rule callback of the configured GitHub API \(github.apiBaseURL)"
            )
        }
        let deployment = payload["deployment"]
        guard let commit = deployment?["sha"]?.stringValue ?? payload["sha"]?.stringValue else {
            throw ControlError(.badRequest, "deployment_protection_rule: no deployment.sha or sha")
        }
        var ref = deployment?["ref"]?.stringValue ?? payload["ref"]?.stringValue ?? ""
        if !ref.hasPrefix("refs/") { ref = "refs/heads/" + ref }
        let repository = payload["repository"]?["full_name"]?.stringValue ?? ""
        let service = payload["repository"]?["name"]?.stringValue ?? repository
        let sender = payload["sender"]?["login"]?.stringValue ?? "github"
        let bundle = policy.bundle
        let origin = DeployRequested.GitHubOrigin(
            callback: callback, environment: environment, repository: repository,
            run: payload["workflow_run"]?["id"], installation: payload["installation"]?["id"])
        func reject(_ reason: String) async throws(ControlError) -> String {
            var batch = EntryBatch()
            try queue(
                kind: .githubCallback, target: callback,
                body: .object([
                    ("environment_name", .string(environment)), ("state", .string("rejected")),
                    ("comment", .string("Countersign: rejected — \(reason)")),
                ]), request: nil, into: &batch)
            try await record(batch)
            return "rejected: \(reason)"
        }
        guard bundle.environments[environment] != nil else {
            return try await reject("environment \(environment) is not defined in the Countersign policy")
        }
        let artifact: String
        switch try await build(
            of: repository, commit: commit, named: deployment?["payload"]?["artifact"]?.stringValue)
        {
        case .artifact(let reference): artifact = reference
        case .refused(let reason): return try await reject(reason)
        }
        // GitHub's record of the commit, read again where its API is configured (a failed read leaves the request
        // waiting for the record, which the pull request's next delivery brings). The ref is the one being
        // deployed, whatever branch the pull request came from.
        if Change.isCommitID(commit), Self.isRepositoryName(repository) {
            _ = try? await readChangeFacts(repository: repository, commit: commit)
        }
        var change =
            try await storedChange(commit: commit)
            ?? Change(commit: commit, ref: ref, kind: "code", reversible: false, labels: [])
        change.ref = ref
        change.repository = repository
        let request = DeployRequest(
            id: Self.newID("dr_"), service: service,
            environment: environment, artifact: artifact, change: change, requester: bundle.canonical(sender),
            deployer: github.deployer ?? bundle.canonical(sender), refSource: .github)
        let status = try await record(DeployRequested(request, github: origin), by: "github")
        return "request \(request.id): \(status.decision?.verdict.rawValue ?? "undecided")"
    }

    /// `deployment_status`: a terminal state of a deployment records the deploy's outcome against the request
    /// GitHub's run created for the same commit and environment.
    func deploymentStatus(_ payload: JSONValue) async throws(ControlError) -> String {
        guard let state = payload["deployment_status"]?["state"]?.stringValue,
            let deployment = payload["deployment"], let commit = deployment["sha"]?.stringValue,
            let environment = payload["deployment_status"]?["environment"]?.stringValue
                ?? deployment["environment"]?.stringValue
        else { throw ControlError(.badRequest, "deployment_status: missing state, deployment.sha or environment") }
        let outcome: DeployFinished.Outcome
        switch state {
        case "success": outcome = .succeeded
        case "failure", "error": outcome = .failed
        default: return "deployment status \(state) noted"
        }
        let deployID = "gh-\(deployment["id"]?.integerValue.map(String.init) ?? commit)"
        guard
            let request = try await read({ r throws(LedgerError) in
                try await r.allowedRequest(commit: commit, environment: environment)
            })
        else {
            return
                "deployment of \(commit.prefix(12)) to \(environment) has no allowed request: not recorded as a deploy"
        }
        let requestID = request.id
        if try await !read({ r throws(LedgerError) in try await r.deployExists(id: deployID) }) {
            try await record(
                DeployStarted(
                    id: deployID, request: requestID, environment: environment, service: request.service,
                    digest: request.digest),
                actor: "github")
        }
        let finished = DeployFinished(outcome, id: deployID)
        try await record(finished, actor: "github")
        return "\(finished.type) for \(requestID)"
    }
}
