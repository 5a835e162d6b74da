internal import CEL

/// Turns one provider value into a measurement phase with a metric's `successCondition` and `failureCondition`
/// (reference §3.2), both compiled once as CEL booleans over `result`.
///
/// The truth table is Argo's: no condition → Successful; only success → S ? Successful : Failed; only failure →
/// F ? Failed : Successful; both → F ? Failed : (S ? Successful : Inconclusive). A condition that cannot be
/// evaluated (an index into an empty vector, a non-bool) makes the measurement Error, never a verdict.
public struct MeasurementEvaluator: Sendable {
    private let success: Program?
    private let failure: Program?

    /// The environment conditions compile in: `result` of any type, the standard libraries, Argo's helpers.
    static let environment = Environment(
        variables: ["result": .dyn], libraries: Library.standardLibraries + [ArgoFunctions.library])

    /// Compiles both conditions; `nil` or empty means not set.
    ///
    /// - Throws: ``CanaryError/Code/invalidConfiguration`` naming the condition, with the CEL compiler's message.
    public init(successCondition: String?, failureCondition: String?) throws(CanaryError) {
        success = try Self.compile(successCondition, field: "successCondition")
        failure = try Self.compile(failureCondition, field: "failureCondition")
    }

    private static func compile(_ source: String?, field: String) throws(CanaryError) -> Program? {
        guard let source, !source.isEmpty else { return nil }
        do throws(CompileError) {
            return try environment.compile(source, resultType: CELType.bool)
        } catch {
            throw CanaryError(.invalidConfiguration, "\(field): \(error.message) in \"\(source)\"")
        }
    }

    /// The phase of a measurement whose provider returned `value`, and a message when it is not Successful.
    public func evaluate(_ value: MeasurementValue) -> (phase: AnalysisPhase, message: String?) {
        let bindings = ["result": value.celValue]
        let s: Bool?
        let f: Bool?
        do {
            f = try failure.map { (p) throws(CanaryError) in try Self.run(p, bindings, "failureCondition") }
            s = try success.map { (p) throws(CanaryError) in try Self.run(p, bindings, "successCondition") }
        } catch {
            let empty =
                value.isEmpty ? "metric result is nil or empty: no data returned from the metric provider; " : ""
            return (.error, empty + error.message)
        }
        switch (s, f) {
        case (nil, nil): return (.successful, nil)
        case (let s?, nil): return s ? (.successful, nil) : (.failed, "successCondition evaluated false")
        case (nil, let f?): return f ? (.failed, "failureCondition evaluated true") : (.successful, nil)
        case (let s?, let f?):
            if f { return (.failed, "failureCondition evaluated true") }
            return s
                ? (.successful, nil)
                : (.inconclusive, "neither successCondition nor failureCondition evaluated true")
        }
    }

    private static func run(_ program: Program, _ bindings: [String: Value], _ field: String) throws(CanaryError)
        -> Bool
    {
        let value: Value
        do {
            value = try program.evaluate(bindings)
        } catch {
            throw CanaryError(.invalidInput, "\(field): \(error.message)")
        }
        guard case .bool(let b) = value else {
            throw CanaryError(.invalidInput, "\(field): expected bool, but got \(value.typeName)")
        }
        return b
    }
}
