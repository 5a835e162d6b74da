internal import CountersignCore
public import CountersignEncoding
public import Foundation

/// The kinds of events the ledger records — every state change in Countersign is one.
public struct EventType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init?(rawValue: String) {
        guard EventType.known.contains(rawValue) else { return nil }
        self.rawValue = rawValue
    }
    public var description: String { rawValue }

    /// Every event type, DESIGN §8 and issue 4; `approval.refused` records an approval the server refused
    /// (self-approval, the deployer approving), `change.recorded` the change evidence a webhook delivered,
    /// `webhook.received` each inbound delivery (once), `notification.queued`/`attempted` the outbox.
    public static let known: Set<String> = [
        "policy.proposed", "policy.published", "identity.changed", "team.changed", "artifact.registered",
        "artifact.verified",
        "check.reported", "deploy.requested", "approval.granted", "approval.rejected", "approval.withdrawn",
        "approval.refused", "change.recorded", "webhook.received", "notification.queued", "notification.attempted",
        "gate.decided", "canary.judged", "deploy.started", "deploy.succeeded", "deploy.failed", "deploy.rolled_back",
        "breakglass.invoked", "breakglass.reviewed", "incident.opened", "incident.resolved", "idempotency.claimed",
        "idempotency.answered",
    ]
}

/// An event before it is appended: the ledger assigns its sequence number.
public struct EntryDraft: Sendable, Hashable {
    public let type: EventType
    public let at: Date
    public let actor: String
    /// A JSON object, its numbers finite.
    public let payload: JSONValue

    public init(type: EventType, at: Date, actor: String, payload: JSONValue) throws(EntryError) {
        guard case .object = payload else { throw EntryError("payload must be a JSON object") }
        // JSON has no spelling for NaN or infinity: such a number would be hashed into the tree as text no reader
        // accepts, and the entry could never be read back or verified.
        guard payload.numbersAreFinite else { throw EntryError("payload numbers must be finite") }
        guard RFC3339.string(at, fraction: .milliseconds) != "invalid" else {
            throw EntryError("at must lie between 0001-01-01 and 9999-12-31 (UTC)")
        }
        guard !actor.isEmpty else { throw EntryError("actor must not be empty") }
        self.type = type
        self.at = at
        self.actor = actor
        self.payload = payload
    }

    /// Reads `{"type": …, "actor": …, "at": "RFC 3339" (optional), "payload": {…}}`.
    public init(json: String, defaultTime: Date) throws(EntryError) {
        let value: JSONValue
        do { value = try JSONValue(parsing: json) } catch { throw EntryError(error.description) }
        guard case .object(let members) = value else { throw EntryError("an entry must be a JSON object") }
        for (key, _) in members where !["type", "actor", "at", "payload"].contains(key) {
            throw EntryError("unknown field '\(key)' (type, actor, at, payload)")
        }
        guard let typeText = value["type"]?.stringValue else { throw EntryError("missing string field 'type'") }
        guard let type = EventType(rawValue: typeText) else {
            throw EntryError(
                "unknown event type '\(typeText)' (one of: \(EventType.known.sorted().joined(separator: ", ")))")
        }
        guard let actor = value["actor"]?.stringValue else { throw EntryError("missing string field 'actor'") }
        var at = defaultTime
        if let text = value["at"]?.stringValue {
            guard let parsed = RFC3339.date(text) else { throw EntryError("'at' must be an RFC 3339 time") }
            at = parsed
        }
        try self.init(type: type, at: at, actor: actor, payload: value["payload"] ?? .null)
    }
}

extension JSONValue {
    /// Whether every number in the value is finite (what `JSONValue(parsing:)` produces; a value built in code may
    /// hold NaN or an infinity).
    var numbersAreFinite: Bool {
        switch self {
        case .number(let d): d.isFinite
        case .array(let items): items.allSatisfy(\.numbersAreFinite)
        case .object(let members): members.allSatisfy { $0.1.numbersAreFinite }
        case .null, .bool, .string: true
        }
    }
}

/// One immutable ledger entry: `{seq, type, at, actor, payload}`, hashed and proven as its RFC 8785 bytes.
public struct LedgerEntry: Sendable, Hashable {
    /// 0-based position; equal to the entry's leaf index in the Merkle tree.
    public let seq: Int64
    public let type: EventType
    public let at: Date
    public let actor: String
    public let payload: JSONValue

    public init(seq: Int64, draft: EntryDraft) {
        self.seq = seq
        type = draft.type
        at = draft.at
        actor = draft.actor
        payload = draft.payload
    }

    /// The entry as a JSON object (times in RFC 3339 UTC with nanosecond precision when needed).
    public var json: JSONValue {
        .object([
            ("seq", .number(Double(seq))), ("type", .string(type.rawValue)),
            ("at", .string(RFC3339.string(at, fraction: .milliseconds))),
            ("actor", .string(actor)), ("payload", payload),
        ])
    }

    /// The RFC 8785 bytes that are hashed into the tree.
    public var canonicalBytes: [UInt8] { json.canonicalBytes }

    /// Rebuilds an entry from its canonical JSON (as stored), checking every field.
    public init(canonical text: String) throws(EntryError) {
        let v: JSONValue
        do { v = try JSONValue(parsing: text) } catch { throw EntryError(error.description) }
        // `seq` is a JSON number, so a double: only a non-negative whole number an Int64 holds is a position.
        guard let number = v["seq"]?.numberValue, let seq = Int64(exactly: number), seq >= 0,
            let typeText = v["type"]?.stringValue, let type = EventType(rawValue: typeText),
            let atText = v["at"]?.stringValue, let at = RFC3339.date(atText), let actor = v["actor"]?.stringValue,
            let payload = v["payload"]
        else { throw EntryError("stored entry is not a ledger entry") }
        self.seq = seq
        self.type = type
        self.at = at
        self.actor = actor
        self.payload = payload
    }
}

/// A malformed entry.
public struct EntryError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
