public import CountersignLedger
internal import Foundation
internal import Logging
internal import NIOSSL
public import PostgresNIO

/// A `postgres://user[:password]@host[:port]/database[?sslmode=…][&sslrootcert=FILE][&sslcert=FILE&sslkey=FILE]
/// [&schema=NAME]` URL. `schema` puts the ledger in its own schema (created if missing), so several ledgers can share
/// a database.
///
/// `sslmode` means what it means to libpq, so a URL copied from a provider's console connects the same way:
/// `disable`; `prefer` (the default: TLS when the server offers it) and `require` encrypt without checking who
/// answers; `verify-ca` checks the server's chain against `sslrootcert` (a PEM file, or `system` for the machine's
/// store; the machine's store when absent); `verify-full` checks the chain and that the certificate names the host
/// (a DNS name, or an IP address SAN when the host is an address). As in libpq, `require` with an `sslrootcert`
/// verifies the chain as `verify-ca` does. A protected deployment uses `verify-full`: anything weaker lets whoever
/// sits on the network path answer as the database.
public struct PostgresURL: Sendable {
    public let configuration: PostgresClient.Configuration
    public let schema: String?
    /// The libpq `sslmode` in force, named in errors.
    public let mode: String

    /// `defaultSchema` applies when the URL names none (an audit URL shares its ledger's schema).
    public init(_ text: String, defaultSchema: String? = nil) throws(LedgerError) {
        guard let url = URLComponents(string: text), url.scheme == "postgres" || url.scheme == "postgresql",
            let host = url.host, !host.isEmpty
        else {
            throw LedgerError(.invalidInput, "not a PostgreSQL URL (postgres://user@host[:port]/database): \(text)")
        }
        let user = url.user ?? "postgres"
        let database = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        var mode = "prefer"
        var rootCertificate: String?
        var clientCertificate: String?
        var clientKey: String?
        var schema = defaultSchema
        var seen: Set<String> = []
        for item in url.queryItems ?? [] {
            guard seen.insert(item.name).inserted else {
                throw LedgerError(.invalidInput, "URL parameter \(item.name) is given twice")
            }
            switch (item.name, item.value) {
            case ("sslmode", let value?) where Self.modes.contains(value): mode = value
            case ("sslmode", let value):
                throw LedgerError(
                    .invalidInput,
                    "sslmode must be one of \(Self.modes.joined(separator: ", ")), not \(value ?? "empty")")
            case ("sslrootcert", let path?) where !path.isEmpty: rootCertificate = path
            case ("sslcert", let path?) where !path.isEmpty: clientCertificate = path
            case ("sslkey", let path?) where !path.isEmpty: clientKey = path
            case ("schema", let name?):
                guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }), !name.isEmpty else {
                    throw LedgerError(.invalidInput, "schema must be letters, digits and underscores: \(name)")
                }
                schema = name
            default: throw LedgerError(.invalidInput, "unsupported URL parameter \(item.name)=\(item.value ?? "")")
            }
        }
        guard (clientCertificate == nil) == (clientKey == nil) else {
            throw LedgerError(.invalidInput, "sslcert and sslkey go together: a client certificate needs its key")
        }
        self.mode = mode
        tlsSettings = try Self.tls(
            mode: mode, rootCertificate: rootCertificate, clientCertificate: clientCertificate, clientKey: clientKey)
        let tls: PostgresClient.Configuration.TLS =
            switch (tlsSettings, mode) {
            case (nil, _): .disable
            case (let settings?, "prefer"): .prefer(settings)
            case (let settings?, _): .require(settings)
            }
        var config = PostgresClient.Configuration(
            host: host, port: url.port ?? 5432, username: user, password: url.password,
            database: database.isEmpty ? nil : database, tls: tls)
        if let schema { config.options.additionalStartupParameters = [("search_path", schema)] }
        configuration = config
        self.schema = schema
        endpoint = (host, url.port ?? 5432, user, url.password, database.isEmpty ? nil : database)
    }

    private let tlsSettings: TLSConfiguration?
    private let endpoint: (host: String, port: Int, user: String, password: String?, database: String?)

    /// Connects once, outside the pool, and fails at once when the server can never be reached as configured: a
    /// certificate that does not verify, a host name it does not name, a refused login or a missing database — which
    /// the pool would otherwise retry until its deadline and report only as "cannot reach". A server that is down or
    /// not listening yet is not an answer; the caller's deadline covers it.
    public func probe() async throws(LedgerError) {
        var tls = PostgresConnection.Configuration.TLS.disable
        do {
            if let settings = tlsSettings {
                let context = try NIOSSLContext(configuration: settings)
                tls = mode == "prefer" ? .prefer(context) : .require(context)
            }
        } catch {
            throw LedgerError(.invalidInput, "the PostgreSQL URL's TLS settings cannot be used: \(error)")
        }
        var settings = PostgresConnection.Configuration(
            host: endpoint.host, port: endpoint.port, username: endpoint.user, password: endpoint.password,
            database: endpoint.database, tls: tls)
        settings.options.connectTimeout = .seconds(10)
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(
                configuration: settings, id: 0, logger: Logger(label: "countersign.postgres.probe"))
        } catch let error as PSQLError {
            if let message = error.serverInfo?[.message] {
                throw LedgerError(.storage, "the PostgreSQL server refused the connection: \(message)")
            }
            if let underlying = error.underlying, let reason = Self.tlsReason(underlying, host: endpoint.host) {
                throw LedgerError(
                    .storage,
                    "TLS to the PostgreSQL server at \(endpoint.host):\(endpoint.port) failed (sslmode=\(mode)): "
                        + reason)
            }
            if error.code == .sslUnsupported {
                throw LedgerError(
                    .storage,
                    "the PostgreSQL server at \(endpoint.host):\(endpoint.port) does not offer TLS, and "
                        + "sslmode=\(mode) requires it")
            }
            return
        } catch {
            return
        }
        try? await connection.close()
    }

    /// What went wrong in a TLS handshake, in words; nil for an error that is not TLS's.
    private static func tlsReason(_ error: any Error, host: String) -> String? {
        if let extra = error as? NIOSSLExtraError, extra == .failedToValidateHostname {
            return "the server's certificate does not name \(host)"
        }
        guard error is NIOSSLError || error is NIOSSLExtraError || error is BoringSSLError else { return nil }
        let text = "\(error)"
        if text.contains("CERTIFICATE_VERIFY_FAILED") {
            return "the server's certificate does not verify against sslrootcert (or the system's store without one)"
        }
        return text
    }

    static let modes = ["disable", "prefer", "require", "verify-ca", "verify-full"]

    /// The TLS configuration for a libpq `sslmode`. Files are read now, so a missing or malformed one is an error
    /// at start-up, naming the file, rather than a failed handshake later.
    static func tls(mode: String, rootCertificate: String?, clientCertificate: String?, clientKey: String?)
        throws(LedgerError) -> TLSConfiguration?
    {
        guard mode != "disable" else {
            guard rootCertificate == nil, clientCertificate == nil else {
                throw LedgerError(.invalidInput, "sslmode=disable cannot use sslrootcert, sslcert or sslkey")
            }
            return nil
        }
        var configuration = TLSConfiguration.makeClientConfiguration()
        let verifiesChain = mode.hasPrefix("verify-") || (mode == "require" && rootCertificate != nil)
        switch mode {
        case "verify-full": configuration.certificateVerification = .fullVerification
        case _ where verifiesChain: configuration.certificateVerification = .noHostnameVerification
        default: configuration.certificateVerification = .none
        }
        do {
            if let rootCertificate, rootCertificate != "system" {
                let roots = try NIOSSLCertificate.fromPEMFile(rootCertificate)
                guard !roots.isEmpty else {
                    throw LedgerError(.invalidInput, "sslrootcert \(rootCertificate) holds no PEM certificate")
                }
                configuration.trustRoots = .certificates(roots)
            }
            if let clientCertificate, let clientKey {
                configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(clientCertificate).map {
                    .certificate($0)
                }
                configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: clientKey, format: .pem))
            }
        } catch let error as LedgerError {
            throw error
        } catch {
            throw LedgerError(
                .invalidInput,
                "cannot read the TLS files of the PostgreSQL URL (sslrootcert, sslcert, sslkey): \(error)")
        }
        return configuration
    }
}
