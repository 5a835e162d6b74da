import CountersignControl
import CountersignCore
import CountersignLedger
import CountersignSQLite
import Foundation
import Testing

/// The control layer on its own: a deploy request decided, refused and approved with no server in the way, and its
/// one error type raised where the rule is.
@Suite struct ControlPlaneTests {
    static let policy = """
        apiVersion: countersign.dev/v1alpha1
        kind: Environment
        metadata: { name: production }
        spec: { rank: 30, protected: true, deployers: [deploy-bot], sourceRefs: ["refs/heads/main"] }
        ---
        apiVersion: countersign.dev/v1alpha1
        kind: Identity
        metadata: { name: alice }
        spec: { kind: human, roles: [approver] }
        ---
        apiVersion: countersign.dev/v1alpha1
        kind: Identity
        metadata: { name: bob }
        spec: { kind: human, roles: [approver] }
        ---
        apiVersion: countersign.dev/v1alpha1
        kind: Identity
        metadata: { name: deploy-bot }
        spec: { kind: automation, roles: [deployer] }
        ---
        apiVersion: countersign.dev/v1alpha1
        kind: Identity
        metadata: { name: ci }
        spec: { kind: automation, roles: [builder] }
        ---
        apiVersion: countersign.dev/v1alpha1
        kind: Team
        metadata: { name: owners }
        spec: { members: [alice, bob] }
        ---
        apiVersion: countersign.dev/v1alpha1
        kind: Tier
        metadata: { name: standard }
        spec:
          priority: 10
          match: "true"
          controls:
            approvals:
              - { team: owners, count: 1 }
        """

    static func control() throws -> ControlPlane {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("control-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("policy.yaml")
        try policy.write(to: file, atomically: true, encoding: .utf8)
        return ControlPlane(
            store: try SQLiteLedger(path: directory.appendingPathComponent("ledger.db").path),
            policy: PolicyHolder(try PolicyLoader.load(path: file.path), path: file.path))
    }

    static let input = DeployRequestInput(
        service: "shop", environment: "production",
        artifact: "registry.example.com/shop@sha256:" + String(repeating: "ab", count: 32),
        change: Change(
            repository: "acme/shop", commit: "0123456789abcdef0123456789abcdef01234567", ref: "refs/heads/main",
            pullRequest: .init(number: 7, author: "bob", committers: ["bob"]), kind: "code", reversible: true))

    static func principal(_ identity: String, _ role: Identity.Role, _ kind: Identity.Kind = .human) -> Principal {
        Principal(identity: identity, role: role, kind: kind, tokenID: "tok_\(identity)")
    }

    /// What GitHub records about the input's change, and the builder's registration of its digest as built from it.
    static func recordFacts(_ control: ControlPlane) async throws {
        var change = input.change
        change.pullRequest?.committers = []
        try await control.record(
            ChangeRecorded(change: change, repository: "acme/shop", source: .githubAPI), actor: "github")
        _ = try await control.registerArtifact(
            reference: input.artifact, commit: change.commit, by: principal("ci", .builder, .automation))
    }

    @Test func aDeployRequestIsDecidedRefusedAndApprovedWithoutHTTP() async throws {
        let control = try Self.control()
        try await Self.recordFacts(control)
        let bot = Self.principal("deploy-bot", .deployer, .automation)
        let requested = try await control.requestDeploy(Self.input, by: bot)
        #expect(requested.decision?.verdict == .pending)

        // bob wrote the change: the refusal is a control error raised by the rule, and it is on the ledger.
        let refused = await #expect(throws: ControlError.self) {
            try await control.review(
                id: requested.request.id, state: .granted, comment: nil, by: Self.principal("bob", .approver))
        }
        #expect(refused?.code == .forbidden)
        #expect(refused?.details["rule"] == "separation-of-duties")
        #expect(refused?.file == "CountersignControl/ControlPlane+Reviews.swift", "\(String(describing: refused))")
        #expect((refused?.line ?? 0) > 0)
        let types = try await control.store.entries(from: 0, count: 100).map(\.type.rawValue)
        #expect(types.contains("approval.refused"))

        // A deployer token cannot approve, whoever holds it.
        let wrongRole = await #expect(throws: ControlError.self) {
            try await control.review(id: requested.request.id, state: .granted, comment: nil, by: bot)
        }
        #expect(wrongRole?.code == .forbidden)

        let decision = try await control.review(
            id: requested.request.id, state: .granted, comment: "reviewed", by: Self.principal("alice", .approver))
        #expect(decision.verdict == .allowed)

        let missing = await #expect(throws: ControlError.self) { try await control.deployRequest(id: "dr_none") }
        #expect(missing?.code == .notFound)
    }

    /// Equality is the code's: a caller matches the kind of failure, never its wording or where it was raised.
    @Test func errorsAreEqualByCodeAlone() {
        #expect(ControlError(.conflict, "one") == ControlError(.conflict, "two"))
        #expect(ControlError(.conflict, "one") != ControlError(.forbidden, "one"))
        #expect(Set(ControlError.Code.all.map(\.description)).count == ControlError.Code.all.count)
    }

    /// The ledger's failures keep their meaning: an unreachable store is `unavailable` (a 503, never a silent
    /// success), a read-only one `forbidden`, bad input `bad_request`.
    @Test(arguments: [
        (LedgerError.Code.storage, ControlError.Code.unavailable), (.timedOut, .unavailable),
        (.invalidInput, .badRequest), (.limitExceeded, .badRequest), (.readOnly, .forbidden),
        (.notPermitted, .forbidden), (.busy, .tooManyRequests), (.tampered, .internal),
    ])
    func ledgerFailuresKeepTheirMeaning(_ ledger: LedgerError.Code, _ control: ControlError.Code) {
        #expect(ControlError(ledger: LedgerError(ledger, "x")).code == control)
    }

    /// The layer knows no transport: no source file imports a web framework or the server.
    @Test func theControlLayerImportsNoWebFramework() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/CountersignControl")
        let forbidden: Set = ["Hummingbird", "HummingbirdCore", "HTTPTypes", "Mustache", "CountersignServer"]
        let files = try #require(FileManager.default.enumerator(atPath: root.path)).compactMap { $0 as? String }
            .filter { $0.hasSuffix(".swift") }
        #expect(files.count > 20)
        for file in files {
            let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
            for line in text.split(separator: "\n") where line.contains("import ") {
                let module = line.split(separator: " ").last.map(String.init) ?? ""
                #expect(!forbidden.contains(module), "\(file) imports \(module)")
            }
        }
    }
}
