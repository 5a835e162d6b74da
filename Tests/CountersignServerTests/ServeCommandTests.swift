import CountersignTesting
import Foundation
import Testing

/// `countersign serve` as users run it: configuration from a file, the listening line, SIGTERM.
@Suite struct ServeCommandTests {
    @Test func configurationFileAndGracefulShutdown() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("serve-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let config = dir.appendingPathComponent("countersign.yaml")
        try "database: \(dir.path)/ledger.db\nport: 0\norigin: test.example/ledger\n".write(
            to: config, atomically: true, encoding: .utf8)
        let process = try ChildProcess(
            try CommandRunner.binary().path, ["serve", "--config", config.path], standardError: .discard)
        let line = String(decoding: CommandRunner.readSome(process.standardOutput!), as: UTF8.self)
        #expect(line.contains("countersign: listening on http://127.0.0.1:"))
        #expect(line.contains("ledger \(dir.path)/ledger.db"))
        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(FileManager.default.fileExists(atPath: dir.path + "/ledger.db"))

        try "database: x\nsecret: hunter2\n".write(to: config, atomically: true, encoding: .utf8)
        let bad = try CommandRunner.run(["serve", "--config", config.path])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("unknown setting secret (secrets belong in the environment)"))
    }
}
