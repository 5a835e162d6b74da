import CountersignControl
import CountersignCore
import CountersignEncoding
import CountersignLedger
import CountersignTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Nobody acts as someone else (issue 16, item 1): an admin issues tokens for automation identities only, a person's
/// token is minted by that person, the host bootstraps the first admin once, and a token stands for the identity it
/// was issued to by that name — a deleted identity's tokens die with it and its name is never given to anyone again.
@Suite struct CredentialTests {
    /// The fixture's policy without bob (the owners team keeps two people).
    static let withoutBob = ServerFixture.policy
        .replacingOccurrences(
            of: """
                apiVersion: countersign.dev/v1alpha1
                kind: Identity
                metadata: { name: bob }
                spec: { kind: human, roles: [approver] }
                ---

                """, with: ""
        )
        .replacingOccurrences(of: "spec: { members: [alice, bob] }", with: "spec: { members: [alice, erin] }")
        .replacingOccurrences(of: "spec: { members: [bob] }", with: "spec: { members: [alice] }")

    @Test func anAdminCannotMintAPersonsToken() async throws {
        #expect(Self.withoutBob != ServerFixture.policy)
        let f = try await ServerFixture()
        try await f.application().test(.router) { client in
            for (identity, role) in [("alice", "approver"), ("grace", "admin"), ("ALICE-GH", "approver")] {
                let minted = try await client.call(
                    .post, "/api/v1/tokens", f.headers("admin"), #"{"identity": "\#(identity)", "role": "\#(role)"}"#)
                #expect(minted.status == .forbidden, "\(identity)")
                #expect(try apiError(minted).message.hasPrefix("an admin issues tokens for automation identities only"))
            }
            let bot = try await client.call(
                .post, "/api/v1/tokens", f.headers("admin"), #"{"identity": "deploy-bot", "role": "deployer"}"#)
            #expect(bot.status == .created)
            // The attempts are on the ledger, in the admin's name.
            let refused = try await f.control.store.entries(from: 0, count: 10_000).filter {
                $0.type == .accessRefused
            }
            #expect(refused.count == 3)
            #expect(refused.allSatisfy { $0.actor == "erin" })
        }
    }

    /// A session started with a token cannot mint more tokens — a stolen token would outlive its revocation — and
    /// nobody revokes another person's token from their own token page. (Minting after a provider sign-in:
    /// SignInTests.)
    @Test func aTokenStartedSessionMintsNothingAndRevokesOnlyItsOwn() async throws {
        let f = try await ServerFixture()
        try await f.application().test(.router) { client in
            let alice = try await f.browser("alice")
            let page = try await client.call(.get, "/ui/tokens", alice.headers)
            #expect(String(buffer: page.body).contains("a token cannot mint its successor"))
            let minted = try await client.call(.post, "/ui/tokens", alice.headers, "csrf=\(alice.csrf)&days=7")
            #expect(minted.status == .forbidden)
            #expect(!String(buffer: minted.body).contains("cst_"))
            let bob = try await f.control.authenticate(secret: f.tokens["bob"]!)
            let other = try await client.call(
                .post, "/ui/tokens/\(bob.tokenID)/revoke", alice.headers, "csrf=\(alice.csrf)")
            #expect(other.status == .notFound)
            #expect(try await f.control.authenticate(secret: f.tokens["bob"]!).identity == "bob")
        }
    }

    @Test func aPersonMintsOnlyTheirOwnTokens() async throws {
        let f = try await ServerFixture()
        await #expect(throws: ControlError(.forbidden, "")) {
            _ = try await f.control.createToken(
                identity: "bob", role: .approver, issuer: .themselves(ServerFixture.person("alice")))
        }
        // Through an alias is the same person: alice-gh is alice.
        let own = try await f.control.createToken(
            identity: "alice-gh", role: .approver, issuer: .themselves(ServerFixture.person("alice")))
        #expect(own.identity == "alice")
        // An automation does not mint its own tokens, …
        let bot = Principal(identity: "deploy-bot", role: .deployer, kind: .automation, tokenID: "t")
        await #expect(throws: ControlError(.forbidden, "")) {
            _ = try await f.control.createToken(identity: "deploy-bot", role: .deployer, issuer: .themselves(bot))
        }
        // … and an automation with an admin token (which lint refuses to declare) cannot issue tokens either.
        let robot = Principal(identity: "deploy-bot", role: .admin, kind: .automation, tokenID: "t")
        await #expect(throws: ControlError(.forbidden, "")) {
            _ = try await f.control.createToken(identity: "ci", role: .builder, issuer: .admin(robot))
        }
    }

    @Test func theHostBootstrapsTheFirstAdminOnceAndIssuesAutomationTokens() async throws {
        let f = try await ServerFixture(tokens: false)
        // Not a person's token of another role, ever.
        await #expect(throws: ControlError(.forbidden, "")) {
            _ = try await f.control.createToken(identity: "frank", role: .auditor, issuer: .host(user: "ops"))
        }
        let first = try await f.control.createToken(identity: "erin", role: .admin, issuer: .host(user: "ops"))
        let entries = try await f.control.store.entries(from: 0, count: 100)
        let created = try #require(entries.last { $0.type == .identityChanged })
        #expect(created.actor == "host:ops")
        #expect(created.payload["bootstrap"]?.boolValue == true)
        // A second person's admin token from the host is refused while the first is live …
        await #expect(throws: ControlError(.forbidden, "")) {
            _ = try await f.control.createToken(identity: "grace", role: .admin, issuer: .host(user: "ops"))
        }
        // … automation tokens are the host's to issue …
        _ = try await f.control.createToken(identity: "deploy-bot", role: .deployer, issuer: .host(user: "ops"))
        // … and with every admin token revoked the host may bootstrap again (recovery, recorded as such).
        try await f.control.revokeToken(id: first.id, by: "host:ops")
        let again = try await f.control.createToken(identity: "grace", role: .admin, issuer: .host(user: "ops"))
        #expect(again.identity == "grace")
    }

    /// The same rule through the command the host runs: the first admin once, automations always, nobody else.
    @Test func theTokensCommandBootstrapsTheFirstAdminOnly() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tokens-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let db = ["--database", dir.path + "/ledger.db", "--policy", "examples/policy"]
        let alice = try CommandRunner.run(["tokens", "create", "--identity", "alice", "--role", "approver"] + db)
        #expect(alice.status == 1)
        #expect(alice.stderr.contains("the host issues a person's token only to bootstrap the first admin"))
        let erin = try CommandRunner.run(["tokens", "create", "--identity", "erin", "--role", "admin"] + db)
        #expect(erin.status == 0, "\(erin.stderr)")
        #expect(erin.stdout.hasPrefix("cst_"))
        let second = try CommandRunner.run(["tokens", "create", "--identity", "erin", "--role", "admin"] + db)
        #expect(second.status == 1)
        #expect(second.stderr.contains("a person already holds a live admin token"))
        let bot = try CommandRunner.run(["tokens", "create", "--identity", "deploy-bot", "--role", "deployer"] + db)
        #expect(bot.status == 0, "\(bot.stderr)")
    }

    /// The attack: bob is deleted, and his name becomes alice's alias — bob's old tokens must not become alice's.
    @Test func aDeletedIdentitysTokensDieAndItsNameIsNeverReused() async throws {
        let f = try await ServerFixture()
        try await f.control.bootstrapPolicy()
        let file = f.directory.appendingPathComponent("policy.yaml")
        let bobToken = try #require(f.tokens["bob"])
        // In one step (drop bob, give his name to alice) the proposal is refused.
        try Self.withoutBob.replacingOccurrences(of: "aliases: [alice-gh]", with: "aliases: [alice-gh, Bob]")
            .write(to: file, atomically: true, encoding: .utf8)
        try await f.application().test(.router) { client in
            let swap = try await client.call(.post, "/api/v1/policy/proposals", f.headers("admin"))
            #expect(swap.status == .badRequest)
            #expect(try apiError(swap).message.contains("reuses retired identity names: bob (as an alias of alice)"))

            try Self.withoutBob.write(to: file, atomically: true, encoding: .utf8)
            let proposed = try await client.call(.post, "/api/v1/policy/proposals", f.headers("admin"))
            let hash = try #require(try object(proposed)["hash"] as? String)
            let plan =
                try object(
                    try await client.call(.get, "/api/v1/policy/proposals/\(hash)", f.headers("admin2")))["digest"]
                as? String
            let published = try await client.call(
                .post, "/api/v1/policy/proposals/\(hash)/approve", f.headers("admin2"),
                #"{"plan": "\#(plan ?? "")"}"#)
            #expect(published.status == .ok)
            let bob: HTTPFields = [.authorization: "Bearer \(bobToken)"]
            #expect(try await client.call(.get, "/api/v1/whoami", bob).status == .unauthorized)
            let entries = try await f.control.store.entries(from: 0, count: 10_000)
            let publication = try #require(entries.last { $0.type.rawValue == "policy.published" })
            #expect(publication.payload["retiredIdentities"]?.arrayValue?.compactMap(\.stringValue) == ["bob"])
            let revoked = entries.filter {
                $0.type == .identityChanged && $0.payload["change"]?.stringValue == "token.revoked"
            }
            #expect(revoked.map(\.seq) == [publication.seq + 1], "revoked in the publication's batch")

            // Later, the name as someone's alias, or as a new identity: refused.
            for reuse in [
                Self.withoutBob.replacingOccurrences(of: "aliases: [alice-gh]", with: "aliases: [alice-gh, bob]"),
                Self.withoutBob + "\n---\napiVersion: countersign.dev/v1alpha1\nkind: Identity\n"
                    + "metadata: { name: BOB }\nspec: { kind: human, roles: [auditor] }\n",
            ] {
                try reuse.write(to: file, atomically: true, encoding: .utf8)
                let again = try await client.call(.post, "/api/v1/policy/proposals", f.headers("admin"))
                #expect(again.status == .badRequest)
                #expect(try apiError(again).message.contains("reuses retired identity names: bob"))
            }
        }
    }

    /// Even where a policy in force makes a token's name someone else's alias (a node that has not yet revoked it),
    /// the token does not authenticate as that someone.
    @Test func aTokenNeverAuthenticatesThroughAnAlias() async throws {
        let f = try await ServerFixture()
        let bobToken = try #require(f.tokens["bob"])
        #expect(try await f.control.authenticate(secret: bobToken).identity == "bob")
        let swapped = try PolicyLoader.load(sources: [
            (
                "policy.yaml",
                Self.withoutBob.replacingOccurrences(of: "aliases: [alice-gh]", with: "aliases: [alice-gh, bob]")
            )
        ])
        let cold = ControlPlane(store: f.control.store, policy: PolicyHolder(swapped, path: nil))
        await #expect(throws: ControlError(.forbidden, "")) { _ = try await cold.authenticate(secret: bobToken) }
    }

    @Test func policyIsProposedAndApprovedByPeople() async throws {
        let f = try await ServerFixture()
        try await f.control.bootstrapPolicy()
        try (ServerFixture.policy + "\n# changed\n").write(
            to: f.directory.appendingPathComponent("policy.yaml"), atomically: true, encoding: .utf8)
        let robot = Principal(identity: "deploy-bot", role: .admin, kind: .automation, tokenID: "t")
        await #expect(throws: ControlError(.forbidden, "")) { _ = try await f.control.proposePolicy(by: robot) }
        // SIGHUP stages: it checks the file and records nothing.
        let size = try await f.ledgerSize()
        #expect(try f.control.stagePolicy().hasPrefix("sha256:"))
        #expect(try await f.ledgerSize() == size)
        let hash = try await f.control.proposePolicy(by: ServerFixture.person("erin", .admin))
        let plan = try await f.control.policyPlan(hash: hash).digest
        // The proposer under another spelling is the proposer.
        await #expect(throws: ControlError(.forbidden, "")) {
            _ = try await f.control.approvePolicy(hash: hash, plan: plan, by: ServerFixture.person("ERIN", .admin))
        }
        await #expect(throws: ControlError(.forbidden, "")) {
            _ = try await f.control.approvePolicy(hash: hash, plan: plan, by: robot)
        }
        _ = try await f.control.approvePolicy(hash: hash, plan: plan, by: ServerFixture.person("grace", .admin))
        #expect(f.control.policy.bundle.hash == hash)
    }
}
