internal import CountersignCore
internal import Logging
public import ServiceLifecycle
internal import UnixSignals

/// Keeps the policy in step with the ledger: every few seconds it takes up a policy another node published, and
/// on SIGHUP it stages the policy file — checks that it loads and logs its hash. Staging records nothing: an admin
/// adopts the candidate by proposing it (becoming its proposer) and a different person approves it.
public struct PolicyReloader: Service {
    let control: ControlPlane
    let interval: Duration
    let logger = Logger(label: "countersign.policy")

    public init(control: ControlPlane, interval: Duration = .seconds(5)) {
        self.control = control
        self.interval = interval
    }

    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
                    do {
                        let hash = try control.stagePolicy()
                        logger.info(
                            "policy file staged; an admin adopts it (POST /api/v1/policy/proposals), another person approves it",
                            metadata: ["hash": .string(hash)])
                    } catch {
                        logger.error("policy file not staged", metadata: ["error": .string("\(error)")])
                    }
                }
            }
            group.addTask {
                while !Task.isShuttingDownGracefully && !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    if (try? await control.syncPolicy()) == true {
                        logger.info(
                            "policy taken up from the ledger", metadata: ["hash": .string(control.policy.bundle.hash)])
                    }
                }
            }
            await group.next()
            group.cancelAll()
        }
    }
}
