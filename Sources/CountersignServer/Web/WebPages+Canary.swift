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
            }).first, entry.type.rawValue == "canary.judged"
        else { throw APIError(.notFound, "entry \(seq) is not a canary judgement") }
        let p = entry.payload
        let metrics = p["metrics"]?.arrayValue ?? []
        func five(_ v: JSONValue?) -> [Double] {
            ["min", "q1", "median", "q3", "max"].map { v?[$0]?.numberValue ?? .nan }
        }
        let boxes = metrics.map { m in
            SVGChart.Box(label: m["name"]?.stringValue ?? "?", canary: five(m["canary"]), baseline: five(m["baseline"]))
        }
        let digest = p["digest"]?.stringValue ?? ""
        let template = p["template"]?.stringValue ?? ""
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
            "seq": seq, "template": template, "digest": digest, "outcome": p["outcome"]?.stringValue ?? "",
            "score": p["score"]?.numberValue.map { String(format: "%.1f", $0) } ?? "—",
            "judge": p["judge"]?.stringValue ?? "", "at": WebFormat.time(entry.at), "actor": entry.actor,
            "metrics": metrics.map { m -> [String: Any] in
                let c = five(m["canary"])
                let b = five(m["baseline"])
                return [
                    "name": m["name"]?.stringValue ?? "", "classification": m["classification"]?.stringValue ?? "",
                    "canaryMedian": SVGChart.axis(c[2]), "baselineMedian": SVGChart.axis(b[2]),
                    "canaryCount": m["canary"]?["count"]?.integerValue ?? 0,
                    "baselineCount": m["baseline"]?["count"]?.integerValue ?? 0,
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
