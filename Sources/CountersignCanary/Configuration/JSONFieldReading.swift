internal import CountersignEncoding

/// Typed, path-naming access to a parsed JSON document, for decoders whose every error names its field
/// (`metrics[2].analysisConfigurations.canary.critical: expected a boolean, got a string`).
protocol JSONFieldReading {
    /// The code of the errors thrown.
    var errorCode: CanaryError.Code { get }
}

extension JSONFieldReading {
    func object(_ value: JSONValue, _ path: String) throws(CanaryError) -> [String: JSONValue] {
        guard let o = value.objectDictionary else {
            throw typeError(path.isEmpty ? "(document)" : path, "an object", value)
        }
        return o
    }

    func array(_ value: JSONValue, _ path: String) throws(CanaryError) -> [JSONValue] {
        guard case .array(let a) = value else { throw typeError(path, "an array", value) }
        return a
    }

    func string(_ value: JSONValue, _ path: String) throws(CanaryError) -> String {
        guard case .string(let s) = value else { throw typeError(path, "a string", value) }
        return s
    }

    func number(_ value: JSONValue, _ path: String) throws(CanaryError) -> Double {
        guard case .number(let n) = value else { throw typeError(path, "a number", value) }
        return n
    }

    func optionalString(_ o: [String: JSONValue], _ key: String, _ path: String) throws(CanaryError) -> String? {
        guard let v = o[key], v != .null else { return nil }
        return try string(v, join(path, key))
    }

    func optionalNumber(_ o: [String: JSONValue], _ key: String, _ path: String) throws(CanaryError) -> Double? {
        guard let v = o[key], v != .null else { return nil }
        return try number(v, join(path, key))
    }

    func requiredNumber(_ o: [String: JSONValue], _ key: String, _ path: String) throws(CanaryError) -> Double {
        guard let v = o[key] else { throw missing(join(path, key)) }
        return try number(v, join(path, key))
    }

    func optionalBool(_ o: [String: JSONValue], _ key: String, _ path: String) throws(CanaryError) -> Bool? {
        guard let v = o[key], v != .null else { return nil }
        guard case .bool(let b) = v else { throw typeError(join(path, key), "a boolean", v) }
        return b
    }

    func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func missing(_ path: String) -> CanaryError {
        CanaryError(errorCode, "\(path): required field is missing")
    }

    func typeError(_ path: String, _ expected: String, _ got: JSONValue) -> CanaryError {
        CanaryError(errorCode, "\(path): expected \(expected), got \(got.typeName)")
    }
}
