import CountersignLedger
import CountersignTesting
import Foundation
import Logging
import PostgresNIO
import Testing

@testable import CountersignPostgres

/// TLS to PostgreSQL as libpq means it (`sslmode`, `sslrootcert`, `sslcert`/`sslkey`), against a real server of the
/// test's own with certificates made by openssl: `verify-full` accepts only a chain to the named root that names the
/// host, and a refused handshake is reported at once with its reason — not as a database that cannot be reached
/// after the pool's minute of retries.
@Suite(.serialized) struct PostgresTLSTests {
    /// A scratch cluster serving TLS with a certificate from `good-ca`; `other-ca` signed nothing it serves.
    final class TLSCluster: Sendable {
        let cluster: ScratchPostgres
        let files: String
        let port: String

        init() throws {
            cluster = try ScratchPostgres()
            files = FileManager.default.temporaryDirectory.appendingPathComponent("pgtls-\(UUID())").path
            port = String(cluster.url.split(separator: ":")[2].prefix { $0.isNumber })
            try FileManager.default.createDirectory(atPath: files, withIntermediateDirectories: true)
            try Self.openssl(in: files)
        }

        deinit { try? FileManager.default.removeItem(atPath: files) }

        /// Two CAs; a server certificate for 127.0.0.1 and localhost, one for a DNS name only, and a client
        /// certificate for the role `certuser` — each signed by `good-ca`.
        static func openssl(in dir: String) throws {
            let script = """
                set -e
                cd '\(dir)'
                key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
                for ca in good-ca other-ca; do
                    key $ca.key
                    openssl req -x509 -new -key $ca.key -out $ca.pem -days 2 -subj "/CN=$ca" 2>/dev/null
                done
                leaf() { # name, subject, extensions
                    key $1.key
                    openssl req -new -key $1.key -out $1.csr -subj "$2" 2>/dev/null
                    printf '%s\\n' "$3" > $1.ext
                    openssl x509 -req -in $1.csr -CA good-ca.pem -CAkey good-ca.key -CAcreateserial -out $1.crt \
                        -days 2 -extfile $1.ext 2>/dev/null
                }
                leaf server /CN=db 'subjectAltName=DNS:localhost,IP:127.0.0.1'
                leaf named /CN=db 'subjectAltName=DNS:db.internal.example'
                leaf client /CN=certuser 'extendedKeyUsage=clientAuth'
                chmod 600 *.key
                if [ "$(id -u)" = 0 ]; then chown postgres server.key server.crt named.key named.crt good-ca.pem; fi
                """
            try Spawn.run("/bin/sh", ["-c", script])
        }

        /// Runs SQL as the superuser over a plain connection (the cluster's hba trusts loopback).
        func admin(_ statements: [String]) async throws {
            let configuration = PostgresConnection.Configuration(
                host: "127.0.0.1", port: Int(port)!, username: "postgres", password: nil, database: "postgres",
                tls: .disable)
            let logger = Logger(label: "test")
            let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
            for statement in statements {
                _ = try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            try await connection.close()
        }

        /// Serves the certificate `name` (server or named) and reloads.
        func serve(_ name: String) async throws {
            try await admin([
                "ALTER SYSTEM SET ssl_cert_file = '\(files)/\(name).crt'",
                "ALTER SYSTEM SET ssl_key_file = '\(files)/\(name).key'",
                "ALTER SYSTEM SET ssl_ca_file = '\(files)/good-ca.pem'",
                "ALTER SYSTEM SET ssl = on", "SELECT pg_reload_conf()",
            ])
            try await Task.sleep(for: .milliseconds(300))
        }

        func url(_ query: String, host: String = "127.0.0.1", user: String = "postgres") -> String {
            "postgres://\(user)@\(host):\(port)/postgres?\(query.replacingOccurrences(of: "FILES", with: files))"
        }
    }

    /// Opens the ledger at `url` and appends one entry; the error's message when it cannot, and how long it took.
    static func open(_ url: String) async -> (error: String?, seconds: Double) {
        let started = ContinuousClock.now
        do {
            try await PostgresLedger.withLedger(url: url) { ledger in
                try await ledger.append([LedgerFixtures.filler(Int.random(in: 0..<1_000_000))])
            }
            return (nil, (ContinuousClock.now - started) / .seconds(1))
        } catch {
            return ((error as? LedgerError)?.message ?? "\(error)", (ContinuousClock.now - started) / .seconds(1))
        }
    }

    @Test func verifyFullAcceptsOnlyTheNamedRootAndTheNamedHost() async throws {
        let tls = try TLSCluster()
        try await tls.serve("server")
        #expect(await Self.open(tls.url("sslmode=verify-full&sslrootcert=FILES/good-ca.pem")).error == nil)
        #expect(
            await Self.open(tls.url("sslmode=verify-full&sslrootcert=FILES/good-ca.pem", host: "localhost")).error
                == nil)

        // Another root, or the system's store (which never heard of the test CA): refused at once, with the reason.
        for query in ["sslmode=verify-full&sslrootcert=FILES/other-ca.pem", "sslmode=verify-full"] {
            let (error, seconds) = await Self.open(tls.url(query))
            #expect(error?.contains("certificate does not verify") == true, "\(query): \(error ?? "accepted")")
            #expect(seconds < 10, "\(query) took \(seconds) s to fail")
        }

        // A certificate for another name: verify-full refuses it, naming the host; verify-ca checks only the chain.
        try await tls.serve("named")
        let (error, _) = await Self.open(tls.url("sslmode=verify-full&sslrootcert=FILES/good-ca.pem"))
        #expect(error?.contains("does not name 127.0.0.1") == true, "\(error ?? "accepted")")
        #expect(await Self.open(tls.url("sslmode=verify-ca&sslrootcert=FILES/good-ca.pem")).error == nil)
        #expect(await Self.open(tls.url("sslmode=verify-ca&sslrootcert=FILES/other-ca.pem")).error != nil)
    }

    /// libpq's meaning: `require` and `prefer` encrypt without checking who answers — unless a root is named, when
    /// `require` checks the chain. (So a protected deployment names `verify-full`; docs/operations.md says so.)
    @Test func requireEncryptsAndChecksTheChainOnlyWithARoot() async throws {
        let tls = try TLSCluster()
        try await tls.serve("server")
        #expect(await Self.open(tls.url("sslmode=require")).error == nil)
        #expect(await Self.open(tls.url("sslmode=prefer")).error == nil)
        #expect(await Self.open(tls.url("sslmode=require&sslrootcert=FILES/good-ca.pem")).error == nil)
        let (error, _) = await Self.open(tls.url("sslmode=require&sslrootcert=FILES/other-ca.pem"))
        #expect(error?.contains("certificate does not verify") == true, "\(error ?? "accepted")")
    }

    /// A server that offers no TLS: `require` and the verify modes refuse to fall back to plain text.
    @Test func aServerWithoutTLSIsRefusedWhenTLSIsRequired() async throws {
        let tls = try TLSCluster()
        for query in ["sslmode=require", "sslmode=verify-full&sslrootcert=FILES/good-ca.pem"] {
            let (error, seconds) = await Self.open(tls.url(query))
            #expect(error?.contains("does not offer TLS") == true, "\(query): \(error ?? "accepted")")
            #expect(seconds < 10)
        }
        #expect(await Self.open(tls.url("sslmode=prefer")).error == nil)
    }

    /// A role that logs in only with a client certificate (`hostssl … cert`): without `sslcert`/`sslkey` the server's
    /// refusal is reported as it said it; with them the ledger opens.
    @Test func aClientCertificateLogsIn() async throws {
        let tls = try TLSCluster()
        try await tls.serve("server")
        let hba = "\(tls.cluster.directory)/data/pg_hba.conf"
        let existing = try String(contentsOfFile: hba, encoding: .utf8)
        try ("hostssl all certuser 127.0.0.1/32 cert\nhost all certuser 127.0.0.1/32 reject\n" + existing)
            .write(toFile: hba, atomically: false, encoding: .utf8)
        try await tls.admin([
            "CREATE ROLE certuser LOGIN", "GRANT ALL ON SCHEMA public TO certuser", "SELECT pg_reload_conf()",
        ])
        try await Task.sleep(for: .milliseconds(300))
        let base = "sslmode=verify-full&sslrootcert=FILES/good-ca.pem"
        let (refused, _) = await Self.open(tls.url(base, user: "certuser"))
        #expect(refused?.contains("refused the connection") == true, "\(refused ?? "accepted")")
        #expect(
            await Self.open(tls.url(base + "&sslcert=FILES/client.crt&sslkey=FILES/client.key", user: "certuser"))
                .error == nil)
    }

    /// An attacker who can append to a URL (a templated environment variable) must not downgrade it: a second
    /// sslmode, a case variant, a mode we do not implement, or half a client pair are errors, never a silent default.
    @Test func malformedTLSParametersAreErrors() throws {
        let cases: [(String, String)] = [
            ("sslmode=verify-full&sslmode=disable", "given twice"),
            ("sslmode=VERIFY-FULL", "sslmode must be one of"),
            ("sslmode=allow", "sslmode must be one of"),
            ("sslmode=", "sslmode must be one of"),
            ("sslmode=verify-full&sslcert=/tmp/c.pem", "sslcert and sslkey go together"),
            ("sslmode=verify-full&sslrootcert=/nonexistent/ca.pem", "cannot read the TLS files"),
            ("sslmode=disable&sslrootcert=/tmp/ca.pem", "sslmode=disable cannot use"),
        ]
        for (query, expected) in cases {
            do {
                _ = try PostgresURL("postgres://u@127.0.0.1:5432/db?\(query)")
                Issue.record("\(query) was accepted")
            } catch {
                #expect(error.message.contains(expected), "\(query): \(error.message)")
            }
        }
        #expect(try PostgresURL("postgres://u@h/db").mode == "prefer")
    }
}
