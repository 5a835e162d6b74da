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
        url = try Self.run(Self.script, ["start", directory]).trimmingCharacters(in: .whitespacesAndNewlines)
        port = String(url.split(separator: ":")[2].prefix { $0.isNumber })
        let versions = try FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")
        bin = "/usr/lib/postgresql/\(versions.sorted().last ?? "15")/bin"
    }

    deinit { _ = try? Self.run(Self.script, ["stop", directory]) }

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
        try Self.run(
            asOwner ? "/usr/sbin/runuser" : bin + "/pg_ctl",
            (asOwner ? ["-u", "postgres", "--", bin + "/pg_ctl"] : []) + ["-D", directory + "/data", "-w"] + arguments)
    }

    /// Runs a command to completion, its output in a file. Spawned and reaped directly, not with Foundation's
    /// `Process`: `pg_ctl start` leaves a postmaster behind that would hold a pipe open, and `Process` did not
    /// notice the exit of the script that started one (`waitUntilExit` never returned).
    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pgctl-\(UUID()).out").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, file, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, file + ".err", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        defer { try? FileManager.default.removeItem(atPath: file + ".err") }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw CommandRunner.RunnerError(message: "cannot run \(executable): errno \(spawned)")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        guard status == 0 else {
            let err = (try? String(contentsOfFile: file + ".err", encoding: .utf8)) ?? ""
            throw CommandRunner.RunnerError(message: "\(executable) \(arguments) failed (status \(status)): \(err)")
        }
        return text
    }
}
