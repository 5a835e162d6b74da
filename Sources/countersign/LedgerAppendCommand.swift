import ArgumentParser
import CountersignControl
internal import CountersignEncoding
import CountersignLedger
import Foundation

/// `countersign ledger append [FILE]`: entries as JSON lines from a file or stdin, in one transaction.
struct LedgerAppendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "append",
        abstract: "Append entries: {\"type\", \"actor\", \"at\"?, \"payload\"} as JSON lines, in one transaction.")

    @OptionGroup var store: StoreOptions

    @Argument(help: "A file of JSON lines (default: standard input).")
    var file: String?

    func run() async throws {
        let text =
            try file.map(readFile) ?? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        var drafts: [EntryDraft] = []
        let now = Date()
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.allSatisfy(\.isWhitespace) {
            do {
                let draft = try EntryDraft(json: String(line), defaultTime: now)
                try Projection.validate(draft)
                drafts.append(draft)
            } catch let error as EntryError {
                throw ControlError(.badRequest, "line \(n + 1): \(error.message); nothing was appended")
            } catch let error as LedgerError {
                throw ControlError(
                    ControlError(ledger: error).code, "line \(n + 1): \(error.message); nothing was appended")
            }
        }
        let batch = drafts
        let entries = try await store.withStore(creating: .configured) { try await $0.append(batch) }
        for e in entries { printJSON(.object([("seq", .number(Double(e.seq))), ("type", .string(e.type.rawValue))])) }
    }
}
