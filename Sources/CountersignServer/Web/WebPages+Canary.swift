internal import CountersignControl
internal import CountersignCore
internal import CountersignEncoding
internal import CountersignLedger
internal import Foundation
internal import Hummingbird

extension WebPages {
    /// Canary judgements, newest first.
    func canaryList(
        _ request: Request, _ context: ServerRequestContext, _ session: WebSession, _ started: ContinuousClock.Instant
    ) async throws -> Response {
        let list = try await control.read({ r throws(LedgerError) in try await r.canaryVerdicts(limit: 100) })
        let items: [[String: Any]] = list.map { v in
            [
                "seq": v.seq, "template": v.template, "outcome": v.outcome.rawValue, "score": Self.score(v.score),
                "digest": v.digest, "digestShort": WebFormat.short(v.digest), "at": WebFormat.time(v.at),
            ]
        }
        return renderer.page(
            "canary-list", title: "Canary", section: "canary", session: session,
            context: ["runs": items, "empty": items.isEmpty], started: started)
    }

    /// One judgement: each metric's classification, canary against baseline as box plots, and the score of every
    /// judgement of the same digest and template over time.
    func canaryRun(
        _ request: Request, _ context: ServerRequestContext, _ session: WebSession, _ started: ContinuousClock.Instant
    ) async throws -> Response {
        guard let seq = Int(try context.parameters.require("seq")) else {
            throw ControlError(.badRequest, "the judgement number must be an integer")
        }
        let store = control.store
        guard
            let entry = try await LedgerRoutes.ledger({ () async throws(LedgerError) in
                try await store.entries(from: seq, count: 1)
            }).first, entry.type == .canaryJudged
        else { throw ControlError(.notFound, "entry \(seq) is not a canary judgement") }
        let judged: CanaryJudged
        do { judged = try entry.event(CanaryJudged.self) } catch { throw ControlError(ledger: error) }
        let metrics = judged.metrics ?? []
        func five(_ s: CanaryJudged.Summary) -> [Double] { [s.min, s.q1, s.median, s.q3, s.max].map { $0 ?? .nan } }
        let boxes = metrics.map { m in SVGChart.Box(label: m.name, canary: five(m.canary), baseline: five(m.baseline)) }
        let digest = judged.digest ?? ""
        let template = judged.template ?? ""
        let history = try await control.read({ r throws(LedgerError) in
            try await r.canaryVerdicts(digest: digest, template: template, limit: 500)
        }).reversed()
        let recent = try await control.read({ r throws(LedgerError) in
            try await r.canaryVerdicts(template: template, limit: 30)
        }).reversed()
        let scoreChart = SVGChart.line(
            title: "Score of the last \(recent.count) judgements of \(template)",
            labels: recent.map { String($0.at.prefix(10)) }, values: recent.map(\.score), ceiling: 100)
        let page: [String: Any] = [
            "seq": seq, "template": template, "digest": digest, "outcome": judged.outcome?.rawValue ?? "",
            "score": judged.score.map { String(format: "%.1f", $0) } ?? "—",
            "judge": judged.judge ?? "", "at": WebFormat.time(entry.at), "actor": entry.actor,
            "metrics": metrics.map { m -> [String: Any] in
                [
                    "name": m.name, "classification": m.classification,
                    "canaryMedian": SVGChart.axis(m.canary.median ?? .nan),
                    "baselineMedian": SVGChart.axis(m.baseline.median ?? .nan), "canaryCount": m.canary.count,
                    "baselineCount": m.baseline.count,
                ]
            },
            "hasBoxes": boxes.contains { $0.canary.allSatisfy(\.isFinite) },
            "boxChart": SVGChart.boxes(title: "Canary against baseline per metric", boxes),
            "scoreChart": scoreChart,
            "history": history.map { v -> [String: Any] in
                [
                    "seq": v.seq, "score": Self.score(v.score), "outcome": v.outcome.rawValue,
                    "at": WebFormat.time(v.at), "current": v.seq == Int64(seq),
                ]
            },
        ]
        return renderer.page(
            "canary-run", title: "Canary judgement \(seq)", section: "canary", session: session, context: page,
            started: started)
    }

    static func score(_ v: Double?) -> String { v.map { String(format: "%.1f", $0) } ?? "—" }
}
