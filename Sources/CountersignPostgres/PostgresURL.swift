public import CountersignLedger
internal import Foundation
public import PostgresNIO

/// A `postgres://user[:password]@host[:port]/database[?sslmode=disable|prefer|require][&schema=NAME]` URL.
/// `schema` puts the ledger in its own schema (created if missing), so several ledgers can share a database.
public struct PostgresURL: Sendable {
    public let configuration: PostgresClient.Configuration
    public let schema: String?

    /// `defaultSchema` applies when the URL names none (an audit URL shares its ledger's schema).
    public init(_ text: String, defaultSchema: String? = nil) throws(LedgerError) {
        guard let url = URLComponents(string: text), url.scheme == "postgres" || url.scheme == "postgresql",
            let host = url.host, !host.isEmpty
        else {
            throw LedgerError(.invalidInput, "not a PostgreSQL URL (postgres://user@host[:port]/database): \(text)")
        }
        let user = url.user ?? "postgres"
        let database = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        var tls: PostgresClient.Configuration.TLS = .prefer(.makeClientConfiguration())
        var schema = defaultSchema
        for item in url.queryItems ?? [] {
            switch (item.name, item.value) {
            case ("sslmode", "disable"): tls = .disable
            case ("sslmode", "prefer"): tls = .prefer(.makeClientConfiguration())
            case ("sslmode", "require"): tls = .require(.makeClientConfiguration())
            case ("schema", let name?):
                guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }), !name.isEmpty else {
                    throw LedgerError(.invalidInput, "schema must be letters, digits and underscores: \(name)")
                }
                schema = name
            default: throw LedgerError(.invalidInput, "unsupported URL parameter \(item.name)=\(item.value ?? "")")
            }
        }
        var config = PostgresClient.Configuration(
            host: host, port: url.port ?? 5432, username: user, password: url.password,
            database: database.isEmpty ? nil : database, tls: tls)
        if let schema { config.options.additionalStartupParameters = [("search_path", schema)] }
        configuration = config
        self.schema = schema
    }
}
