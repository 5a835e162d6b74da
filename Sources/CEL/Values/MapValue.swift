/// A CEL map: insertion-ordered (so iteration, printing and macros are deterministic).
///
/// Keys and values live in parallel arrays. Small maps — the common case for policy inputs — are searched
/// linearly, which beats hashing a string key; larger maps also keep a hash index.
public struct MapValue: Sendable {
    /// Keys in insertion order.
    public private(set) var keys: [MapKey]
    /// Values, parallel to ``keys``.
    public private(set) var values: [Value]
    /// Key → position, maintained only once the map has more than ``linearLimit`` entries.
    private var index: [MapKey: Int]
    private static let linearLimit = 8

    public init() {
        keys = []
        values = []
        index = [:]
    }

    /// Builds a map from key/value pairs; returns `nil` on a repeated key (CEL rejects `{1: 'a', 1: 'b'}`).
    public init?(_ pairs: [(MapKey, Value)]) {
        self.init()
        keys.reserveCapacity(pairs.count)
        values.reserveCapacity(pairs.count)
        for (k, v) in pairs where !insert(k, v) { return nil }
    }

    /// A map with string keys, the shape JSON objects and most host data have (sorted by key, for determinism).
    public init(_ dictionary: [String: Value]) {
        self.init()
        for (k, v) in dictionary.sorted(by: { $0.key < $1.key }) { append(MapKey(stringKey: k), v) }
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    /// The entries in insertion order.
    public var entries: Zip2Sequence<[MapKey], [Value]> { zip(keys, values) }

    private func position(of key: MapKey) -> Int? {
        if keys.count <= MapValue.linearLimit {
            for i in 0..<keys.count where keys[i] == key { return i }
            return nil
        }
        return index[key]
    }

    /// The value for `key`, with cross-type numeric lookup.
    public subscript(key: MapKey) -> Value? {
        guard let i = position(of: key) else { return nil }
        return values[i]
    }

    /// The value for a string key (the fast path for field selection).
    public subscript(field: String) -> Value? {
        if keys.count <= MapValue.linearLimit {
            for i in 0..<keys.count {
                if case .string(let k) = keys[i].value, k.utf8Equals(field) { return values[i] }
            }
            return nil
        }
        guard let i = index[MapKey(stringKey: field)] else { return nil }
        return values[i]
    }

    /// Inserts a new entry; returns `false` (and changes nothing) when the key is already present.
    @discardableResult
    public mutating func insert(_ key: MapKey, _ value: Value) -> Bool {
        if position(of: key) != nil { return false }
        append(key, value)
        return true
    }

    /// Sets the value for `key`, replacing an existing entry in place.
    public mutating func set(_ key: MapKey, _ value: Value) {
        if let i = position(of: key) {
            values[i] = value
        } else {
            append(key, value)
        }
    }

    private mutating func append(_ key: MapKey, _ value: Value) {
        keys.append(key)
        values.append(value)
        if keys.count > MapValue.linearLimit {
            if index.isEmpty {
                for (i, k) in keys.enumerated() { index[k] = i }
            } else {
                index[key] = keys.count - 1
            }
        }
    }
}

extension MapKey {
    init(stringKey: String) { self.init(unchecked: .string(stringKey)) }
}

extension MapKey {
    fileprivate init(unchecked value: Value) { self = MapKey(value)! }
}
