internal import CountersignCore
internal import CountersignEncoding

/// Reads the fields of an event payload, each failure naming the event type and the field's path.
extension JSONValue {
    /// A pattern match, not `==`: equality compares canonical forms, which is far too slow for a null test.
    var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

struct PayloadReader {
    let type: EventType
    let value: JSONValue
    let path: String

    init(_ type: EventType, _ value: JSONValue, path: String = "payload") {
        self.type = type
        self.value = value
        self.path = path
    }

    func fail(_ key: String, _ what: String) -> LedgerError {
        LedgerError(.invalidInput, "\(type): \(path).\(key) \(what)")
    }

    func string(_ key: String) throws(LedgerError) -> String {
        guard let s = value[key]?.stringValue, !s.isEmpty else { throw fail(key, "must be a non-empty string") }
        return s
    }

    func optionalString(_ key: String) throws(LedgerError) -> String? {
        guard let v = value[key], !v.isNull else { return nil }
        guard let s = v.stringValue else { throw fail(key, "must be a string") }
        return s
    }

    func oneOf(_ key: String, _ allowed: [String]) throws(LedgerError) -> String {
        let s = try string(key)
        guard allowed.contains(s) else { throw fail(key, "must be one of \(allowed.joined(separator: ", "))") }
        return s
    }

    func bool(_ key: String) throws(LedgerError) -> Bool {
        guard case .bool(let b) = value[key] else { throw fail(key, "must be true or false") }
        return b
    }

    func optionalNumber(_ key: String) throws(LedgerError) -> Double? {
        guard let v = value[key], !v.isNull else { return nil }
        guard let n = v.numberValue else { throw fail(key, "must be a number") }
        return n
    }

    func optionalInteger(_ key: String) throws(LedgerError) -> Int64? {
        guard let v = value[key], !v.isNull else { return nil }
        guard let n = v.numberValue, n.rounded() == n, abs(n) < 9_007_199_254_740_992 else {
            throw fail(key, "must be an integer")
        }
        return Int64(n)
    }

    func optionalStrings(_ key: String) throws(LedgerError) -> [String]? {
        guard let v = value[key], !v.isNull else { return nil }
        guard case .array(let items) = v else { throw fail(key, "must be an array of strings") }
        var out: [String] = []
        for item in items {
            guard let s = item.stringValue else { throw fail(key, "must be an array of strings") }
            out.append(s)
        }
        return out
    }

    func object(_ key: String) throws(LedgerError) -> PayloadReader {
        guard let v = value[key], case .object = v else { throw fail(key, "must be an object") }
        return PayloadReader(type, v, path: "\(path).\(key)")
    }

    /// An array of objects, each read with its index in the path ("controls[2].status").
    func optionalObjects(_ key: String) throws(LedgerError) -> [PayloadReader]? {
        guard let v = value[key], !v.isNull else { return nil }
        guard case .array(let items) = v else { throw fail(key, "must be an array of objects") }
        var out: [PayloadReader] = []
        for (i, item) in items.enumerated() {
            guard case .object = item else { throw fail("\(key)[\(i)]", "must be an object") }
            out.append(PayloadReader(type, item, path: "\(path).\(key)[\(i)]"))
        }
        return out
    }

    func optionalObject(_ key: String) throws(LedgerError) -> PayloadReader? {
        guard let v = value[key], !v.isNull else { return nil }
        return try object(key)
    }

    /// An RFC 3339 time, normalized to the ledger's sortable form.
    func time(_ key: String) throws(LedgerError) -> String {
        guard let date = RFC3339.date(try string(key)) else { throw fail(key, "must be an RFC 3339 time") }
        return RFC3339.string(date, fraction: .milliseconds)
    }

    /// A `sha256:` digest in lowercase hex.
    func digest(_ key: String) throws(LedgerError) -> String {
        let s = try string(key)
        guard ArtifactReference.isDigest(s) else { throw fail(key, "must be a sha256:<64 lowercase hex> digest") }
        return s
    }
}
