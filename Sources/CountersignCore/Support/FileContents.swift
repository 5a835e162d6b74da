public import Foundation

/// Whole-file reads for the library targets that take files (policy documents, policy tests, evidence packs, key
/// files).
public enum FileContents {
    /// The bytes of the file at `path`, or `nil` when it cannot be read (missing, a directory, not permitted).
    ///
    /// Reads through `FileHandle` on purpose: swift-foundation's `FileManager.contents(atPath:)`,
    /// `Data(contentsOf:)` and `String(contentsOfFile:)` leak a 4 KiB buffer for every empty file they read (found
    /// by the `ledger` fuzz target), and the server reads the policy directory again on every reload.
    public static func read(atPath path: String) -> Data? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        do { return try handle.readToEnd() ?? Data() } catch { return nil }
    }
}
