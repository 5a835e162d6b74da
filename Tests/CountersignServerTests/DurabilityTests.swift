import CountersignTesting
import Foundation
import Testing

/// "Acknowledged means on disk", proved on the real binary: strace records every write and sync of the ledger's
/// WAL and every acknowledgement (an HTTP 2xx answer, a line `ledger append` prints), and each acknowledgement
/// must follow a completed sync of everything written to the WAL before it. kill -9 cannot show a missing sync —
/// the page cache survives a killed process — only a trace of the system calls can.
@Suite(.serialized) struct DurabilityTests {
    @Test func theAuditCatchesAnAcknowledgementBeforeTheSync() {
        // A negative control: the trace of a commit under synchronous=NORMAL (WAL written, never synced).
        let unsynced = """
            100 pwrite64(7</tmp/l.db-wal>, "\\067\\177\\6\\202"..., 4096, 32) = 4096
            101 writev(12<TCP:[127.0.0.1:8080->127.0.0.1:4242]>, [{iov_base="HTTP/1.1 201 Created\\r\\n", iov_len=22}], 1) = 22
            """
        #expect(SyncAudit(trace: unsynced, acknowledgement: SyncAudit.httpSuccess).violations.count == 1)
        let synced = """
            100 pwrite64(7</tmp/l.db-wal>, "\\067\\177\\6\\202"..., 4096, 32) = 4096
            100 fdatasync(7</tmp/l.db-wal> <unfinished ...>
            101 writev(12<TCP:[127.0.0.1:8080->127.0.0.1:4242]>, [{iov_base="HTTP/1.1 201 Created\\r\\n", iov_len=22}], 1) = 22
            100 <... fdatasync resumed>) = 0
            """
        // The answer was sent while the sync was still running: not yet durable.
        #expect(SyncAudit(trace: synced, acknowledgement: SyncAudit.httpSuccess).violations.count == 1)
        let ordered = """
            100 pwrite64(7</tmp/l.db-wal>, "\\067\\177\\6\\202"..., 4096, 32) = 4096
            6991  fdatasync(7</tmp/l.db-wal>)    = 0
            101 writev(12<TCP:[127.0.0.1:8080->127.0.0.1:4242]>, [{iov_base="HTTP/1.1 201 Created\\r\\n", iov_len=22}], 1) = 22
            """
        let audit = SyncAudit(trace: ordered, acknowledgement: SyncAudit.httpSuccess)
        #expect(audit.violations.isEmpty && audit.acknowledgements == 1 && audit.syncs == 1)
    }

    @Test func everyAcknowledgementFollowsASyncOfTheWAL() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("durable-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let database = dir.appendingPathComponent("ledger.db").path
        let token = try CommandRunner.run([
            "tokens", "create", "--identity", "deploy-bot", "--role", "deployer", "--database", database,
        ])
        try #require(token.status == 0, "\(token.stderr)")
        let bearer = token.stdout.trimmingCharacters(in: .whitespacesAndNewlines)

        // `ledger append` alone.
        let lines = (0..<20).map { #"{"type":"team.changed","actor":"admin","payload":{"n":\#($0)}}"# }
        let batch = dir.appendingPathComponent("batch.jsonl")
        try lines.joined(separator: "\n").write(to: batch, atomically: true, encoding: .utf8)
        let alone = try Self.traced(
            ["ledger", "append", "--database", database, batch.path], trace: dir.appendingPathComponent("alone"))
        try #require(alone.status == 0, "\(alone.stderr)")
        Self.expectDurable(alone.trace, SyncAudit.standardOutput, printed: 1)

        // The server, answering deploy requests, with `ledger append` writing beside it.
        let serverTrace = dir.appendingPathComponent("server")
        let server = try ChildProcess(
            "/usr/bin/strace",
            Self.straceArguments(output: serverTrace) + [
                try CommandRunner.binary().path, "serve", "--database", database, "--port", "0",
            ], standardError: .discard)
        let listening = String(decoding: CommandRunner.readSome(server.standardOutput!), as: UTF8.self)
        let url = try #require(
            listening.split(separator: " ").first { $0.hasPrefix("http://127.0.0.1:") }.map(String.init),
            "no listening line: \(listening)")
        let body = try String(
            contentsOf: CommandRunner.repositoryRoot.appendingPathComponent(
                "examples/requests/payments-migration.json"),
            encoding: .utf8)
        var created = 0
        for round in 0..<8 {
            let answer = try Self.curl([
                "-H", "Authorization: Bearer \(bearer)", "-d", body, url + "/api/v1/deploy-requests",
            ])
            if answer.hasPrefix("2") { created += 1 }
            if round == 3 {
                let beside = try Self.traced(
                    ["ledger", "append", "--database", database, batch.path],
                    trace: dir.appendingPathComponent("beside"))
                #expect(beside.status == 0, "\(beside.stderr)")
                Self.expectDurable(beside.trace, SyncAudit.standardOutput, printed: 1)
            }
        }
        // SIGTERM to the traced server, not to strace (which would detach and leave it running); strace then ends.
        let children =
            (try? String(
                contentsOfFile: "/proc/\(server.processIdentifier)/task/\(server.processIdentifier)/children",
                encoding: .utf8)) ?? ""
        for pid in children.split(separator: " ").compactMap({ Int32($0) }) { kill(pid, SIGTERM) }
        server.waitUntilExit()
        #expect(created == 8)
        Self.expectDurable(try String(contentsOf: serverTrace, encoding: .utf8), SyncAudit.httpSuccess, printed: 8)
    }

    private static func expectDurable(
        _ trace: String, _ acknowledgement: @escaping @Sendable (Substring) -> Bool, printed: Int,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let audit = SyncAudit(trace: trace, acknowledgement: acknowledgement)
        // `ledger append` prints its seqs in one buffered write: one acknowledgement for the batch.
        #expect(audit.acknowledgements >= printed, "acknowledgements seen", sourceLocation: sourceLocation)
        #expect(audit.syncs > 0, "no sync of the WAL at all", sourceLocation: sourceLocation)
        #expect(
            audit.violations.isEmpty,
            "acknowledged before the WAL was synced:\n\(audit.violations.prefix(3).joined(separator: "\n"))",
            sourceLocation: sourceLocation)
    }

    private static func straceArguments(output: URL) -> [String] {
        [
            "-f", "-qq", "-y", "-yy", "-s", "48", "-o", output.path, "-e",
            "trace=write,writev,pwrite64,pwritev,pwritev2,sendmsg,sendto,fsync,fdatasync",
        ]
    }

    private static func traced(_ arguments: [String], trace: URL) throws -> (
        status: Int32, stderr: String, trace: String
    ) {
        let p = try ChildProcess(
            "/usr/bin/strace", straceArguments(output: trace) + [try CommandRunner.binary().path] + arguments)
        let (_, err) = CommandRunner.readBoth(p.standardOutput!, p.standardError!)
        let stderr = String(decoding: err, as: UTF8.self)
        return (p.terminationStatus, stderr, try String(contentsOf: trace, encoding: .utf8))
    }

    /// `curl`'s status code and body.
    private static func curl(_ arguments: [String]) throws -> String {
        let p = try ChildProcess(
            "/usr/bin/curl", ["-s", "--max-time", "20", "-w", "%{http_code} "] + arguments + ["-o", "/dev/null"],
            standardError: .discard)
        let text = String(decoding: CommandRunner.readAll(p.standardOutput!), as: UTF8.self)
        p.waitUntilExit()
        return text
    }
}

/// Reads an `strace -f -y` log in order: a write to a `-wal` file makes the WAL dirty; a *completed* fsync or
/// fdatasync of it makes it clean; an acknowledgement while it is dirty is a violation.
struct SyncAudit {
    var violations: [String] = []
    var acknowledgements = 0
    var syncs = 0

    /// An HTTP success answer written to a socket.
    static let httpSuccess: @Sendable (Substring) -> Bool = { line in
        line.contains("TCP:[") && line.contains("\"HTTP/1.1 2")
    }
    /// A line written to standard output (a pipe, fd 1).
    static let standardOutput: @Sendable (Substring) -> Bool = { line in
        line.contains(" write(1<") || line.contains(" writev(1<")
    }

    init(trace: String, acknowledgement: (Substring) -> Bool) {
        var dirty = false
        /// Threads with a sync of the WAL in flight.
        var syncing: Set<Substring> = []
        let writes = ["write(", "writev(", "pwrite64(", "pwritev(", "pwritev2("]
        for line in trace.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard parts.count == 2 else { continue }
            // strace pads the pid column: "6991  fdatasync(…)".
            let (pid, call) = (parts[0], parts[1].drop { $0 == " " })
            if call.hasPrefix("<... fdatasync resumed>") || call.hasPrefix("<... fsync resumed>") {
                if syncing.remove(pid) != nil, call.hasSuffix("= 0") {
                    dirty = false
                    syncs += 1
                }
            } else if call.hasPrefix("fdatasync(") || call.hasPrefix("fsync(") {
                guard call.contains("-wal>") else { continue }
                if call.hasSuffix("<unfinished ...>") {
                    syncing.insert(pid)
                } else if call.hasSuffix("= 0") {
                    dirty = false
                    syncs += 1
                }
            } else if writes.contains(where: { call.hasPrefix($0) }), call.contains("-wal>") {
                dirty = true
            } else if acknowledgement(line) {
                acknowledgements += 1
                if dirty { violations.append(String(line)) }
            }
        }
    }
}
