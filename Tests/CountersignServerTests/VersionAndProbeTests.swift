import CountersignControl
import CountersignServer
import CountersignTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Issue 19, items 5 and 7 (first steps): which build runs — `--version`, `version`, `/livez`,
/// `countersign_build_info` — and one ledger for every command: `COUNTERSIGN_DATABASE` is read by the commands that
/// open the ledger as `serve` reads it, so a token is never minted into a new file beside the configured ledger.
@Suite struct VersionAndProbeTests {
    @Test func everyWayOfAskingNamesTheSameBuild() async throws {
        let flag = try CommandRunner.run(["--version"])
        #expect(flag.status == 0)
        #expect(flag.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == BuildInfo.description)
        #expect(BuildInfo.description.hasPrefix("countersign \(BuildInfo.version) (commit "))
        // A semantic version: three numbers.
        #expect(BuildInfo.version.split(separator: ".").count == 3)
        #expect(BuildInfo.version.split(separator: ".").allSatisfy { Int($0) != nil })
        let json = try CommandRunner.run(["version", "--output", "json"])
        #expect(json.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: String])
        #expect(object == ["version": BuildInfo.version, "commit": BuildInfo.commit, "date": BuildInfo.date])

        let f = try await ServerFixture()
        try await f.application().test(.router) { client in
            for path in ["/livez", "/health"] {
                let live = try await client.call(.get, path, [:])
                #expect(live.status == .ok)
                #expect(String(buffer: live.body).contains(#""version":"\#(BuildInfo.version)""#))
            }
            let scrape = String(buffer: try await client.call(.get, "/metrics", [:]).body)
            #expect(
                scrape.contains(
                    #"countersign_build_info{version="\#(BuildInfo.version)",commit="\#(BuildInfo.commit)"} 1.0"#),
                "\(scrape.prefix(400))")
        }
    }

    @Test func theConfiguredLedgerIsTheOneEveryCommandOpens() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("configured-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let ledger = directory.appendingPathComponent("ledger.db").path
        let stray = FileManager.default.currentDirectoryPath + "/countersign.db"
        let strayExisted = FileManager.default.fileExists(atPath: stray)
        let token = try CommandRunner.run(
            ["tokens", "create", "--identity", "deploy-bot", "--role", "deployer", "--policy", "examples/policy"],
            environment: ["COUNTERSIGN_DATABASE": ledger])
        #expect(token.status == 0, "\(token.stderr)")
        #expect(FileManager.default.fileExists(atPath: ledger), "the token went elsewhere")
        #expect(FileManager.default.fileExists(atPath: stray) == strayExisted, "a new ./countersign.db was created")
        // And the ledger commands read it too: the token's entry is there.
        let verified = try CommandRunner.run(["ledger", "verify"], environment: ["COUNTERSIGN_DATABASE": ledger])
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        // A flag still wins over the environment.
        let other = directory.appendingPathComponent("other.db").path
        let flagged = try CommandRunner.run(
            [
                "tokens", "create", "--identity", "deploy-bot", "--role", "deployer", "--policy", "examples/policy",
                "--database", other,
            ],
            environment: ["COUNTERSIGN_DATABASE": ledger])
        #expect(flagged.status == 0, "\(flagged.stderr)")
        #expect(FileManager.default.fileExists(atPath: other))
    }
}
