public import CountersignEncoding
public import Foundation
public import ServiceLifecycle

/// The Kayenta `/canary` service Argo Rollouts' Kayenta provider drives (reference §2): canary configurations by
/// id, executions started by a request and judged in the background, their status polled by id.
///
/// Each execution reads every metric's control and experiment series from the ``KayentaMetricSource``
/// concurrently, then judges them — with countersign-v1 when the configuration's `judge.name` says
/// `countersign-v1`, otherwise with Kayenta's NetflixACAJudge-v1.0. A metric that cannot be read makes the
/// execution `terminal` with the reason, as in Kayenta (Argo then records an Error measurement).
///
/// Executions are kept in a ``KayentaExecutionStore``: the server's is the ledger, so any node answers a poll and a
/// restart loses nothing — a starting service judges every execution the store holds unfinished, and a store that
/// already holds one finished (two nodes resumed it) keeps the first judgement alone. ``MemoryKayentaExecutions``
/// (the default) keeps the newest ``retention`` in this process.
///
/// The service judges in child tasks of the one task group ``run()`` owns — a `Service` in the server's group — so
/// no judgement outlives the server: a graceful shutdown stops taking executions and waits for those running.
public actor KayentaService: Service {
    /// A configuration with the id it is served under.
    public struct StoredConfiguration: Sendable, Hashable {
        public var id: String
        public var configuration: CanaryConfiguration
        public var updated: Date
    }

    private var configurations: [StoredConfiguration] = []
    /// Executions this service is judging, by id.
    private var judging: [String: KayentaExecution] = [:]
    /// Started executions, in the order ``run()`` picks them up.
    private nonisolated let started: AsyncStream<KayentaExecution>
    private nonisolated let enqueue: AsyncStream<KayentaExecution>.Continuation
    /// The last executions this service judged, newest last, for ``completed(id:)`` asked after the fact.
    private var judged: [KayentaExecution] = []
    /// Callers of ``completed(id:)`` waiting for an execution to finish.
    private var waiters: [String: [CheckedContinuation<KayentaExecution, Never>]] = [:]
    private let source: any KayentaMetricSource
    private let clock: any AnalysisClock
    public nonisolated let store: any KayentaExecutionStore

    /// - Throws: `invalidConfiguration` when two configurations share an id, or one has neither id nor name.
    public init(
        configurations: [CanaryConfiguration], source: any KayentaMetricSource,
        clock: any AnalysisClock = SystemAnalysisClock(),
        store: any KayentaExecutionStore = MemoryKayentaExecutions()
    ) throws(CanaryError) {
        self.source = source
        self.clock = clock
        self.store = store
        (started, enqueue) = AsyncStream.makeStream(of: KayentaExecution.self)
        self.configurations = try Self.store(configurations, at: clock.now())
    }

    /// Judges every execution the store holds unfinished — started by a process that stopped before judging it —
    /// then every started one, each in a child task, until a graceful shutdown (or ``stop()``); then waits for
    /// the judgements still running.
    public nonisolated func run() async {
        await resume()
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for await execution in started {
                    let source = self.source
                    group.addTask {
                        let outcome = await Self.judge(execution, source: source)
                        await self.finish(execution.id, outcome)
                    }
                }
            }
        } onGracefulShutdown: {
            self.stop()
        }
    }

    /// Stops taking executions; ``run()`` returns once the running ones are judged.
    public nonisolated func stop() { enqueue.finish() }

    /// Runs the service while `body` runs — for callers outside a service group (tests, the fuzzer) — then stops it
    /// and waits for the judgements still running.
    public nonisolated func whileRunning<T: Sendable>(_ body: () async throws -> T) async rethrows -> T {
        async let running: Void = run()
        do {
            let result = try await body()
            stop()
            await running
            return result
        } catch {
            stop()
            await running
            throw error
        }
    }

    /// Replaces the served configurations (a policy reload); running executions keep the one they started with.
    public func replaceConfigurations(_ configurations: [CanaryConfiguration]) throws(CanaryError) {
        self.configurations = try Self.store(configurations, at: clock.now())
    }

    private static func store(
        _ configurations: [CanaryConfiguration], at time: Date
    ) throws(CanaryError) -> [StoredConfiguration] {
        var seen: Set<String> = []
        var stored: [StoredConfiguration] = []
        for config in configurations {
            guard let id = config.id ?? config.name, !id.isEmpty else {
                throw CanaryError(.invalidConfiguration, "a served canary configuration needs an id or a name")
            }
            guard seen.insert(id).inserted else {
                throw CanaryError(.invalidConfiguration, "two canary configurations have the id \"\(id)\"")
            }
            stored.append(StoredConfiguration(id: id, configuration: config, updated: time))
        }
        return stored
    }

    /// `GET /canaryConfig`: the configurations, those of `application` when given (a configuration that names
    /// no applications serves every one).
    public func listConfigurations(application: String? = nil) -> [StoredConfiguration] {
        guard let application, !application.isEmpty else { return configurations }
        return configurations.filter {
            $0.configuration.applications.isEmpty
                || $0.configuration.applications.contains(application)
        }
    }

    /// `POST /canary/{configId}`: starts judging and returns the running execution.
    public func start(
        configId: String, request: KayentaExecutionRequest, accounts: KayentaExecution.Accounts = .init()
    ) async throws(CanaryError) -> KayentaExecution {
        guard let stored = configurations.first(where: { $0.id == configId }) else {
            throw CanaryError(.notFound, "no canary configuration with id \"\(configId)\"")
        }
        return try await start(stored.configuration, configId: configId, request: request, accounts: accounts)
    }

    /// `POST /canary`: judges a configuration sent with the request.
    /// `json` is the configuration as sent, kept so that another process can judge it after a restart.
    public func startAdHoc(
        _ configuration: CanaryConfiguration, json: JSONValue? = nil, request: KayentaExecutionRequest,
        accounts: KayentaExecution.Accounts = .init()
    ) async throws(CanaryError) -> KayentaExecution {
        try await start(configuration, configId: nil, request: request, accounts: accounts, json: json)
    }

    /// Queues what the store holds unfinished. A configuration that is no longer served, or an ad-hoc one that no
    /// longer decodes, is finished as terminal with the reason, so Argo's poll ends.
    private func resume() async {
        guard let unfinished = try? await store.unfinished() else { return }
        for stored in unfinished where judging[stored.id] == nil {
            let configuration: CanaryConfiguration?
            if let id = stored.configId {
                configuration = configurations.first { $0.id == id }?.configuration
            } else {
                configuration = stored.configuration.flatMap { try? CanaryConfiguration.decode($0) }
            }
            guard let request = try? KayentaExecutionRequest.decode(stored.request) else { continue }
            var execution = KayentaExecution(
                id: stored.id, configId: stored.configId,
                configuration: configuration ?? CanaryConfiguration(metrics: [], name: stored.configId ?? "ad-hoc"),
                accounts: stored.accounts, request: request, status: .running, started: stored.started)
            execution.configurationJSON = stored.configuration
            judging[execution.id] = execution
            if configuration == nil {
                await finish(
                    execution.id,
                    .failure(
                        CanaryError(
                            .notFound,
                            "canary configuration \"\(stored.configId ?? "ad-hoc")\" is no longer served")))
            } else {
                enqueue.yield(execution)
            }
        }
    }

    private func start(
        _ configuration: CanaryConfiguration, configId: String?, request: KayentaExecutionRequest,
        accounts: KayentaExecution.Accounts, json: JSONValue? = nil
    ) async throws(CanaryError) -> KayentaExecution {
        for metric in configuration.metrics {
            let scope = metric.scopeName ?? "default"
            guard request.scopes[scope] != nil else {
                throw CanaryError(
                    .invalidInput,
                    "metric \(metric.name) reads scope \"\(scope)\", which the request's scopes do not include")
            }
        }
        var execution = KayentaExecution(
            id: UUID().uuidString.lowercased(), configId: configId, configuration: configuration, accounts: accounts,
            request: request, status: .running, started: clock.now())
        execution.configurationJSON = json
        try await store.started(execution)
        judging[execution.id] = execution
        enqueue.yield(execution)
        return execution
    }

    private func finish(_ id: String, _ outcome: Result<CanaryJudgement, CanaryError>) async {
        guard var execution = judging.removeValue(forKey: id) else { return }
        switch outcome {
        case .success(let judgement):
            execution.status = .succeeded
            execution.judgement = judgement
        case .failure(let error):
            execution.status = .terminal
            execution.failure = error.message
        }
        execution.ended = clock.now()
        // A store that cannot keep it leaves it unfinished there: the next start judges it again.
        _ = try? await store.finished(execution)
        judged.append(execution)
        if judged.count > 256 { judged.removeFirst(judged.count - 256) }
        for waiter in waiters.removeValue(forKey: id) ?? [] { waiter.resume(returning: execution) }
    }

    /// Reads every series, then judges; runs off the actor so slow metric stores do not block polling.
    private static func judge(
        _ execution: KayentaExecution, source: any KayentaMetricSource
    ) async -> Result<CanaryJudgement, CanaryError> {
        let config = execution.configuration
        typealias Read = (metric: String, control: Bool, values: [Double])
        do {
            let reads = try await withThrowingTaskGroup(of: Read.self) { group in
                for metric in config.metrics {
                    let pair = execution.request.scopes[metric.scopeName ?? "default"]!
                    for (control, scope) in [(true, pair.control), (false, pair.experiment)] {
                        group.addTask {
                            (metric.name, control, try await source.series(of: metric, in: config, scope: scope))
                        }
                    }
                }
                var all: [Read] = []
                for try await read in group { all.append(read) }
                return all
            }
            var baseline: [String: [Double]] = [:]
            var canary: [String: [Double]] = [:]
            for read in reads {
                if read.control { baseline[read.metric] = read.values } else { canary[read.metric] = read.values }
            }
            let judge: any CanaryJudge = config.judgeName == "countersign-v1" ? CountersignJudge() : KayentaJudge()
            return .success(
                judge.judge(
                    config: config, canary: canary, baseline: baseline, thresholds: execution.request.thresholds))
        } catch let error as CanaryError {
            return .failure(error)
        } catch {
            return .failure(CanaryError(.measurementFailed, "\(error)"))
        }
    }

    /// `GET /canary/{id}`: the execution's status, from the store (any node's execution).
    public func status(id: String) async throws(CanaryError) -> JSONValue {
        guard let status = try await store.status(id: id) else {
            throw CanaryError(.notFound, "no canary execution with id \"\(id)\"")
        }
        return status
    }

    /// `GET /canary/executions`: newest first, `limit` per page (pages count from 1); a page beyond the last is
    /// empty, however large the numbers.
    public func listExecutions(
        application: String? = nil, statuses: Set<KayentaExecution.Status> = [], limit: Int = 20, page: Int = 1
    ) async throws(CanaryError) -> [JSONValue] {
        let size = Swift.max(1, limit)
        // `limit` and `page` come from the query string: a product past Int.max is a page past the end.
        let (skip, overflow) = Swift.max(0, page - 1).multipliedReportingOverflow(by: size)
        guard !overflow else { return [] }
        return try await store.statuses(application: application, statuses: statuses, limit: size, skip: skip)
    }

    /// Waits for an execution this service is judging to finish (the service must be running), and returns it.
    public func completed(id: String) async throws(CanaryError) -> KayentaExecution {
        if let done = judged.last(where: { $0.id == id }) { return done }
        guard judging[id] != nil else {
            throw CanaryError(.notFound, "canary execution \"\(id)\" is not being judged here")
        }
        return await withCheckedContinuation { waiters[id, default: []].append($0) }
    }
}
