import ArgumentParser
import CountersignCanary
import CountersignControl
internal import CountersignEncoding
import Foundation

/// `countersign canary run --template T.yaml --prometheus URL --arg name=value`: an Argo analysis run, one line
/// per measurement and the final phase.
struct CanaryRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run an Argo Rollouts AnalysisTemplate against live metrics.",
        discussion: """
            Conditions are CEL over `result`, with Argo's helpers (asInt, asFloat, isNaN, isInf, isNil, default, len).
            --replay-from runs the analysis over past metrics on a simulated clock: every measurement is taken as of
            the time it would have been taken had the run started then, and the command returns at once.
            Exit status: 0 Successful, 2 Inconclusive, 3 Failed or Error, 1 bad input.
            """)

    enum Output: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Option(help: "The AnalysisTemplate or ClusterAnalysisTemplate (YAML).") var template: String
    @Option(help: "Prometheus base URL for metrics whose template gives no address.") var prometheus: String?
    @Option(name: .customLong("arg"), help: "An argument: NAME=VALUE (repeatable).") var args: [String] = []
    @Option(help: "Replay from this RFC 3339 time on a simulated clock instead of running live.")
    var replayFrom: String?
    @Option(help: "text (a line per measurement) or json (the whole run at the end).") var output: Output = .text

    func run() async throws {
        let runner: AnalysisRunner
        do { runner = try makeRunner() } catch {
            throw ControlError(.badRequest, error.message)
        }
        let output = self.output
        let result = await runner.run { m in
            if output == .text { print(Self.line(m)) }
        }
        switch output {
        case .text:
            for metric in result.metrics {
                let dry = metric.dryRun ? " (dry run)" : ""
                print(
                    "metric \(metric.name)\(dry): \(metric.phase) after \(metric.counts.count) measurements"
                        + (metric.counts.error > 0 ? ", \(metric.counts.error) errors" : ""))
            }
            print("phase: \(result.phase)" + (result.message.map { " — \($0)" } ?? ""))
        case .json:
            print(try Self.json(result))
        }
        throw ExitCode(result.verdict.exitStatus)
    }

    private func makeRunner() throws(CanaryError) -> AnalysisRunner {
        let url = URL(fileURLWithPath: template)
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw CanaryError(.invalidInput, "\(template): cannot read the file")
        }
        let parsed: AnalysisTemplate
        do { parsed = try AnalysisTemplate(yaml: text) } catch {
            throw CanaryError(error.code, "\(template): \(error.message)")
        }
        var arguments: [String: String] = [:]
        for arg in args {
            guard let eq = arg.firstIndex(of: "="), eq != arg.startIndex else {
                throw CanaryError(.invalidInput, "--arg \(arg): expected NAME=VALUE")
            }
            arguments[String(arg[..<eq])] = String(arg[arg.index(after: eq)...])
        }
        var clock: any AnalysisClock = SystemAnalysisClock()
        if let replayFrom {
            guard let start = RFC3339.date(replayFrom) else {
                throw CanaryError(.invalidInput, "--replay-from \(replayFrom): not an RFC 3339 time")
            }
            clock = VirtualClock(start: start)
        }
        let provider = StandardMetricProvider(
            prometheus: PrometheusProvider(defaultAddress: prometheus),
            file: SamplesFileProvider(baseDirectory: url.deletingLastPathComponent()))
        return try AnalysisRunner(template: parsed, arguments: arguments, provider: provider, clock: clock)
    }

    static func line(_ m: AnalysisMeasurement) -> String {
        var parts = [RFC3339.string(m.startedAt), m.metric, m.phase.rawValue]
        if let value = m.value { parts.append(value) }
        if let message = m.message { parts.append("(\(message))") }
        return parts.joined(separator: "  ")
    }

    static func json(_ result: AnalysisRunResult) throws -> String {
        func time(_ date: Date) -> JSONValue { .string(RFC3339.string(date)) }
        func measurement(_ m: AnalysisMeasurement) -> JSONValue {
            var o: [String: JSONValue] = [
                "phase": .string(m.phase.rawValue), "startedAt": time(m.startedAt), "finishedAt": time(m.finishedAt),
            ]
            if let v = m.value { o["value"] = .string(v) }
            if let msg = m.message { o["message"] = .string(msg) }
            return .object(o)
        }
        func counts(_ c: MetricCounts) -> [String: JSONValue] {
            [
                "count": .number(Double(c.count)), "successful": .number(Double(c.successful)),
                "failed": .number(Double(c.failed)), "inconclusive": .number(Double(c.inconclusive)),
                "error": .number(Double(c.error)),
            ]
        }
        var top: [String: JSONValue] = [
            "phase": .string(result.phase.rawValue), "startedAt": time(result.startedAt),
            "finishedAt": time(result.finishedAt), "runSummary": .object(counts(result.runSummary)),
            "dryRunSummary": .object(counts(result.dryRunSummary)),
            "metricResults": .array(
                result.metrics.map { m -> JSONValue in
                    var o: [String: JSONValue] = [
                        "name": .string(m.name), "phase": .string(m.phase.rawValue), "dryRun": .bool(m.dryRun),
                        "measurements": .array(m.measurements.map(measurement)),
                    ]
                    for (k, v) in counts(m.counts) { o[k] = v }
                    o["consecutiveError"] = .number(Double(m.counts.consecutiveError))
                    if let msg = m.message { o["message"] = .string(msg) }
                    return .object(o)
                }),
        ]
        if let msg = result.message { top["message"] = .string(msg) }
        return JSONValue.object(top).prettyString
    }
}
