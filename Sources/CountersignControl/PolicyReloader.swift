internal import CountersignCore
internal import Logging
public import ServiceLifecycle
internal import UnixSignals

/// Keeps the policy in step with the ledger: every few seconds it takes up a policy another node published, and
/// on SIGHUP it proposes the policy file (by `operator`), which any admin may then approve. Nothing takes effect
/// without a recorded approval.
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
                        let hash = try await control.proposePolicy(by: "operator")
                        logger.info("policy proposed; an admin must approve it", metadata: ["hash": .string(hash)])
                    } catch {
                        logger.error("policy proposal failed", metadata: ["error": .string("\(error)")])
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
