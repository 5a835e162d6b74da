public import Foundation

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
    public static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Run {
        let process = Process()
        process.executableURL = try binary()
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        process.currentDirectoryURL = repositoryRoot
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = readAll(out.fileHandleForReading)
        let stderr = readAll(err.fileHandleForReading)
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
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
