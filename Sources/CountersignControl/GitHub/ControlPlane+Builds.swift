internal import CountersignCore
internal import CountersignLedger

extension ControlPlane {
    /// What a deployment of a commit deploys: the one build of it, or why there is none to give.
    enum BuildResolution: Equatable {
        case artifact(String)
        case refused(String)
    }

    /// The artifact a GitHub deployment of `commit` in `repository` deploys, for a job that names only its commit
    /// (GitHub creates an `environment:` job's deployment with an empty payload).
    ///
    /// A build counts when a record binds its digest to this commit *in this repository* — a builder's registration
    /// (`countersign build register`) or provenance verified under an artifact policy — and the record says where the
    /// build lives. A registration counts only from a builder that cannot deploy, as the gate's source control
    /// counts it: the party being gated does not choose what it deploys. One build is the artifact; none, or
    /// several, is a refusal that says so. `payload.artifact` may name one, and is accepted only when it agrees
    /// with a build — the same digest in the same repository — so the workflow's word can pick, never add.
    func build(of repository: String, commit: String, named override: String?) async throws(ControlError)
        -> BuildResolution
    {
        guard Change.isCommitID(commit) else {
            return .refused("the deployment's commit \(commit) is not a full commit id")
        }
        let (builds, ignored) = try await trustedBuilds(of: repository, commit: commit)
        let commitName = "\(repository)@\(commit.prefix(12))"
        let note = ignored.isEmpty ? "" : " (ignored: \(ignored.sorted().joined(separator: "; ")))"
        if let override {
            guard let named = try? ArtifactReference(parsing: override) else {
                return .refused("payload.artifact \(override) is not a digest-pinned reference")
            }
            guard let registered = builds[named.digest] else {
                return .refused(
                    "payload.artifact \(override) is not a build of \(commitName) that a builder registered or an "
                        + "artifact policy verified\(note)")
            }
            guard let build = try? ArtifactReference(parsing: registered),
                build.repository.lowercased() == named.repository.lowercased()
            else {
                return .refused(
                    "payload.artifact names \(named.repository), but that build of \(commitName) is \(registered)")
            }
            return .artifact(registered)
        }
        switch builds.count {
        case 1:
            return .artifact(builds.values.first!)
        case 0:
            return .refused(
                "no build of \(commitName) is known: register it from the build job (countersign build register "
                    + "REGISTRY/REPO@sha256:… --commit SHA --repository OWNER/NAME, as a builder) or verify provenance "
                    + "that names the commit\(note)")
        default:
            return .refused(
                "\(builds.count) builds of \(commitName) are registered (\(builds.values.sorted().joined(separator: ", "))): "
                    + "name the one this job deploys with payload.artifact")
        }
    }

    /// The builds of `commit` in `repository` whose records count (see ``build(of:commit:named:)``), digest →
    /// reference (the latest record's), and what was ignored and why.
    func trustedBuilds(of repository: String, commit: String) async throws(ControlError)
        -> (builds: [String: String], ignored: Set<String>)
    {
        let key = ChangeResolution.repositoryKey(repository)
        let bindings = try await read { r throws(LedgerError) in try await r.builds(commit: commit) }
        let bundle = policy.bundle
        var builds: [String: String] = [:]
        var ignored: Set<String> = []
        for binding in bindings {
            guard binding.repository.map(ChangeResolution.repositoryKey) == key else {
                ignored.insert("a record for \(binding.repository ?? "no repository")")
                continue
            }
            if binding.via == .builder, !bundle.identities.isEmpty {
                let identity = bundle.identity(binding.by)
                guard let identity, identity.roles.contains(.builder), !identity.roles.contains(.deployer) else {
                    ignored.insert("a registration by \(bundle.canonical(binding.by)), who may deploy or is no builder")
                    continue
                }
            }
            guard let reference = binding.reference else {
                ignored.insert("a record from before references were kept")
                continue
            }
            builds[binding.digest] = reference
        }
        return (builds, ignored)
    }
}
