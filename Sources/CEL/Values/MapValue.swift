/// A CEL map: insertion-ordered (so iteration, printing and macros are deterministic) with hashed lookup.
public struct MapValue: Sendable {
    /// The entries in insertion order.
    public private(set) var entries: [(key: MapKey, value: Value)]
    private var index: [MapKey: Int]

    public init() {
        entries = []
        index = [:]
    }

    /// Builds a map from key/value pairs; returns `nil` on a repeated key (CEL rejects `{1: 'a', 1: 'b'}`).
    public init?(_ pairs: [(MapKey, Value)]) {
        self.init()
        entries.reserveCapacity(pairs.count)
        index.reserveCapacity(pairs.count)
        for (k, v) in pairs where !insert(k, v) { return nil }
    }

    /// A map with string keys, the shape JSON objects and most host data have.
    public init(_ dictionary: [String: Value]) {
        self.init()
        for (k, v) in dictionary.sorted(by: { $0.key < $1.key }) { _ = insert(MapKey(.string(k))!, v) }
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }
    public var keys: [Value] { entries.map(\.key.value) }

    /// The value for `key`, with cross-type numeric lookup.
    public subscript(key: MapKey) -> Value? {
        guard let i = index[key] else { return nil }
        return entries[i].value
    }

    /// The value for a string key (the fast path for field selection).
    public subscript(field: String) -> Value? {
        guard let i = index[MapKey(stringKey: field)] else { return nil }
        return entries[i].value
    }

    /// Inserts a new entry; returns `false` (and changes nothing) when the key is already present.
    @discardableResult
    public mutating func insert(_ key: MapKey, _ value: Value) -> Bool {
        if index[key] != nil { return false }
        index[key] = entries.count
        entries.append((key, value))
        return true
    }

    /// Sets the value for `key`, replacing an existing entry in place.
    public mutating func set(_ key: MapKey, _ value: Value) {
        if let i = index[key] {
            entries[i].value = value
        } else {
            index[key] = entries.count
            entries.append((key, value))
        }
    }
}

extension MapKey {
    init(stringKey: String) { self.init(unchecked: .string(stringKey)) }
}

extension MapKey {
    fileprivate init(unchecked value: Value) { self = MapKey(value)! }
}
