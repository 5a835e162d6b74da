internal import CountersignCore
internal import Logging
public import ServiceLifecycle
internal import UnixSignals

/// Reloads the policy on SIGHUP without a restart, recording each new policy in the ledger. A policy that fails
/// to load is logged and the running one stays in force.
public struct PolicyReloader: Service {
    let control: ControlPlane
    let logger = Logger(label: "countersign.policy")

    public init(control: ControlPlane) { self.control = control }

    public func run() async throws {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            do {
                let bundle = try await control.reloadPolicy(by: "countersign")
                logger.info("policy reloaded", metadata: ["hash": .string(bundle.hash)])
            } catch {
                logger.error("policy reload failed", metadata: ["error": .string(error.message)])
            }
        }
    }
}
