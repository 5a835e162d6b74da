public import Foundation
internal import Glibc

/// A process a test starts and stops — a server, strace, psql, curl — spawned with `posix_spawn` rather than
/// Foundation's `Process`, whose `run()` crashes a test process that holds many descriptors while other threads
/// launch processes too (see ``CommandRunner/run(_:environment:)``). Standard input is /dev/null; standard output
/// and error go to pipes the test reads, or are discarded; the child inherits no other descriptor.
public final class ChildProcess: @unchecked Sendable {
    /// Where a stream goes.
    public enum Output: Sendable {
        case pipe
        case discard
    }

    public let processIdentifier: pid_t
    /// The read ends of the pipes, when piped.
    public let standardOutput: FileHandle?
    public let standardError: FileHandle?
    /// Guards the exit status, which `waitpid` can report only once.
    private let lock = NSLock()
    private var exitStatus: Int32?

    /// Starts `executable` with `arguments` in `directory` (the repository root by default), with this process's
    /// environment plus `environment`.
    public init(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:],
        directory: String = CommandRunner.repositoryRoot.path, standardOutput: Output = .pipe,
        standardError: Output = .pipe
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        var parentEnds: [Int32] = []
        var childEnds: [Int32] = []
        defer { for fd in childEnds { close(fd) } }
        var readEnds: [FileHandle?] = []
        for (fd, output) in [(Int32(1), standardOutput), (Int32(2), standardError)] {
            switch output {
            case .discard:
                posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", O_WRONLY, 0)
                readEnds.append(nil)
            case .pipe:
                var ends: [Int32] = [-1, -1]
                guard SpawnActions.closeOnExecPipe(&ends) else {
                    for end in parentEnds { close(end) }
                    throw CommandRunner.RunnerError(
                        message: "cannot create a pipe: \(String(cString: strerror(errno)))")
                }
                posix_spawn_file_actions_adddup2(&actions, ends[1], fd)
                parentEnds.append(ends[0])
                childEnds.append(ends[1])
                readEnds.append(FileHandle(fileDescriptor: ends[0], closeOnDealloc: true))
            }
        }
        try SpawnActions.changeDirectory(&actions, directory)
        SpawnActions.closeFrom(&actions, 3)
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        // A clean signal state: this test process's threads block signals (Dispatch does), and a child inherits the
        // mask — a Python server would then never see the SIGTERM that stops it.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid = pid_t()
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard spawned == 0 else {
            throw CommandRunner.RunnerError(message: "cannot run \(executable): \(String(cString: strerror(spawned)))")
        }
        processIdentifier = pid
        self.standardOutput = readEnds[0]
        self.standardError = readEnds[1]
    }

    /// Sends `signal` (SIGTERM by default) unless the child has been reaped.
    public func signal(_ signal: Int32 = SIGTERM) {
        lock.lock()
        defer { lock.unlock() }
        if exitStatus == nil { kill(processIdentifier, signal) }
    }

    public func terminate() { signal(SIGTERM) }

    /// Whether the child has not exited yet (reaping it if it has).
    public var isRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        if exitStatus != nil { return false }
        var status: Int32 = 0
        guard waitpid(processIdentifier, &status, WNOHANG) == processIdentifier else { return true }
        exitStatus = status
        return false
    }

    /// Waits for the child to exit.
    public func waitUntilExit() {
        lock.lock()
        defer { lock.unlock() }
        guard exitStatus == nil else { return }
        var status: Int32 = 0
        while waitpid(processIdentifier, &status, 0) == -1 && errno == EINTR {}
        exitStatus = status
    }

    /// The exit code, or the number of the signal that ended the child; call after ``waitUntilExit()``.
    public var terminationStatus: Int32 {
        waitUntilExit()
        lock.lock()
        defer { lock.unlock() }
        let status = exitStatus ?? 0
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : status & 0x7f
    }

    /// Whether a signal ended the child.
    public var wasSignalled: Bool {
        waitUntilExit()
        lock.lock()
        defer { lock.unlock() }
        let status = exitStatus ?? 0
        return (status & 0x7f) != 0 && (status & 0x7f) != 0x7f
    }

    /// A child still running when the test lets go of it is stopped, so no server outlives its test.
    deinit {
        if exitStatus == nil {
            kill(processIdentifier, SIGKILL)
            var status: Int32 = 0
            while waitpid(processIdentifier, &status, 0) == -1 && errno == EINTR {}
        }
    }
}
