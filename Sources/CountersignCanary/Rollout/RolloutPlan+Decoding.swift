internal import Yams

extension RolloutPlan {
    /// Decodes an Argo `Rollout` (its `spec.strategy.canary.steps`), exactly as written for Argo.
    ///
    /// - Throws: ``CanaryError/Code/invalidConfiguration`` naming the field and line; steps Countersign does not
    ///   judge (experiment, setCanaryScale, header and mirror routes, plugins) and background analysis are refused.
    public init(yaml text: String) throws(CanaryError) {
        let docs = try YAMLReader.documents(text)
        guard docs.count == 1, let top = docs.first else {
            throw CanaryError(.invalidConfiguration, "expected one Rollout document, found \(docs.count)")
        }
        let r = YAMLReader()
        let apiVersion = try r.string(top["apiVersion"], "apiVersion")
        let kind = try r.string(top["kind"], "kind")
        guard apiVersion == AnalysisTemplate.apiVersion, kind == "Rollout" else {
            throw r.error(
                top["kind"], "expected kind Rollout (\(AnalysisTemplate.apiVersion)), got \(kind) (\(apiVersion))")
        }
        let name = try r.string(try r.mapping(top["metadata"], "metadata")["name"], "metadata.name")
        let strategy = try r.mapping(try r.mapping(top["spec"], "spec")["strategy"], "spec.strategy")
        let canary = try r.mapping(strategy["canary"], "spec.strategy.canary")
        if let background = canary["analysis"] {
            throw r.error(
                background,
                "spec.strategy.canary.analysis: background analysis is not supported; use an analysis step")
        }
        var steps: [RolloutStep] = []
        for (i, node) in try r.sequence(canary["steps"], "spec.strategy.canary.steps").enumerated() {
            steps.append(try r.step(node, "spec.strategy.canary.steps[\(i)]"))
        }
        try self.init(name: name, steps: steps)
    }
}

extension YAMLReader {
    func step(_ node: Node, _ ctx: String) throws(CanaryError) -> RolloutStep {
        let m = try mapping(node, ctx)
        guard m.count == 1, let (key, value) = m.first else {
            throw error(node, "\(ctx): a step has exactly one kind, found \(m.keys.sorted().joined(separator: ", "))")
        }
        switch key {
        case "setWeight":
            guard let w = try int(value, "\(ctx).setWeight") else {
                throw error(value, "\(ctx).setWeight: is required")
            }
            return .setWeight(w)
        case "pause":
            let p = try mapping(value, "\(ctx).pause")
            return .pause(try duration(p["duration"], "\(ctx).pause.duration"))
        case "analysis":
            let a = try mapping(value, "\(ctx).analysis")
            var templates: [String] = []
            for (i, t) in try sequence(a["templates"], "\(ctx).analysis.templates").enumerated() {
                let tm = try mapping(t, "\(ctx).analysis.templates[\(i)]")
                templates.append(try string(tm["templateName"], "\(ctx).analysis.templates[\(i)].templateName"))
            }
            var args: [String: String] = [:]
            for (i, arg) in try sequence(a["args"], "\(ctx).analysis.args", optional: true).enumerated() {
                let am = try mapping(arg, "\(ctx).analysis.args[\(i)]")
                if am["valueFrom"] != nil {
                    throw error(am["valueFrom"], "\(ctx).analysis.args[\(i)].valueFrom: not supported; pass a value")
                }
                let name = try string(am["name"], "\(ctx).analysis.args[\(i)].name")
                args[name] = try optionalScalar(am["value"], "\(ctx).analysis.args[\(i)].value") ?? ""
            }
            return .analysis(templates: templates, args: args)
        default:
            throw error(value, "\(ctx).\(key): step kind '\(key)' is not supported (setWeight, pause and analysis are)")
        }
    }
}
