internal import Foundation
internal import Glibc

/// Runs a helper command (`pg_ctl`, `mount`, a script) to completion and returns its standard output.
///
/// Spawned and reaped directly, not with Foundation's `Process`, and its output goes to a file, not a pipe:
/// `pg_ctl start` leaves a postmaster behind that would hold a pipe open, and `Process` did not notice the exit of
/// the script that started one (`waitUntilExit` never returned).
public enum Spawn {
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("spawn-\(UUID())").path
        defer {
            try? FileManager.default.removeItem(atPath: file + ".out")
            try? FileManager.default.removeItem(atPath: file + ".err")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, file + ".out", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, file + ".err", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        // A postmaster `pg_ctl` leaves behind must not hold the test process's files and sockets.
        SpawnActions.closeFrom(&actions, 3)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw CommandRunner.RunnerError(message: "cannot run \(executable): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let out = (try? String(contentsOfFile: file + ".out", encoding: .utf8)) ?? ""
        guard status == 0 else {
            let err = (try? String(contentsOfFile: file + ".err", encoding: .utf8)) ?? ""
            throw CommandRunner.RunnerError(message: "\(executable) \(arguments.joined(separator: " ")) failed: \(err)")
        }
        return out
    }
}
