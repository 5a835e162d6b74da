public import CountersignEncoding
internal import Foundation

extension KayentaExecution {
    /// The `GET /canary/{id}` answer in Kayenta's `CanaryExecutionStatusResponse` shape: what Argo Rollouts reads
    /// (`complete`, `result.judgeResult.score.score`) plus the per-metric results Kayenta's UI shows. `result` is
    /// present only when the execution succeeded, `exception` only when it is terminal.
    public var statusJSON: JSONValue {
        var o: [String: JSONValue] = [
            "id": .string(id),
            "application": .string(accounts.application),
            "complete": .bool(complete),
            "status": .string(status.rawValue),
            "canaryExecutionRequest": request.json,
            "buildTimeMillis": .number(KayentaTime.millis(started)),
            "buildTimeIso": .string(KayentaTime.format(started)),
            "startTimeMillis": .number(KayentaTime.millis(started)),
            "startTimeIso": .string(KayentaTime.format(started)),
        ]
        if let configId { o["canaryConfigId"] = .string(configId) }
        if let name = configuration.name { o["config"] = .object(["name": .string(name)]) }
        if let ended {
            o["endTimeMillis"] = .number(KayentaTime.millis(ended))
            o["endTimeIso"] = .string(KayentaTime.format(ended))
        }
        for (key, value) in [
            ("metricsAccountName", accounts.metricsAccountName),
            ("configurationAccountName", accounts.configurationAccountName),
            ("storageAccountName", accounts.storageAccountName),
        ] {
            if let value { o[key] = .string(value) }
        }
        if let failure { o["exception"] = .object(["message": .string(failure)]) }
        if status == .succeeded, let judgement, let score = reportedScore {
            var duration: JSONValue = .null
            if let ended { duration = .number(ended.timeIntervalSince(started) * 1000) }
            o["result"] = .object(["judgeResult": judgement.kayentaJSON(score: score), "canaryDuration": duration])
        }
        return .object(o)
    }
}

extension KayentaExecutionRequest {
    var json: JSONValue {
        func side(_ s: KayentaScope) -> JSONValue {
            .object([
                "scope": .string(s.scope), "location": .string(s.location),
                "start": .string(KayentaTime.format(s.start)), "end": .string(KayentaTime.format(s.end)),
                "step": .number(Double(s.step)),
                "extendedScopeParams": .object(s.extendedScopeParams.mapValues { .string($0) }),
            ])
        }
        return .object([
            "scopes": .object(
                scopes.mapValues {
                    .object(["controlScope": side($0.control), "experimentScope": side($0.experiment)])
                }
            ),
            "thresholds": .object(["pass": .number(thresholds.pass), "marginal": .number(thresholds.marginal)]),
        ])
    }
}

extension CanaryJudgement {
    /// Kayenta's `CanaryJudgeResult`. `score.score` is the score Argo reads; countersign-v1's own verdict and
    /// weighted score are kept beside it under `countersign`.
    func kayentaJSON(score: Double) -> JSONValue {
        let results: [JSONValue] = metrics.map { m in
            var resultMetadata: [String: JSONValue] = ["ratio": .finite(m.ratio)]
            if let mw = m.evidence.mannWhitney {
                resultMetadata["lowerConfidence"] = .finite(mw.lowerBound)
                resultMetadata["upperConfidence"] = .finite(mw.upperBound)
                resultMetadata["estimate"] = .finite(mw.estimate)
            }
            if let effect = m.evidence.effectSize { resultMetadata["effectSize"] = .finite(effect) }
            return .object([
                "name": .string(m.name),
                "classification": .string(m.classification.rawValue),
                "classificationReason": m.reason.map(JSONValue.string) ?? .string(""),
                "groups": .array(m.groups.map(JSONValue.string)),
                "critical": .bool(m.critical),
                "muted": .bool(m.muted),
                "experimentMetadata": .object(["stats": m.canaryStatistics.kayentaJSON]),
                "controlMetadata": .object(["stats": m.baselineStatistics.kayentaJSON]),
                "resultMetadata": .object(resultMetadata),
            ])
        }
        let groupScores: [JSONValue] = groups.map { g in
            .object([
                "name": .string(g.name), "score": .finite(g.score), "noData": .bool(g.noData),
                "weight": .finite(g.weight),
            ])
        }
        return .object([
            "judgeName": .string(judgeName),
            "results": .array(results),
            "groupScores": .array(groupScores),
            "score": .object([
                "score": .finite(score),
                "classification": .string(classification.rawValue),
                "classificationReason": .string(reason ?? ""),
            ]),
            "countersign": .object([
                "verdict": .string(verdict.rawValue), "score": .finite(self.score),
                "warnings": .array(warnings.map(JSONValue.string)),
            ]),
        ])
    }
}

extension DescriptiveStatistics {
    var kayentaJSON: JSONValue {
        .object([
            "count": .number(Double(count)), "mean": .finite(mean), "min": .finite(min), "max": .finite(max),
            "std": .finite(std),
        ])
    }
}

extension JSONValue {
    /// A number, or null where JSON has none (NaN, ±∞).
    static func finite(_ x: Double) -> JSONValue { x.isFinite ? .number(x) : .null }

}
