internal import CountersignCore
public import CountersignEncoding
public import Foundation

/// An event before it is appended: the ledger assigns its sequence number.
public struct EntryDraft: Sendable, Hashable {
    public let type: EventType
    public let at: Date
    public let actor: String
    /// A JSON object, its numbers finite: the payload as it is hashed.
    public let payload: JSONValue
    /// The typed event the payload was encoded from, when the draft was built from one: projecting it needs no
    /// second reading of the payload.
    let event: (any LedgerEvent)?

    /// An event as its producer built it, encoded once.
    public init(_ event: some LedgerEvent, at: Date, actor: String) throws(EntryError) {
        let payload: JSONValue
        do { payload = try JSONValueEncoder().encode(event) } catch {
            throw EntryError("\(event.type): \(error.message)")
        }
        try self.init(type: event.type, at: at, actor: actor, payload: payload, event: event)
    }

    /// A payload as given (an import, a test's fixture); its event is read from it when it is projected.
    public init(type: EventType, at: Date, actor: String, payload: JSONValue) throws(EntryError) {
        try self.init(type: type, at: at, actor: actor, payload: payload, event: nil)
    }

    private init(type: EventType, at: Date, actor: String, payload: JSONValue, event: (any LedgerEvent)?)
        throws(EntryError)
    {
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
        self.event = event
    }

    /// Drafts are equal when they would be recorded as the same bytes.
    public static func == (a: EntryDraft, b: EntryDraft) -> Bool {
        a.type == b.type && a.at == b.at && a.actor == b.actor && a.payload == b.payload
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(type)
        hasher.combine(at)
        hasher.combine(actor)
        hasher.combine(payload)
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
                "unknown event type '\(typeText)' (one of: \(EventType.allCases.map(\.rawValue).sorted().joined(separator: ", ")))"
            )
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
    /// The typed event, when the entry was appended from one in this process.
    private let built: (any LedgerEvent)?

    public init(seq: Int64, draft: EntryDraft) {
        self.seq = seq
        type = draft.type
        at = draft.at
        actor = draft.actor
        payload = draft.payload
        built = draft.event
    }

    /// The entry's event: the value it was appended from, or its payload read as its type's event.
    public func event() throws(LedgerError) -> any LedgerEvent {
        if let built { return built }
        return try type.event(payload)
    }

    /// The entry's event as `E`; an error when the entry records another kind of event.
    public func event<E: LedgerEvent>(_: E.Type) throws(LedgerError) -> E {
        guard let event = try event() as? E else {
            throw LedgerError(.invalidInput, "entry \(seq) is \(type), not \(E.self)")
        }
        return event
    }

    public static func == (a: LedgerEntry, b: LedgerEntry) -> Bool {
        a.seq == b.seq && a.type == b.type && a.at == b.at && a.actor == b.actor && a.payload == b.payload
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(seq)
        hasher.combine(payload)
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
        built = nil
    }
}

/// A malformed entry.
public struct EntryError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
