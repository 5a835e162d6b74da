public import CountersignEncoding
public import Foundation

/// Where a ``KayentaService`` keeps its executions. The server keeps them in the ledger (`canary.execution`), so
/// any node answers Argo's poll and a restart loses nothing: a starting service judges every execution the store
/// holds unfinished. ``MemoryKayentaExecutions`` is the in-process store of the CLI and of tests.
public protocol KayentaExecutionStore: Sendable {
    /// Keeps a started execution.
    func started(_ execution: KayentaExecution) async throws(CanaryError)
    /// Keeps a finished execution; false when it was finished already (two nodes resumed it after a restart and
    /// both judged it), and then it must not be acted on again.
    func finished(_ execution: KayentaExecution) async throws(CanaryError) -> Bool
    /// `GET /canary/{id}`: the execution's status as Kayenta shows it, nil when there is none.
    func status(id: String) async throws(CanaryError) -> JSONValue?
    /// `GET /canary/executions`: statuses newest first, after skipping `skip`.
    func statuses(application: String?, statuses: Set<KayentaExecution.Status>, limit: Int, skip: Int)
        async throws(CanaryError) -> [JSONValue]
    /// Started and not finished: what a (re)starting service judges.
    func unfinished() async throws(CanaryError) -> [KayentaExecution.Unfinished]
}

extension KayentaExecution {
    /// What a service needs to judge an execution another process started: the configuration by id (a served
    /// one) or as sent (ad hoc), the request, the accounts and when it started.
    public struct Unfinished: Sendable, Hashable {
        public var id: String
        public var configId: String?
        public var configuration: JSONValue?
        public var accounts: Accounts
        public var request: JSONValue
        public var started: Date

        public init(
            id: String, configId: String?, configuration: JSONValue?, accounts: Accounts, request: JSONValue,
            started: Date
        ) {
            self.id = id
            self.configId = configId
            self.configuration = configuration
            self.accounts = accounts
            self.request = request
            self.started = started
        }
    }

    /// The execution as a store keeps it to resume it: `configuration` only when ad hoc.
    public var unfinished: Unfinished {
        Unfinished(
            id: id, configId: configId, configuration: configId == nil ? configurationJSON : nil, accounts: accounts,
            request: request.json, started: started)
    }
}

/// Executions in this process's memory, the newest ``retention`` kept (finished ones are evicted first): the
/// CLI's and tests' store. One restart loses them, which is why the server does not use it.
public actor MemoryKayentaExecutions: KayentaExecutionStore {
    private var executions: [String: KayentaExecution] = [:]
    /// Ids, oldest first.
    private var order: [String] = []
    public let retention: Int

    public init(retention: Int = 1000) { self.retention = Swift.max(1, retention) }

    public func started(_ execution: KayentaExecution) {
        executions[execution.id] = execution
        order.append(execution.id)
        var excess = order.count - retention
        guard excess > 0 else { return }
        order.removeAll { id in
            guard excess > 0, executions[id]?.complete ?? true else { return false }
            executions[id] = nil
            excess -= 1
            return true
        }
    }

    public func finished(_ execution: KayentaExecution) -> Bool {
        guard executions[execution.id]?.complete != true else { return false }
        executions[execution.id] = execution
        return true
    }

    public func status(id: String) -> JSONValue? { executions[id]?.statusJSON }

    public func statuses(application: String?, statuses: Set<KayentaExecution.Status>, limit: Int, skip: Int)
        -> [JSONValue]
    {
        Array(
            order.reversed().lazy.compactMap { self.executions[$0] }.filter {
                (application == nil || $0.accounts.application == application)
                    && (statuses.isEmpty || statuses.contains($0.status))
            }.dropFirst(skip).prefix(limit).map(\.statusJSON))
    }

    public func unfinished() -> [KayentaExecution.Unfinished] {
        order.compactMap { executions[$0] }.filter { !$0.complete }.map(\.unfinished)
    }
}
