internal import CountersignEncoding

extension KayentaExecution {
    /// The digest and environment this execution judged, when it can say so in a way its caller cannot bend — else
    /// `nil`, and the execution gates nothing (it is recorded, and Argo still reads its score).
    ///
    /// Each scope pair names them one of two ways:
    /// - as Argo Rollouts' Kayenta provider sends a request — `scope`, `location`, `step`, `start`, `end` and nothing
    ///   else: the canary (experiment) scope's `scope` is the digest (`sha256:…`, from the rollout's arguments) and its
    ///   `location` the environment, the same in both scopes; every metric reading that pair selects its series by
    ///   `${scope}`;
    /// - or in `extendedScopeParams` (`digest`, `environment`), as other Kayenta callers can: every metric reading that
    ///   pair selects by `${digest}`.
    ///
    /// The caller is the deployer, so naming them is not enough: the query must select the series by the digest, so
    /// the series Countersign reads for the canary are the digest's own, and the baseline (control) scope must name
    /// another digest — a canary compared with itself judges nothing. Every pair must agree.
    public var binding: (digest: String, environment: String)? {
        guard !request.scopes.isEmpty, !configuration.metrics.isEmpty else { return nil }
        var found: (digest: String, environment: String)?
        var placeholders: [String: String] = [:]
        for (name, pair) in request.scopes {
            let (experiment, control) = (pair.experiment, pair.control)
            let digest: String
            let environment: String
            if let named = experiment.extendedScopeParams["digest"] {
                guard let env = experiment.extendedScopeParams["environment"], !env.isEmpty,
                    control.extendedScopeParams["digest"].map({ $0 != named }) ?? false
                else { return nil }
                (digest, environment) = (named, env)
                placeholders[name] = "${digest}"
            } else {
                guard Self.isDigest(experiment.scope), Self.isDigest(control.scope), control.scope != experiment.scope,
                    !experiment.location.isEmpty, control.location == experiment.location
                else { return nil }
                (digest, environment) = (experiment.scope, experiment.location)
                placeholders[name] = "${scope}"
            }
            guard !digest.isEmpty else { return nil }
            if let found, found != (digest, environment) { return nil }
            found = (digest, environment)
        }
        // Every metric selects its series by the digest of the pair it reads.
        for metric in configuration.metrics {
            guard let placeholder = placeholders[metric.scopeName ?? "default"], let q = metric.query.objectDictionary
            else { return nil }
            let text =
                q["customInlineTemplate"]?.stringValue ?? q["customFilter"]?.stringValue
                ?? q["customFilterTemplate"]?.stringValue.flatMap { configuration.templates[$0] }
            guard text?.contains(placeholder) == true else { return nil }
        }
        return found
    }

    /// `sha256:` and 64 lowercase hex digits.
    static func isDigest(_ text: String) -> Bool {
        text.utf8.count == 71 && text.hasPrefix("sha256:")
            && text.utf8.dropFirst(7).allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}
