internal import CountersignEncoding

extension KayentaExecution {
    /// The digest and environment this execution judged, when it can say so in a way its caller cannot bend — else
    /// `nil`, and the execution gates nothing (it is recorded, and Argo still reads its score).
    ///
    /// Argo Rollouts' Kayenta provider passes the rollout's values as `extendedScopeParams`; the canary (experiment)
    /// scope names `digest` and `environment`. The caller is the deployer, so naming them is not enough: every metric's
    /// query must select its series by `${digest}`, so the series Countersign reads for the canary are the digest's
    /// own, and the baseline (control) scope must name another digest — a canary compared with itself judges nothing.
    /// Every scope pair must agree.
    public var binding: (digest: String, environment: String)? {
        guard !request.scopes.isEmpty else { return nil }
        var found: (digest: String, environment: String)?
        for pair in request.scopes.values {
            guard let digest = pair.experiment.extendedScopeParams["digest"], !digest.isEmpty,
                let environment = pair.experiment.extendedScopeParams["environment"], !environment.isEmpty,
                pair.control.extendedScopeParams["digest"].map({ $0 != digest }) ?? false
            else { return nil }
            if let found, found != (digest, environment) { return nil }
            found = (digest, environment)
        }
        guard selectsByDigest else { return nil }
        return found
    }

    /// Whether every metric's Prometheus query names `${digest}`: in its inline PromQL, its filter, or the named
    /// filter template it uses.
    var selectsByDigest: Bool {
        !configuration.metrics.isEmpty
            && configuration.metrics.allSatisfy { metric in
                guard let q = metric.query.objectDictionary else { return false }
                let text =
                    q["customInlineTemplate"]?.stringValue ?? q["customFilter"]?.stringValue
                    ?? q["customFilterTemplate"]?.stringValue.flatMap { configuration.templates[$0] }
                return text?.contains("${digest}") ?? false
            }
    }
}
