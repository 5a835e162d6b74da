public import CountersignEncoding
public import Foundation

extension CanaryConfiguration {
    /// Decodes a Kayenta canary configuration.
    ///
    /// Tolerant where Kayenta is: unknown fields anywhere are ignored (Kayenta's mapper does not fail on them),
    /// as are the bookkeeping fields (`createdTimestamp`, `applications`, …); an unknown `direction`,
    /// `nanStrategy`, `outliers.strategy` or `effectSize.measure` string takes Kayenta's default and is noted in
    /// `warnings`. Strict where Kayenta would fail later or silently misjudge: a value of the wrong JSON type (a
    /// `"true"` string for `critical`), a config without metrics, a metric without a name or groups, duplicate
    /// metric names, negative group weights or weights whose sum no score can hold, or contradictory score
    /// thresholds is an `invalidConfiguration` error
    /// naming the field, e.g. `metrics[2].analysisConfigurations.canary.critical`.
    public static func decode(json data: Data) throws(CanaryError) -> CanaryConfiguration {
        let root: JSONValue
        do {
            root = try JSONValue(parsing: [UInt8](data))
        } catch {
            throw CanaryError(.invalidConfiguration, "the canary configuration is not valid JSON: \(error)")
        }
        return try decode(root)
    }

    /// Decodes a configuration already read as JSON (a request body's member), with the rules of
    /// ``decode(json:)``.
    public static func decode(_ root: JSONValue) throws(CanaryError) -> CanaryConfiguration {
        var reader = ConfigurationReader()
        return try reader.configuration(root)
    }
}

/// Walks the parsed document, keeping the path of the value it reads so every error can name its field.
private struct ConfigurationReader: JSONFieldReading {
    var errorCode: CanaryError.Code { .invalidConfiguration }
    var warnings: [String] = []

    mutating func configuration(_ root: JSONValue) throws(CanaryError) -> CanaryConfiguration {
        let top = try object(root, "")
        guard let metricsValue = top["metrics"] else { throw missing("metrics") }
        let metricValues = try array(metricsValue, "metrics")
        guard !metricValues.isEmpty else {
            throw CanaryError(.invalidConfiguration, "metrics: a canary configuration needs at least one metric")
        }
        var metrics: [CanaryMetricConfiguration] = []
        var names: Set<String> = []
        for (index, value) in metricValues.enumerated() {
            let metric = try self.metric(value, "metrics[\(index)]")
            guard names.insert(metric.name).inserted else {
                throw CanaryError(
                    .invalidConfiguration, "metrics[\(index)].name: duplicate metric name \"\(metric.name)\"")
            }
            metrics.append(metric)
        }

        guard let classifierValue = top["classifier"] else { throw missing("classifier") }
        let classifier = try object(classifierValue, "classifier")
        var weights: [String: Double] = [:]
        if let weightsValue = classifier["groupWeights"], weightsValue != .null {
            for (group, weight) in try object(weightsValue, "classifier.groupWeights") {
                let path = "classifier.groupWeights.\(group)"
                let w = try number(weight, path)
                guard w >= 0, w.isFinite else {
                    throw CanaryError(.invalidConfiguration, "\(path): a weight must be a non-negative number")
                }
                weights[group] = w
            }
            // Weights are used as given, never normalised (Kayenta's quirk), so a summary score is up to the sum of
            // the weights: it has to stay a number the ledger can record.
            guard (weights.values.reduce(0, +) * 100).isFinite else {
                throw CanaryError(
                    .invalidConfiguration, "classifier.groupWeights: the weights add up to more than a score can hold")
            }
        }
        var thresholds: ScoreThresholds?
        if let value = classifier["scoreThresholds"], value != .null {
            let t = try object(value, "classifier.scoreThresholds")
            let pass = try requiredNumber(t, "pass", "classifier.scoreThresholds")
            let marginal = try requiredNumber(t, "marginal", "classifier.scoreThresholds")
            guard marginal <= pass else {
                throw CanaryError(
                    .invalidConfiguration,
                    "classifier.scoreThresholds: marginal (\(marginal)) exceeds pass (\(pass))")
            }
            thresholds = ScoreThresholds(pass: pass, marginal: marginal)
        }

        var config = CanaryConfiguration(
            metrics: metrics, groupWeights: weights, name: try optionalString(top, "name", ""),
            scoreThresholds: thresholds)
        config.id = try optionalString(top, "id", "")
        config.description = try optionalString(top, "description", "")
        if let version = top["configVersion"] {
            // Kayenta declares it a string; its own test fixtures write 1.0.
            switch version {
            case .string(let s): config.configVersion = s
            case .number(let n): config.configVersion = String(n)
            case .null: break
            default: throw typeError("configVersion", "a string", version)
            }
        }
        if let apps = top["applications"], apps != .null {
            config.applications = try array(apps, "applications").enumerated().map { (i, v) throws(CanaryError) in
                try string(v, "applications[\(i)]")
            }
        }
        if let judge = top["judge"], judge != .null {
            config.judgeName = try optionalString(try object(judge, "judge"), "name", "judge")
        }
        if let templates = top["templates"], templates != .null {
            for (key, value) in try object(templates, "templates") {
                config.templates[key] = try string(value, "templates.\(key)")
            }
        }
        config.warnings = warnings
        return config
    }

    mutating func metric(_ value: JSONValue, _ path: String) throws(CanaryError) -> CanaryMetricConfiguration {
        let m = try object(value, path)
        guard let nameValue = m["name"] else { throw missing("\(path).name") }
        let name = try string(nameValue, "\(path).name")
        guard !name.isEmpty else { throw CanaryError(.invalidConfiguration, "\(path).name: must not be empty") }
        guard let groupsValue = m["groups"] else { throw missing("\(path).groups") }
        let groups = try array(groupsValue, "\(path).groups").enumerated().map { (i, v) throws(CanaryError) in
            try string(v, "\(path).groups[\(i)]")
        }
        var metric = CanaryMetricConfiguration(
            name: name, groups: groups, query: m["query"] ?? .null,
            scopeName: try optionalString(m, "scopeName", path))
        if let analysis = m["analysisConfigurations"], analysis != .null {
            let a = try object(analysis, "\(path).analysisConfigurations")
            if let canary = a["canary"], canary != .null {
                metric.analysis = try analysisSettings(canary, "\(path).analysisConfigurations.canary")
            }
            if let countersign = a["countersign"], countersign != .null {
                metric.countersign = try countersignSettings(
                    countersign, "\(path).analysisConfigurations.countersign")
            }
        }
        return metric
    }

    mutating func analysisSettings(_ value: JSONValue, _ path: String) throws(CanaryError)
        -> MetricAnalysisConfiguration
    {
        let c = try object(value, path)
        var settings = MetricAnalysisConfiguration()
        settings.direction = try lenientEnum(c, "direction", path, default: .either)
        // Kayenta's default string is "none", which it maps to remove; any unknown string does the same.
        settings.nanStrategy = try lenientEnum(c, "nanStrategy", path, default: .remove, silent: ["none"])
        settings.critical = try optionalBool(c, "critical", path) ?? false
        settings.mustHaveData = try optionalBool(c, "mustHaveData", path) ?? false
        settings.muted = try optionalBool(c, "muted", path) ?? false
        if let effect = c["effectSize"], effect != .null {
            let e = try object(effect, "\(path).effectSize")
            let p = "\(path).effectSize"
            let measure: EffectSizeConfiguration.Measure = try lenientEnum(e, "measure", p, default: .meanRatio)
            settings.effectSize = EffectSizeConfiguration(
                measure: measure, allowedIncrease: try optionalNumber(e, "allowedIncrease", p),
                allowedDecrease: try optionalNumber(e, "allowedDecrease", p),
                criticalIncrease: try optionalNumber(e, "criticalIncrease", p),
                criticalDecrease: try optionalNumber(e, "criticalDecrease", p))
        }
        if let outliers = c["outliers"], outliers != .null {
            let p = "\(path).outliers"
            let o = try object(outliers, p)
            let strategy: OutlierConfiguration.Strategy = try lenientEnum(
                o, "strategy", p, default: .keep, silent: ["none"])
            let factor = try optionalNumber(o, "outlierFactor", p) ?? 3.0
            guard factor >= 0 else {
                throw CanaryError(.invalidConfiguration, "\(p).outlierFactor: must not be negative")
            }
            settings.outliers = OutlierConfiguration(strategy: strategy, outlierFactor: factor)
        }
        return settings
    }

    /// countersign-v1's own block is ours, so it is read strictly: unknown strings are errors.
    func countersignSettings(_ value: JSONValue, _ path: String) throws(CanaryError)
        -> CountersignMetricConfiguration
    {
        let c = try object(value, path)
        var settings = CountersignMetricConfiguration()
        if let kind = try optionalString(c, "kind", path) {
            guard let k = CountersignMetricConfiguration.Kind(rawValue: kind) else {
                throw CanaryError(
                    .invalidConfiguration, "\(path).kind: expected \"continuous\" or \"proportion\", got \"\(kind)\"")
            }
            settings.kind = k
        }
        settings.denominator = try optionalString(c, "denominator", path)
        if settings.kind == .proportion, settings.denominator == nil {
            throw CanaryError(.invalidConfiguration, "\(path).denominator: required when kind is \"proportion\"")
        }
        settings.tolerance = try optionalNumber(c, "tolerance", path)
        settings.absoluteTolerance = try optionalNumber(c, "absoluteTolerance", path)
        if let samples = try optionalNumber(c, "minimumSamples", path) {
            guard samples >= 0, samples == samples.rounded(), samples < 1e9 else {
                throw CanaryError(.invalidConfiguration, "\(path).minimumSamples: expected a non-negative integer")
            }
            settings.minimumSamples = Int(samples)
        }
        settings.minimumTrials = try optionalNumber(c, "minimumTrials", path)
        for (field, v) in [
            ("tolerance", settings.tolerance), ("absoluteTolerance", settings.absoluteTolerance),
            ("minimumTrials", settings.minimumTrials),
        ]
        where v.map({ !($0 >= 0) || !$0.isFinite }) ?? false {
            throw CanaryError(.invalidConfiguration, "\(path).\(field): expected a finite, non-negative number")
        }
        return settings
    }

    /// Kayenta maps an unknown string to the default; so do we, noting it, since a typo silently changing a
    /// metric's judgement is worth a warning.
    mutating func lenientEnum<T: RawRepresentable>(
        _ o: [String: JSONValue], _ key: String, _ path: String, default fallback: T, silent: Set<String> = []
    ) throws(CanaryError) -> T where T.RawValue == String {
        guard let raw = try optionalString(o, key, path) else { return fallback }
        if let value = T(rawValue: raw) { return value }
        if !silent.contains(raw) {
            warnings.append(
                "\(join(path, key)): unknown value \"\(raw)\", using \"\(fallback.rawValue)\" as Kayenta does")
        }
        return fallback
    }
}
