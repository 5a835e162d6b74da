import CountersignEncoding
import CountersignTesting
import Foundation
import Testing

@testable import CountersignCore

/// Inputs the fuzz targets (Fuzz/run.sh) found. The inputs themselves are in
/// Fuzz/corpus/<target>/crash-*.
@Suite struct BadInputTests {
    /// `webhooks` (crash-webhooks-committed-at): a deploy request whose `change.committedAt` lies in the last
    /// instants of 9999-12-31 was stored with the time written as `invalid` (the double rounds to the year 10000),
    /// so the stored request no longer decoded.
    @Test(arguments: ["9999-12-31T23:59:59.9999999Z", "9999-12-31T23:59:59.999999999Z", "0001-01-01T00:00:00Z"])
    func everyTimeParseDateAcceptsIsWrittenAsOneItAcceptsAgain(text: String) throws {
        let date = try #require(RFC3339.date(text))
        let written = RFC3339.string(date)
        #expect(RFC3339.date(written) != nil, "\(text) is written as \(written)")
        let change = Change(commit: "c0ffee", ref: "refs/heads/main", kind: "code", reversible: true, committedAt: date)
        let stored = try JSONValueEncoder().encode(change)
        #expect(try JSONValueDecoder().decode(Change.self, from: stored.canonicalBytes).committedAt != nil)
    }

    /// `policy` (crash-policy-issue-order): the issues of one policy came in a different order on every load,
    /// because the environments and teams were checked in dictionary order.
    @Test func aPolicysIssuesComeInDocumentOrder() {
        let text = (1...8).map { n in
            "apiVersion: countersign.dev/v1alpha1\nkind: Environment\nmetadata: { name: env\(n) }\n"
                + "spec: { rank: \(n), defaultTier: missing }\n"
        }.joined(separator: "---\n")
        do {
            _ = try PolicyLoader.load(sources: [("policy.yaml", text)])
            Issue.record("a policy with unknown default tiers loaded")
        } catch {
            let lines = error.issues.map(\.line)
            #expect(lines.count == 8 && lines == lines.sorted(), "\(error.issues)")
        }
    }

    /// `ledger` (leak-ledger-empty-file), the same read in the policy loader: swift-foundation leaks 4 KiB for each
    /// empty file it reads whole, and the server reads the policy directory again on every reload.
    @Test func readingAnEmptyPolicyFileLeaksNothing() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("empty-\(UUID()).yaml").path
        FileManager.default.createFile(atPath: file, contents: Data())
        defer { try? FileManager.default.removeItem(atPath: file) }
        #expect(try PolicyLoader.sources(path: file).first?.text == "")
        let growth = try memoryGrowth {
            for _ in 0..<6_000 { _ = try PolicyLoader.sources(path: file) }
        }
        #expect(growth.map { $0 < 8 << 20 } ?? true, "the process grew by \(growth ?? 0) bytes")
    }
}
