public import CountersignCanary
internal import CountersignLedger
internal import Foundation

extension ControlPlane {
    /// The Kayenta API over `configurations`, reading metrics from the Prometheus at `prometheus`; every finished
    /// execution is recorded as `canary.judged`.
    public func kayenta(configurations: [CanaryConfiguration], prometheus: String) throws(CanaryError) -> KayentaAPI {
        let service = try KayentaService(
            configurations: configurations, source: PrometheusKayentaSource(address: prometheus),
            onFinished: { execution in await self.recordCanary(execution) })
        return KayentaAPI(service: service)
    }

    /// Records one Kayenta execution. A failure to record is logged by the caller's absence of an entry only:
    /// the judgement itself was already answered to Argo, which polls it by id.
    func recordCanary(_ execution: KayentaExecution) async {
        var payload: [(String, CountersignLedger.JSONValue)] = [
            ("id", .string(execution.id)), ("template", .string(execution.configId ?? "ad-hoc")),
            ("application", .string(execution.accounts.application)), ("status", .string(execution.status.rawValue)),
        ]
        if let judgement = execution.judgement, let score = execution.reportedScore {
            let outcome =
                switch judgement.verdict {
                case .pass: "pass"
                case .fail, .error: "fail"
                case .marginal, .inconclusive: "inconclusive"
                }
            payload += [
                ("outcome", .string(outcome)), ("score", .number(score)), ("judge", .string(judgement.judgeName)),
            ]
        } else {
            payload += [("outcome", .string("fail")), ("failure", .string(execution.failure ?? "not judged"))]
        }
        _ = try? await record("canary.judged", actor: "countersign", payload: .object(payload), at: execution.ended)
    }
}
