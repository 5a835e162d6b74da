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
/// Executions live in memory, the newest ``retention`` kept; the server records each finished one in the ledger
/// through `onFinished`. An execution lost to a restart answers 404, which Argo counts as an Error measurement
/// and retries under its `consecutiveErrorLimit`.
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
    private var executions: [String: KayentaExecution] = [:]
    /// Started executions, in the order ``run()`` picks them up.
    private nonisolated let started: AsyncStream<KayentaExecution>
    private nonisolated let enqueue: AsyncStream<KayentaExecution>.Continuation
    /// Callers of ``completed(id:)`` waiting for an execution to finish.
    private var waiters: [String: [CheckedContinuation<Void, Never>]] = [:]
    /// Execution ids, oldest first, for eviction and listing.
    private var order: [String] = []
    private let source: any KayentaMetricSource
    private let clock: any AnalysisClock
    private let onFinished: (@Sendable (KayentaExecution) async -> Void)?
    public let retention: Int

    /// - Throws: `invalidConfiguration` when two configurations share an id, or one has neither id nor name.
    public init(
        configurations: [CanaryConfiguration], source: any KayentaMetricSource,
        clock: any AnalysisClock = SystemAnalysisClock(), retention: Int = 1000,
        onFinished: (@Sendable (KayentaExecution) async -> Void)? = nil
    ) throws(CanaryError) {
        self.source = source
        self.clock = clock
        self.retention = Swift.max(1, retention)
        self.onFinished = onFinished
        (started, enqueue) = AsyncStream.makeStream(of: KayentaExecution.self)
        self.configurations = try Self.store(configurations, at: clock.now())
    }

    /// Judges every started execution, each in a child task, until a graceful shutdown (or ``stop()``); then waits
    /// for the judgements still running.
    public nonisolated func run() async {
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
    ) throws(CanaryError) -> KayentaExecution {
        guard let stored = configurations.first(where: { $0.id == configId }) else {
            throw CanaryError(.notFound, "no canary configuration with id \"\(configId)\"")
        }
        return try start(stored.configuration, configId: configId, request: request, accounts: accounts)
    }

    /// `POST /canary`: judges a configuration sent with the request.
    public func startAdHoc(
        _ configuration: CanaryConfiguration, request: KayentaExecutionRequest,
        accounts: KayentaExecution.Accounts = .init()
    ) throws(CanaryError) -> KayentaExecution {
        try start(configuration, configId: nil, request: request, accounts: accounts)
    }

    private func start(
        _ configuration: CanaryConfiguration, configId: String?, request: KayentaExecutionRequest,
        accounts: KayentaExecution.Accounts
    ) throws(CanaryError) -> KayentaExecution {
        for metric in configuration.metrics {
            let scope = metric.scopeName ?? "default"
            guard request.scopes[scope] != nil else {
                throw CanaryError(
                    .invalidInput,
                    "metric \(metric.name) reads scope \"\(scope)\", which the request's scopes do not include")
            }
        }
        let execution = KayentaExecution(
            id: UUID().uuidString.lowercased(), configId: configId, configuration: configuration, accounts: accounts,
            request: request, status: .running, started: clock.now())
        executions[execution.id] = execution
        order.append(execution.id)
        evict()
        enqueue.yield(execution)
        return execution
    }

    private func finish(_ id: String, _ outcome: Result<CanaryJudgement, CanaryError>) async {
        defer { for waiter in waiters.removeValue(forKey: id) ?? [] { waiter.resume() } }
        guard var execution = executions[id] else { return }
        switch outcome {
        case .success(let judgement):
            execution.status = .succeeded
            execution.judgement = judgement
        case .failure(let error):
            execution.status = .terminal
            execution.failure = error.message
        }
        execution.ended = clock.now()
        executions[id] = execution
        await onFinished?(execution)
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

    /// Drops the oldest finished executions beyond `retention`.
    private func evict() {
        var excess = order.count - retention
        guard excess > 0 else { return }
        order.removeAll { id in
            guard excess > 0, executions[id]?.complete ?? true else { return false }
            executions[id] = nil
            excess -= 1
            return true
        }
    }

    /// `GET /canary/{id}`.
    public func execution(id: String) throws(CanaryError) -> KayentaExecution {
        guard let execution = executions[id] else {
            throw CanaryError(.notFound, "no canary execution with id \"\(id)\"")
        }
        return execution
    }

    /// `GET /canary/executions`: newest first, `limit` per page (pages count from 1); a page beyond the last is
    /// empty, however large the numbers.
    public func listExecutions(
        application: String? = nil, statuses: Set<KayentaExecution.Status> = [], limit: Int = 20, page: Int = 1
    ) -> [KayentaExecution] {
        let matching = order.reversed().compactMap { executions[$0] }.filter {
            (application == nil || $0.accounts.application == application)
                && (statuses.isEmpty || statuses.contains($0.status))
        }
        let size = Swift.max(1, limit)
        // `limit` and `page` come from the query string: a product past Int.max is a page past the end.
        let (skip, overflow) = Swift.max(0, page - 1).multipliedReportingOverflow(by: size)
        guard !overflow else { return [] }
        return Array(matching.dropFirst(skip).prefix(size))
    }

    /// Waits for an execution to finish (the service must be running); for callers that judge synchronously.
    public func completed(id: String) async throws(CanaryError) -> KayentaExecution {
        if let running = executions[id], !running.complete {
            await withCheckedContinuation { waiters[id, default: []].append($0) }
        }
        return try execution(id: id)
    }
}
