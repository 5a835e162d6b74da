public import CountersignEncoding
public import Foundation

/// The body of `POST /canary/{configId}` (Kayenta's `CanaryExecutionRequest`), as Argo Rollouts' Kayenta provider
/// sends it: scopes by name and the score thresholds.
public struct KayentaExecutionRequest: Sendable, Hashable {
    public var scopes: [String: KayentaScopePair]
    public var thresholds: ScoreThresholds

    /// The most points one series may span: Prometheus refuses range queries above 11,000 points, and a judge
    /// should not be handed more.
    public static let maximumPoints = 11_000

    public init(scopes: [String: KayentaScopePair], thresholds: ScoreThresholds) {
        self.scopes = scopes
        self.thresholds = thresholds
    }

    /// Decodes a request, naming the field of any error (`scopes.default.controlScope.start: …`).
    ///
    /// Stricter than Kayenta where Kayenta would fail later or judge nothing: a scope needs `scope`, `start`
    /// and `end` (RFC 3339 strings or epoch seconds) with start < end, a positive `step`, and at most
    /// ``maximumPoints`` points. Unknown fields (`metadata`, `siteLocal`) are ignored.
    public static func decode(json data: Data) throws(CanaryError) -> KayentaExecutionRequest {
        let root: JSONValue
        do {
            root = try JSONValue(parsing: [UInt8](data))
        } catch {
            throw CanaryError(.invalidInput, "the execution request is not valid JSON: \(error)")
        }
        return try decode(root)
    }

    /// Decodes a request already read as JSON, with the rules of ``decode(json:)``.
    public static func decode(_ root: JSONValue) throws(CanaryError) -> KayentaExecutionRequest {
        try RequestReader().request(root)
    }
}

private struct RequestReader: JSONFieldReading {
    var errorCode: CanaryError.Code { .invalidInput }

    func request(_ root: JSONValue) throws(CanaryError) -> KayentaExecutionRequest {
        let top = try object(root, "")
        guard let thresholdsValue = top["thresholds"], thresholdsValue != .null else {
            throw CanaryError(.invalidInput, "thresholds: Execution request must contain thresholds")
        }
        let t = try object(thresholdsValue, "thresholds")
        let pass = try requiredNumber(t, "pass", "thresholds")
        let marginal = try requiredNumber(t, "marginal", "thresholds")
        guard marginal <= pass else {
            throw CanaryError(.invalidInput, "thresholds: marginal (\(marginal)) exceeds pass (\(pass))")
        }
        guard let scopesValue = top["scopes"], scopesValue != .null else { throw missing("scopes") }
        var scopes: [String: KayentaScopePair] = [:]
        for (name, value) in try object(scopesValue, "scopes") {
            let path = "scopes.\(name)"
            let pair = try object(value, path)
            guard let control = pair["controlScope"], control != .null else {
                throw missing("\(path).controlScope")
            }
            guard let experiment = pair["experimentScope"], experiment != .null else {
                throw missing("\(path).experimentScope")
            }
            scopes[name] = KayentaScopePair(
                control: try scope(control, "\(path).controlScope"),
                experiment: try scope(experiment, "\(path).experimentScope"))
        }
        guard !scopes.isEmpty else { throw CanaryError(.invalidInput, "scopes: at least one scope is required") }
        return KayentaExecutionRequest(scopes: scopes, thresholds: ScoreThresholds(pass: pass, marginal: marginal))
    }

    func scope(_ value: JSONValue, _ path: String) throws(CanaryError) -> KayentaScope {
        let o = try object(value, path)
        guard let name = try optionalString(o, "scope", path) else { throw missing("\(path).scope") }
        let start = try time(o, "start", path)
        let end = try time(o, "end", path)
        guard start < end else {
            throw CanaryError(.invalidInput, "\(path): start must be before end")
        }
        let stepValue = try optionalNumber(o, "step", path) ?? 60
        guard stepValue >= 1, stepValue <= 86_400, stepValue == stepValue.rounded() else {
            throw CanaryError(.invalidInput, "\(path).step: expected whole seconds between 1 and 86400")
        }
        var params: [String: String] = [:]
        if let extended = o["extendedScopeParams"], extended != .null {
            for (key, v) in try object(extended, "\(path).extendedScopeParams") {
                params[key] = try string(v, "\(path).extendedScopeParams.\(key)")
            }
        }
        let scope = KayentaScope(
            scope: name, location: try optionalString(o, "location", path) ?? "", start: start, end: end,
            step: Int(stepValue), extendedScopeParams: params)
        guard scope.pointCount <= KayentaExecutionRequest.maximumPoints else {
            throw CanaryError(
                .invalidInput,
                "\(path): \(scope.pointCount) points from start to end at step \(scope.step) s exceed "
                    + "\(KayentaExecutionRequest.maximumPoints)")
        }
        return scope
    }

    /// An instant as Jackson reads one: an RFC 3339 string or a number of epoch seconds.
    func time(_ o: [String: JSONValue], _ key: String, _ path: String) throws(CanaryError) -> Date {
        let field = join(path, key)
        switch o[key] {
        case nil, .null?:
            throw missing(field)
        case .number(let seconds)? where seconds.isFinite:
            return Date(timeIntervalSince1970: seconds)
        case .string(let text)?:
            if let date = KayentaTime.parse(text) { return date }
            throw CanaryError(.invalidInput, "\(field): \"\(text)\" is not an RFC 3339 time")
        case let other?:
            throw typeError(field, "an RFC 3339 time", other)
        }
    }
}

/// The RFC 3339 times Kayenta reads and writes.
enum KayentaTime {
    static func parse(_ text: String) -> Date? { RFC3339.date(text) }

    /// Always three fraction digits, as Kayenta writes them.
    static func format(_ date: Date) -> String { RFC3339.string(date, fraction: .milliseconds) }

    static func millis(_ date: Date) -> Double { (date.timeIntervalSince1970 * 1000).rounded(.down) }
}
