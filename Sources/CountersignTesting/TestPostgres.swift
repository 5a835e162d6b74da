internal import Foundation

/// The PostgreSQL server the tests use: `scripts/test.sh` starts a scratch cluster on 127.0.0.1 and exports its URL
/// as `COUNTERSIGN_TEST_POSTGRES`. Without it the PostgreSQL tests fail — they never skip silently.
public enum TestPostgres {
    public struct Missing: Error, CustomStringConvertible {
        public let description =
            "COUNTERSIGN_TEST_POSTGRES is not set: run the suite with scripts/test.sh, which starts PostgreSQL"
    }

    /// The server's URL.
    public static func url() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["COUNTERSIGN_TEST_POSTGRES"], !url.isEmpty else {
            throw Missing()
        }
        return url
    }

    /// A URL for a ledger of its own: a fresh schema in the test database.
    public static func freshLedgerURL() throws -> String {
        let base = try url()
        let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        return base + (base.contains("?") ? "&" : "?") + "schema=" + schema
    }
}
