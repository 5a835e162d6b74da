import ArgumentParser
import CountersignCanary
import CountersignControl
internal import CountersignEncoding
import Foundation

/// `countersign canary judge --config C.json --canary S.json --baseline S.json`: one judgement, as a table or JSON.
struct CanaryJudgeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "judge",
        abstract: "Judge a canary's samples against the baseline's with a Kayenta canary configuration.",
        discussion: """
            A samples file is a JSON object mapping metric names to arrays of numbers, null for a missing point.
            Exit status: 0 pass, 2 marginal or inconclusive, 3 fail (or a judgement that could not be made), 1 error.
            """)

    enum Judge: String, ExpressibleByArgument, CaseIterable {
        case kayenta
        case countersignV1 = "countersign-v1"
    }

    enum Output: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Option(help: "The Kayenta canary configuration (JSON).") var config: String
    @Option(help: "The canary's samples (JSON).") var canary: String
    @Option(help: "The baseline's samples (JSON).") var baseline: String
    @Option(help: "kayenta (Kayenta's NetflixACAJudge-v1.0) or countersign-v1.") var judge: Judge = .kayenta
    @Option(help: "Effect tolerance, a fraction (default: 0.25 for kayenta, 0.10 for countersign-v1).")
    var tolerance: Double?
    @Option(help: "Confidence level of the Mann-Whitney interval.") var confidence: Double = 0.98
    @Option(help: "Score needed to pass (default: the configuration's, else 90).") var pass: Double?
    @Option(help: "Score needed to be marginal (default: the configuration's, else 75).") var marginal: Double?
    @Option(help: "text or json.") var output: Output = .text

    func validate() throws {
        guard confidence > 0, confidence < 1 else { throw ValidationError("--confidence must lie in (0, 1)") }
        if let tolerance, !(tolerance >= 0 && tolerance.isFinite) {
            throw ValidationError("--tolerance must be a finite, non-negative fraction")
        }
        if let pass, let marginal, marginal > pass {
            throw ValidationError("--marginal (\(marginal)) must not exceed --pass (\(pass))")
        }
    }

    func run() throws {
        let inputs: Inputs
        do { inputs = try load() } catch {
            throw ControlError(.badRequest, error.message)
        }
        let (configuration, canarySamples, baselineSamples) = (inputs.configuration, inputs.canary, inputs.baseline)
        let configured = configuration.scoreThresholds ?? .standard
        let passScore = pass ?? configured.pass
        let marginalScore = marginal ?? min(configured.marginal, passScore)
        guard marginalScore <= passScore else {
            throw ControlError(
                .badRequest, "the marginal threshold (\(marginalScore)) exceeds the pass threshold (\(passScore))")
        }
        let thresholds = ScoreThresholds(pass: passScore, marginal: marginalScore)
        let judge: any CanaryJudge
        switch self.judge {
        case .kayenta:
            judge = KayentaJudge(tolerance: tolerance ?? 0.25, confidence: confidence)
        case .countersignV1:
            var settings = CountersignJudge.Configuration()
            settings.confidence = confidence
            if let tolerance { settings.tolerance = tolerance }
            do { judge = try CountersignJudge(configuration: settings) } catch {
                throw ControlError(.badRequest, error.message)
            }
        }
        let judgement = judge.judge(
            config: configuration, canary: canarySamples, baseline: baselineSamples, thresholds: thresholds)
        switch output {
        case .text: print(CanaryJudgeCommand.table(judgement), terminator: "")
        case .json: print(try CanaryJudgeCommand.json(judgement))
        }
        throw ExitCode(judgement.verdict.exitStatus)
    }

    private struct Inputs {
        let configuration: CanaryConfiguration
        let canary: [String: [Double]]
        let baseline: [String: [Double]]
    }

    private func load() throws(CanaryError) -> Inputs {
        let configuration: CanaryConfiguration
        do { configuration = try CanaryConfiguration.decode(json: try read(config)) } catch {
            throw CanaryError(
                error.code, error.message.hasPrefix(config) ? error.message : "\(config): \(error.message)")
        }
        return Inputs(
            configuration: configuration,
            canary: try CanaryJudgeCommand.samples(try read(canary), file: canary),
            baseline: try CanaryJudgeCommand.samples(try read(baseline), file: baseline))
    }

    private func read(_ path: String) throws(CanaryError) -> Data {
        do { return try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw CanaryError(.invalidInput, "cannot read \(path): \(error.localizedDescription)")
        }
    }

    /// A samples file: metric name → numbers, `null` for a missing point (NaN to the judges).
    static func samples(_ data: Data, file: String) throws(CanaryError) -> [String: [Double]] {
        let document: JSONValue
        do { document = try JSONValue(parsing: [UInt8](data)) } catch {
            throw CanaryError(.invalidInput, "\(file): not a samples file (an object of arrays of numbers): \(error)")
        }
        guard let members = document.objectMembers else {
            throw CanaryError(.invalidInput, "\(file): the file must be an object of arrays of numbers")
        }
        var samples: [String: [Double]] = [:]
        for (name, value) in members {
            guard let points = value.arrayValue else {
                throw CanaryError(.invalidInput, "\(file): \(name) must be an object of arrays of numbers")
            }
            samples[name] = try points.enumerated().map { (i, point) throws(CanaryError) in
                switch point {
                case .number(let d): return d
                case .null: return .nan
                default: throw CanaryError(.invalidInput, "\(file): \(name)[\(i)] must be a number or null")
                }
            }
        }
        return samples
    }

    static func table(_ j: CanaryJudgement) -> String {
        func number(_ d: Double?) -> String {
            guard let d, d.isFinite else { return "-" }
            return String(format: "%.4g", d)
        }
        var rows: [[String]] = [
            ["metric", "classification", "critical", "ci_low", "ci_high", "estimate", "ratio", "reason"]
        ]
        for m in j.metrics {
            let mw = m.evidence.mannWhitney
            rows.append([
                m.name, m.muted ? "\(m.classification.rawValue) (muted)" : m.classification.rawValue,
                m.critical ? "yes" : "no", number(mw?.lowerBound), number(mw?.upperBound), number(mw?.estimate),
                number(m.ratio), m.reason ?? "",
            ])
        }
        let widths = (0..<rows[0].count).map { c in rows.map { $0[c].count }.max() ?? 0 }
        var out = ""
        for row in rows {
            out +=
                zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces) + "\n"
        }
        out += String(format: "score %.2f: %@ (%@ judge)", j.score, j.verdict.rawValue, j.judgeName)
        if let reason = j.reason { out += " — \(reason)" }
        out += "\n"
        for w in j.warnings { out += "warning: \(w)\n" }
        return out
    }

    static func json(_ j: CanaryJudgement) throws -> String {
        func number(_ d: Double?) -> JSONValue { d.flatMap { $0.isFinite ? .number($0) : nil } ?? .null }
        let metrics: [JSONValue] = j.metrics.map { m in
            .object([
                "name": .string(m.name), "classification": .string(m.classification.rawValue),
                "critical": .bool(m.critical), "muted": .bool(m.muted),
                "ci_low": number(m.evidence.mannWhitney?.lowerBound),
                "ci_high": number(m.evidence.mannWhitney?.upperBound),
                "estimate": number(m.evidence.mannWhitney?.estimate), "ratio": number(m.ratio),
                "reason": m.reason.map(JSONValue.string) ?? .null,
            ])
        }
        let object = JSONValue.object([
            "judge": .string(j.judgeName), "metrics": .array(metrics), "score": number(j.score),
            "verdict": .string(j.verdict.rawValue), "classification": .string(j.classification.rawValue),
            "reason": j.reason.map(JSONValue.string) ?? .null, "warnings": .array(j.warnings.map(JSONValue.string)),
        ])
        return object.canonicalString
    }
}
