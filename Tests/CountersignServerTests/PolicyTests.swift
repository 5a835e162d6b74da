import CountersignControl
import CountersignCore
import CountersignEncoding
import CountersignLedger
import CountersignServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Publishing policy is a recorded change that needs a second person with the admin role.
@Suite struct PolicyTests {
    @Test func aSecondAdminPublishes() async throws {
        let f = try await ServerFixture()
        try await f.control.bootstrapPolicy()
        let original = f.control.policy.bundle.hash
        let file = f.directory.appendingPathComponent("policy.yaml")
        try
            (ServerFixture.policy + """

                ---
                apiVersion: countersign.dev/v1alpha1
                kind: Team
                metadata: { name: reviewers }
                spec: { members: [alice] }
                """).write(to: file, atomically: true, encoding: .utf8)
        try await f.application().test(.router) { client in
            let byApprover = try await client.call(.post, "/api/v1/policy/proposals", f.headers("alice"))
            #expect(byApprover.status == .forbidden)
            let proposed = try await client.call(.post, "/api/v1/policy/proposals", f.headers("admin"))
            #expect(proposed.status == .created)
            let hash = try #require(try object(proposed)["hash"] as? String)
            #expect(hash != original)
            // Proposed is not in force.
            let before = try await client.call(.get, "/api/v1/policy", f.headers("auditor"))
            #expect(try object(before)["hash"] as? String == original)
            let planned = try object(
                try await client.call(.get, "/api/v1/policy/proposals/\(hash)", f.headers("admin2")))
            let plan = try #require(planned["digest"] as? String)
            let body = #"{"plan": "\#(plan)"}"#
            // The approver names the plan they read: another plan is refused.
            let stale = try await client.call(
                .post, "/api/v1/policy/proposals/\(hash)/approve", f.headers("admin2"),
                #"{"plan": "sha256:\#(String(repeating: "0", count: 64))"}"#)
            #expect(stale.status == .conflict)
            let self_ = try await client.call(
                .post, "/api/v1/policy/proposals/\(hash)/approve", f.headers("admin"), body)
            #expect(self_.status == .forbidden)
            #expect(try apiError(self_).message == "erin proposed this policy; a different person must approve it")
            let approved = try await client.call(
                .post, "/api/v1/policy/proposals/\(hash)/approve", f.headers("admin2"), body)
            #expect(approved.status == .ok)
            let after = try await client.call(.get, "/api/v1/policy", f.headers("auditor"))
            #expect(try object(after)["hash"] as? String == hash)
            let unknown = try await client.call(
                .post, "/api/v1/policy/proposals/sha256:00/approve", f.headers("admin2"), body)
            #expect(unknown.status == .notFound)
        }

        // A node started from the old file takes the published policy from the ledger, not the file.
        try ServerFixture.policy.write(to: file, atomically: true, encoding: .utf8)
        let restarted = ControlPlane(
            store: f.control.store, policy: PolicyHolder(try PolicyLoader.load(path: file.path), path: file.path))
        let note = try await restarted.bootstrapPolicy()
        #expect(note?.contains("differs from the policy in force") == true)
        #expect(restarted.policy.bundle.hash != original)
        let types = try await f.control.store.entries(from: 0, count: 100).map(\.type.rawValue)
        #expect(types.filter { $0 == "policy.published" }.count == 2)
        #expect(types.contains("policy.proposed"))
    }

    /// Entries every role reads never say where on the server's disk the policy lives: sources are recorded
    /// relative to the policy (a directory's files by their path inside it), and a condition's location in a
    /// decision names the file the same way. The hash is unchanged by it.
    @Test func policySourcesAreRecordedRelativeToThePolicyNeverAsServerPaths() async throws {
        let f = try await ServerFixture(
            policy: ServerFixture.policy + """

                ---
                apiVersion: countersign.dev/v1alpha1
                kind: Environment
                metadata: { name: lab }
                spec: { rank: 5, deployers: [deploy-bot] }
                ---
                apiVersion: countersign.dev/v1alpha1
                kind: Tier
                metadata: { name: broken }
                spec:
                  priority: 50
                  match: "environment.name == 'lab' && change.labels[7] == 'x'"
                  controls: { checks: [unit] }
                """)
        let fileHash = f.control.policy.bundle.hash
        try await f.control.bootstrapPolicy()
        #expect(f.control.policy.bundle.hash == fileHash)
        try await f.application().test(.router) { client in
            _ = try await client.call(
                .post, "/api/v1/deploy-requests", f.headers("deployer"), ServerFixture.requestBody(environment: "lab"))
            // A proposal of a directory policy with a file in a subdirectory.
            let directory = f.directory.appendingPathComponent("policy.d")
            try FileManager.default.createDirectory(
                at: directory.appendingPathComponent("teams"), withIntermediateDirectories: true)
            try ServerFixture.policy.write(
                to: directory.appendingPathComponent("main.yaml"), atomically: true, encoding: .utf8)
            try """
            apiVersion: countersign.dev/v1alpha1
            kind: Team
            metadata: { name: reviewers }
            spec: { members: [alice] }
            """.write(to: directory.appendingPathComponent("teams/reviewers.yaml"), atomically: true, encoding: .utf8)
            let node = ControlPlane(
                store: f.control.store,
                policy: PolicyHolder(f.control.policy.bundle, path: directory.path + "/"))
            _ = try await node.proposePolicy(by: ServerFixture.person("erin", .admin))
        }
        let entries = try await f.control.store.entries(from: 0, count: 1_000)
        let published = try #require(entries.first { $0.type.rawValue == "policy.published" })
        #expect(published.payload["sources"]?.arrayValue?.compactMap { $0["file"]?.stringValue } == ["policy.yaml"])
        let proposed = try #require(entries.first { $0.type.rawValue == "policy.proposed" })
        #expect(
            proposed.payload["sources"]?.arrayValue?.compactMap { $0["file"]?.stringValue }
                == ["main.yaml", "teams/reviewers.yaml"])
        let decided = try #require(entries.first { $0.type.rawValue == "gate.decided" })
        let reasons = String(decoding: decided.canonicalBytes, as: UTF8.self)
        #expect(reasons.contains("tier broken match failed at policy.yaml:"), "\(reasons)")
        for entry in entries {
            let text = String(decoding: entry.canonicalBytes, as: UTF8.self)
            #expect(!text.contains(f.directory.path), "entry \(entry.seq) names the server's policy directory")
            #expect(!text.contains(FileManager.default.temporaryDirectory.path), "entry \(entry.seq)")
        }
    }
}
