import CountersignCore
import CountersignEncoding
import CountersignTesting
import Foundation
import Testing

@testable import CountersignLedger

/// Typed events against entries the server wrote before payloads were typed (Vectors/SOURCES.md).
@Suite struct EventTests {
    static func vectors() throws -> [String] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Vectors/entries-7e5904d.jsonl")
        let text = try String(contentsOf: url, encoding: .utf8)
        return text.split(separator: "\n").map(String.init)
    }

    /// Every kind the old server wrote reads as its event and writes back as the same bytes: the types declare every
    /// field the server writes, and the canonical bytes of entries already written never change.
    @Test func entriesWrittenBeforeTypedEventsReadAndWriteBackUnchanged() throws {
        let lines = try Self.vectors()
        #expect(lines.count == 64)
        var kinds: Set<EventType> = []
        for line in lines {
            let entry = try LedgerEntry(canonical: line)
            #expect(entry.canonicalBytes == Array(line.utf8), "entry \(entry.seq)")
            let event = try entry.event()
            #expect(event.type == entry.type, "entry \(entry.seq)")
            let written = try JSONValueEncoder().encode(event)
            #expect(written.canonicalString == entry.payload.canonicalString, "entry \(entry.seq) (\(entry.type))")
            kinds.insert(entry.type)
        }
        #expect(kinds.count == 24)
    }

    /// An entry appended from a typed event is projected from that value, without reading its payload back; the
    /// rows must be exactly those a replay, which reads the payload, writes.
    @Test func projectingTheValueAndReplayingItsBytesAgree() throws {
        var projected = 0
        for line in try Self.vectors() {
            let stored = try LedgerEntry(canonical: line)
            let draft = try EntryDraft(try stored.event(), at: stored.at, actor: stored.actor)
            #expect(draft.payload == stored.payload)
            let appended = LedgerEntry(seq: stored.seq, draft: draft)
            let fromValue = try Projection.statements(for: appended)
            let fromBytes = try Projection.statements(for: stored)
            #expect(fromValue == fromBytes, "entry \(stored.seq) (\(stored.type))")
            projected += fromBytes.isEmpty ? 0 : 1
        }
        #expect(projected > 50)
    }

    /// Asking an entry for the wrong kind of event is an error naming both, never a silent default.
    @Test func anEntryIsOnlyTheEventItRecords() throws {
        let line = try #require(try Self.vectors().first { $0.contains(#""type":"gate.decided""#) })
        let entry = try LedgerEntry(canonical: line)
        #expect(try entry.event(GateDecided.self).decision != nil)
        #expect {
            _ = try entry.event(DeployRequested.self)
        } throws: { error in
            let message = (error as? LedgerError)?.message ?? ""
            return message.contains("gate.decided") && message.contains("DeployRequested")
        }
    }

    /// The type's raw values are the ledger's vocabulary: every one reads back as itself and names its payload type.
    @Test func everyTypeHasOnePayloadType() throws {
        #expect(EventType.allCases.count == 33)
        for type in EventType.allCases {
            #expect(EventType(rawValue: type.rawValue) == type)
            // An empty object is either a complete event (its fields all optional) or refused naming a field.
            do { #expect(try type.event(.object([])).type == type) } catch {
                #expect(error.message.hasPrefix("\(type): payload."), "\(error.message)")
            }
        }
        #expect(throws: LedgerError.self) { try EventType.gateDecided.event(.array([])) }
    }
}

/// docs/ledger.md's table of event types stays true: every kind the ledger records is documented, and nothing else.
@Suite struct EventDocumentationTests {
    @Test func theLedgerDocumentListsEveryEventTypeAndNoOther() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/ledger.md")
        let text = try String(contentsOf: url, encoding: .utf8)
        var documented: Set<String> = []
        for line in text.split(separator: "\n") where line.hasPrefix("| `") {
            let firstCell = line.split(separator: "|", omittingEmptySubsequences: true).first ?? ""
            for part in firstCell.split(separator: "`") where part.contains(".") && !part.contains(" ") {
                documented.insert(String(part))
            }
        }
        #expect(
            documented == Set(EventType.allCases.map(\.rawValue)),
            "\(documented.symmetricDifference(Set(EventType.allCases.map(\.rawValue))))")
    }
}
