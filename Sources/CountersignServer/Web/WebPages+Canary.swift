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
        let list = try await rows(
            "SELECT seq, verdict_id, digest, template, outcome, score, at FROM canary_verdicts ORDER BY seq DESC LIMIT 100"
        )
        let items: [[String: Any]] = list.map { row in
            [
                "seq": row.integer("seq") ?? 0, "template": row.text("template") ?? "",
                "outcome": row.text("outcome") ?? "", "score": Self.score(row["score"]),
                "digest": row.text("digest") ?? "", "digestShort": WebFormat.short(row.text("digest")),
                "at": WebFormat.time(row.text("at")),
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
            throw APIError(.badRequest, "the judgement number must be an integer")
        }
        let store = control.store
        guard
            let entry = try await LedgerRoutes.ledger({ () async throws(LedgerError) in
                try await store.entries(from: seq, count: 1)
            }).first, entry.type == .canaryJudged
        else { throw APIError(.notFound, "entry \(seq) is not a canary judgement") }
        let judged: CanaryJudged
        do { judged = try entry.event(CanaryJudged.self) } catch { throw APIError(ledger: error) }
        let metrics = judged.metrics ?? []
        func five(_ s: CanaryJudged.Summary) -> [Double] { [s.min, s.q1, s.median, s.q3, s.max].map { $0 ?? .nan } }
        let boxes = metrics.map { m in SVGChart.Box(label: m.name, canary: five(m.canary), baseline: five(m.baseline)) }
        let digest = judged.digest ?? ""
        let template = judged.template ?? ""
        let history = try await rows(
            "SELECT seq, score, outcome, at FROM canary_verdicts WHERE digest = ? AND template = ? ORDER BY seq",
            [.text(digest), .text(template)])
        let recent = try await rows(
            "SELECT seq, score, at FROM canary_verdicts WHERE template = ? ORDER BY seq DESC LIMIT 30",
            [.text(template)]
        ).reversed()
        let scoreChart = SVGChart.line(
            title: "Score of the last \(recent.count) judgements of \(template)",
            labels: recent.map { String(($0.text("at") ?? "").prefix(10)) },
            values: recent.map { row in row["score"].realValue }, ceiling: 100)
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
            "history": history.map { row -> [String: Any] in
                [
                    "seq": row.integer("seq") ?? 0, "score": Self.score(row["score"]),
                    "outcome": row.text("outcome") ?? "",
                    "at": WebFormat.time(row.text("at")), "current": row.integer("seq") == Int64(seq),
                ]
            },
        ]
        return renderer.page(
            "canary-run", title: "Canary judgement \(seq)", section: "canary", session: session, context: page,
            started: started)
    }

    static func score(_ v: SQLValue) -> String { v.realValue.map { String(format: "%.1f", $0) } ?? "—" }
}
