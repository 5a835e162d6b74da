public import Foundation
internal import Glibc

/// Runs the real `countersign` binary — built next to the test bundle by `swift build`/`swift test` — so CLI tests
/// check exactly what users run: output and exit status.
public enum CommandRunner {
    /// The outcome of one run.
    public struct Run: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    /// The repository root (for example files), found from this source file's location.
    public static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The `countersign` executable in the build products directory.
    public static func binary() throws -> URL {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("countersign")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        throw RunnerError(message: "countersign binary not found next to \(exe.path); run `swift build` first")
    }

    /// Runs `countersign` with `arguments` in the repository root, with this process's environment plus
    /// `environment`.
    ///
    /// Spawned as a ``ChildProcess``, not with Foundation's `Process`: `Process.run()` overruns a buffer and crashes
    /// the test process when that process holds more than about 1,300 open descriptors while other threads launch
    /// processes too — which the parallel suite does (reproduced outside the suite with 2 threads and 1,360 open
    /// files).
    public static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Run {
        let child = try ChildProcess(try binary().path, arguments, environment: environment)
        let (stdout, stderr) = readBoth(child.standardOutput!, child.standardError!)
        // A signal reports as 128 + its number, as a shell does.
        let status = child.wasSignalled ? 128 + child.terminationStatus : child.terminationStatus
        return Run(
            status: status, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// Both pipes to end of file, read as they fill (`poll`, which has no descriptor-number limit), so a child
    /// that writes much to one while the other is unread never blocks.
    public static func readBoth(_ first: FileHandle, _ second: FileHandle) -> ([UInt8], [UInt8]) {
        let a = first.fileDescriptor
        let b = second.fileDescriptor
        var outputs: [[UInt8]] = [[], []]
        var open = [true, true]
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while open[0] || open[1] {
            var fds = [
                pollfd(fd: open[0] ? a : -1, events: Int16(POLLIN), revents: 0),
                pollfd(fd: open[1] ? b : -1, events: Int16(POLLIN), revents: 0),
            ]
            guard poll(&fds, 2, -1) >= 0 else {
                if errno == EINTR { continue }
                break
            }
            for i in 0..<2 where open[i] && fds[i].revents != 0 {
                let n = read(fds[i].fd, &buffer, buffer.count)
                if n > 0 {
                    outputs[i].append(contentsOf: buffer[0..<n])
                } else if n == 0 || errno != EINTR {
                    open[i] = false
                }
            }
        }
        return (outputs[0], outputs[1])
    }

    /// Everything until end of file. Foundation's `readDataToEndOfFile()` traps when a read is interrupted by a
    /// signal — and every child that exits sends one (SIGCHLD), so a test killing a server can crash another test
    /// reading its pipe; this read retries instead.
    public static func readAll(_ handle: FileHandle) -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = read(handle.fileDescriptor, &buffer, buffer.count)
            if n > 0 {
                data.append(buffer, count: n)
            } else if n < 0, errno == EINTR {
                continue
            } else {
                return data
            }
        }
    }

    /// The next chunk a pipe holds (empty at end of file), retrying reads a signal interrupted — as ``readAll(_:)``,
    /// where Foundation's `availableData` would trap.
    public static func readSome(_ handle: FileHandle) -> Data {
        var buffer = [UInt8](repeating: 0, count: 1 << 12)
        while true {
            let n = read(handle.fileDescriptor, &buffer, buffer.count)
            if n >= 0 { return Data(buffer[0..<n]) }
            if errno != EINTR { return Data() }
        }
    }

    public struct RunnerError: Error, CustomStringConvertible {
        public let message: String
        public init(message: String) { self.message = message }
        public var description: String { message }
    }
}

/// glibc's spawn actions that Swift's Glibc module does not import (they are `_np` extensions), found at run time.
enum SpawnActions {
    private typealias AddChdir =
        @convention(c) (
            UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>
        ) -> Int32
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32

    /// A pipe whose ends are close-on-exec from the start (`pipe2`), so no process another thread spawns meanwhile
    /// inherits its write end and holds it open.
    static func closeOnExecPipe(_ fds: inout [Int32]) -> Bool {
        guard let symbol = dlsym(nil, "pipe2") else { return false }
        return fds.withUnsafeMutableBufferPointer { unsafeBitCast(symbol, to: Pipe2.self)($0.baseAddress!, O_CLOEXEC) }
            == 0
    }

    /// The child starts in `path` (glibc 2.29).
    static func changeDirectory(_ actions: inout posix_spawn_file_actions_t, _ path: String) throws {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addchdir_np") else {
            throw CommandRunner.RunnerError(message: "this C library cannot set a spawned process's directory")
        }
        let addChdir = unsafeBitCast(symbol, to: AddChdir.self)
        guard addChdir(&actions, path) == 0 else {
            throw CommandRunner.RunnerError(message: "cannot start a process in \(path)")
        }
    }

    /// The child closes every descriptor from `lowest` up (glibc 2.34); without it, descriptors opened without
    /// close-on-exec stay open in the child, which a short-lived command does not use.
    static func closeFrom(_ actions: inout posix_spawn_file_actions_t, _ lowest: Int32) {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return }
        _ = unsafeBitCast(symbol, to: AddCloseFrom.self)(&actions, lowest)
    }
}
