internal import CountersignEncoding
package import CountersignLedger
package import Foundation

/// The events one API operation implies, appended together (``ControlPlane/record(_:)-(EntryBatch)``): a deploy
/// request with its first decision and the notifications that decision queues. One batch is one transaction, so
/// a crash, a store outage or a deadline can never leave part of an operation recorded — a request without its
/// decision, a decision without its notification.
package struct EntryBatch {
    private(set) var drafts: [EntryDraft] = []

    /// Adds an event; one no entry can hold (a non-finite number, a time outside 0001–9999) is the caller's input
    /// error.
    package mutating func add(_ event: some LedgerEvent, actor: String, at: Date) throws(ControlError) {
        do { drafts.append(try EntryDraft(event, at: at, actor: actor)) } catch {
            throw ControlError(.badRequest, error.message)
        }
    }

    package mutating func add(contentsOf other: EntryBatch) { drafts += other.drafts }
}
