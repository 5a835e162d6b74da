internal import Foundation
internal import Glibc

/// A PostgreSQL cluster of a test's own (`scripts/postgres.sh`), which the test may kill and restart — as a crash,
/// an OOM kill or a failover would — unlike the shared one `TestPostgres` names. Stopped and removed on deinit.
public final class ScratchPostgres: Sendable {
    public let directory: String
    /// The superuser URL of the cluster's `postgres` database.
    public let url: String
    private let port: String
    private let bin: String

    public init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("pg-\(UUID())").path
        url = try Spawn.run(Self.script, ["start", directory]).trimmingCharacters(in: .whitespacesAndNewlines)
        port = String(url.split(separator: ":")[2].prefix { $0.isNumber })
        let versions = try FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")
        bin = "/usr/lib/postgresql/\(versions.sorted().last ?? "15")/bin"
    }

    deinit { _ = try? Spawn.run(Self.script, ["stop", directory]) }

    /// Kills the server as a crash would: `pg_ctl stop -m immediate` (SIGQUIT, no checkpoint, crash recovery on
    /// the next start); every open connection is cut.
    public func kill() throws { try pgctl(["-m", "immediate", "stop"]) }

    /// Starts the killed server again on the same port, and waits until it accepts connections.
    public func restart() throws {
        try pgctl([
            "-l", directory + "/server.log", "-t", "60",
            "-o", "-c listen_addresses=127.0.0.1 -p \(port) -k \(directory) -c fsync=on -c max_connections=500",
            "start",
        ])
    }

    private static let script = CommandRunner.repositoryRoot.appendingPathComponent("scripts/postgres.sh").path

    private func pgctl(_ arguments: [String]) throws {
        let asOwner = getuid() == 0
        try Spawn.run(
            asOwner ? "/usr/sbin/runuser" : bin + "/pg_ctl",
            (asOwner ? ["-u", "postgres", "--", bin + "/pg_ctl"] : []) + ["-D", directory + "/data", "-w"] + arguments)
    }
}
