internal import CountersignCanary
internal import CountersignEncoding
internal import CountersignLedger
internal import Foundation

/// The server's Kayenta executions, in the ledger (`canary.execution`): every node reads the same projection, so
/// whichever node Argo polls answers, and a node that starts judges what the store holds running. A finish is one
/// batch with its `canary.judged`; the projection refuses a second finish of the same execution, so when two nodes
/// both resumed one after a restart, the first judgement is the one recorded and the other is dropped.
struct LedgerKayentaExecutions: KayentaExecutionStore {
    let control: ControlPlane

    func started(_ execution: KayentaExecution) async throws(CanaryError) {
        do {
            try await control.record(
                CanaryExecutionRecorded(
                    id: execution.id, application: execution.accounts.application, state: execution.status.rawValue,
                    status: execution.statusJSON, unfinished: Self.encode(execution.unfinished)),
                actor: "countersign", at: execution.started)
        } catch {
            throw CanaryError(.unavailable, "the execution could not be recorded: \(error.message)")
        }
    }

    func finished(_ execution: KayentaExecution) async throws(CanaryError) -> Bool {
        let judged = control.canaryJudged(execution)
        do {
            var batch = EntryBatch()
            let at = execution.ended ?? control.now()
            try batch.add(
                CanaryExecutionRecorded(
                    id: execution.id, application: execution.accounts.application, state: execution.status.rawValue,
                    status: execution.statusJSON),
                actor: "countersign", at: at)
            try batch.add(judged, actor: "countersign", at: at)
            _ = try await control.record(batch)
        } catch {
            // Finished already (another node judged it first), or the ledger failed: only the second is an error.
            if let status = try? await status(id: execution.id), status["complete"] == .bool(true) { return false }
            throw CanaryError(.unavailable, "the judgement could not be recorded: \(error.message)")
        }
        if let digest = judged.digest { try? await control.redecide(digest: digest, by: "countersign") }
        return true
    }

    func status(id: String) async throws(CanaryError) -> JSONValue? {
        try await read { r throws(LedgerError) in try await r.kayentaStatus(id: id) }
    }

    func statuses(application: String?, statuses: Set<KayentaExecution.Status>, limit: Int, skip: Int)
        async throws(CanaryError) -> [JSONValue]
    {
        try await read { r throws(LedgerError) in
            try await r.kayentaStatuses(
                application: application, states: statuses.map(\.rawValue).sorted(), limit: limit, skip: skip)
        }
    }

    func unfinished() async throws(CanaryError) -> [KayentaExecution.Unfinished] {
        try await read { r throws(LedgerError) in try await r.kayentaUnfinished() }.compactMap(Self.decode)
    }

    private func read<T: Sendable>(_ body: @Sendable (ReadModel) async throws(LedgerError) -> T)
        async throws(CanaryError) -> T
    {
        do { return try await control.read(body) } catch {
            throw CanaryError(.unavailable, "the ledger cannot be read: \(error.message)")
        }
    }

    static func encode(_ u: KayentaExecution.Unfinished) -> JSONValue {
        let a = u.accounts
        return .object([
            "id": .string(u.id), "configId": u.configId.map(JSONValue.string) ?? .null,
            "configuration": u.configuration ?? .null, "request": u.request,
            "started": .string(RFC3339.string(u.started, fraction: .milliseconds)),
            "accounts": .object([
                "application": .string(a.application),
                "metricsAccountName": a.metricsAccountName.map(JSONValue.string) ?? .null,
                "configurationAccountName": a.configurationAccountName.map(JSONValue.string) ?? .null,
                "storageAccountName": a.storageAccountName.map(JSONValue.string) ?? .null,
            ]),
        ])
    }

    static func decode(_ v: JSONValue) -> KayentaExecution.Unfinished? {
        guard let id = v["id"]?.stringValue, let request = v["request"],
            let started = v["started"]?.stringValue.flatMap(RFC3339.date)
        else { return nil }
        let a = v["accounts"]
        return KayentaExecution.Unfinished(
            id: id, configId: v["configId"]?.stringValue,
            configuration: v["configuration"].flatMap { $0 == .null ? nil : $0 },
            accounts: KayentaExecution.Accounts(
                application: a?["application"]?.stringValue ?? "ad-hoc",
                metricsAccountName: a?["metricsAccountName"]?.stringValue,
                configurationAccountName: a?["configurationAccountName"]?.stringValue,
                storageAccountName: a?["storageAccountName"]?.stringValue),
            request: request, started: started)
    }
}
