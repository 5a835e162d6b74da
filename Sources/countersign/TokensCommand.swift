import ArgumentParser
import CountersignControl
import CountersignCore
import CountersignLedger
import CountersignServer
import Foundation

/// `countersign tokens …`: API tokens, issued by the host straight into the ledger — automation identities' tokens, and
/// the first admin's (the bootstrap, once while no person holds a live admin token; `TokenIssuer.host`).
struct TokensCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens", abstract: "Issue and revoke API tokens.",
        subcommands: [TokensCreateCommand.self, TokensRevokeCommand.self])
}

/// Options both token commands share: where the ledger and the policy are.
struct TokenStoreOptions: ParsableArguments {
    @OptionGroup var store: StoreOptions
    @Option(
        help: """
            The policy file or directory that defines identities and roles (default COUNTERSIGN_POLICY, else the \
            configuration file's policy, else examples/policy).
            """)
    var policy: String?

    func withControlPlane(
        creating: StoreOptions.Creation = .never, _ body: @Sendable (ControlPlane) async throws -> Void
    ) async throws {
        let policy = try store.settings.value(self.policy, "COUNTERSIGN_POLICY") ?? "examples/policy"
        let bundle: PolicyBundle
        do { bundle = try PolicyLoader.load(path: policy) } catch {
            throw ControlError(.badRequest, "\(policy): \(error)")
        }
        try await store.withStore(creating: creating) { ledger in
            try await body(ControlPlane(store: ledger, policy: PolicyHolder(bundle, path: policy)))
        }
    }
}

/// `countersign tokens create --identity alice --role approver`: prints the secret once; only its hash is kept.
struct TokensCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Issue a token for an automation identity, or bootstrap the first admin; prints the secret once.")

    @Option(help: "The identity (name or alias) from the policy.") var identity: String
    @Option(help: "One of the identity's roles: builder, deployer, approver, auditor, admin.") var role: String
    @Option(help: "An RFC 3339 expiry time.") var expires: String?
    @OptionGroup var options: TokenStoreOptions

    func validate() throws {
        guard Identity.Role(rawValue: role) != nil else {
            throw ValidationError("--role must be one of builder, deployer, approver, auditor, admin")
        }
        if let expires { _ = try parseTime(expires, "--expires") }
    }

    func run() async throws {
        let role = Identity.Role(rawValue: role)!
        let expiresAt = try expires.map { try parseTime($0, "--expires") }
        let identity = self.identity
        try await options.withControlPlane(creating: .configured) { control in
            let token = try await control.createToken(
                identity: identity, role: role, issuer: .host(user: NSUserName()), expiresAt: expiresAt)
            print(token.secret)
            printError("token \(token.id) for \(token.identity) as \(token.role.rawValue); shown once, store it now")
        }
    }
}

/// `countersign tokens revoke ID`.
struct TokensRevokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a token by its id.")

    @Argument(help: "The token id (tok_…).") var id: String
    @OptionGroup var options: TokenStoreOptions

    func run() async throws {
        let id = self.id
        try await options.withControlPlane { control in
            try await control.revokeToken(id: id, by: "cli:" + NSUserName())
            print("revoked \(id)")
        }
    }
}
