internal import CountersignEncoding
internal import Yams

/// Reads a YAML node tree (Argo and Flagger documents), producing errors that name the field and its line.
struct YAMLReader {
    /// Every document of a YAML stream (`---`-separated), each a mapping.
    static func documents(_ text: String) throws(CanaryError) -> [[String: Node]] {
        let nodes: [Node]
        do {
            nodes = Array(try Yams.compose_all(yaml: text))
        } catch {
            throw CanaryError(.invalidConfiguration, "invalid YAML: \(error)")
        }
        var out: [[String: Node]] = []
        for (i, node) in nodes.enumerated() {
            out.append(try YAMLReader().mapping(node, "document \(i + 1)"))
        }
        return out
    }

    func double(_ node: Node?, _ field: String) throws(CanaryError) -> Double? {
        guard let s = try optionalScalar(node, field) else { return nil }
        guard let d = Double(s), d.isFinite else { throw error(node, "\(field): expected a number, got '\(s)'") }
        return d
    }

    func bool(_ node: Node?, _ field: String) throws(CanaryError) -> Bool? {
        guard let s = try optionalScalar(node, field) else { return nil }
        switch s.lowercased() {
        case "true": return true
        case "false": return false
        default: throw error(node, "\(field): expected true or false, got '\(s)'")
        }
    }

    func error(_ node: Node?, _ message: String) -> CanaryError {
        if let line = node?.mark?.line { return CanaryError(.invalidConfiguration, "line \(line): \(message)") }
        return CanaryError(.invalidConfiguration, message)
    }

    func mapping(_ node: Node?, _ field: String) throws(CanaryError) -> [String: Node] {
        guard let node else { throw error(nil, "\(field): is required") }
        guard let mapping = node.mapping else { throw error(node, "\(field): expected a mapping") }
        var out: [String: Node] = [:]
        for (k, v) in mapping {
            guard let key = k.scalar?.string else { throw error(k, "\(field): keys must be strings") }
            out[key] = v
        }
        return out
    }

    func sequence(_ node: Node?, _ field: String, optional: Bool = false) throws(CanaryError) -> [Node] {
        guard let node else {
            if optional { return [] }
            throw error(nil, "\(field): is required")
        }
        if optional, let s = node.scalar, s.style == .plain, ["", "~", "null"].contains(s.string) { return [] }
        guard let seq = node.sequence else { throw error(node, "\(field): expected a list") }
        return Array(seq)
    }

    func string(_ node: Node?, _ field: String) throws(CanaryError) -> String {
        guard let s = try optionalScalar(node, field), !s.isEmpty else { throw error(node, "\(field): is required") }
        return s
    }

    /// A scalar as text (numbers and booleans included, as Kubernetes' string fields accept them unquoted).
    func optionalScalar(_ node: Node?, _ field: String) throws(CanaryError) -> String? {
        guard let node else { return nil }
        if let s = node.scalar, s.style == .plain, ["", "~", "null", "Null", "NULL"].contains(s.string) { return nil }
        guard let s = node.scalar?.string else { throw error(node, "\(field): expected a string") }
        return s
    }

    func int(_ node: Node?, _ field: String) throws(CanaryError) -> Int? {
        guard let s = try optionalScalar(node, field) else { return nil }
        // Argo's count and limits are IntOrString; a string must still hold an integer here.
        guard let i = Int(s) else { throw error(node, "\(field): expected an integer, got '\(s)'") }
        return i
    }

    func duration(_ node: Node?, _ field: String) throws(CanaryError) -> Duration? {
        guard let s = try optionalScalar(node, field) else { return nil }
        guard let d = AnalysisDuration.parse(s) else {
            throw error(node, "\(field): '\(s)' is not a duration (use e.g. 30s, 5m, 1h)")
        }
        return d
    }

    /// A YAML node as JSON data, scalars typed by YAML's core schema.
    func json(_ node: Node) -> JSONValue {
        switch node {
        case .scalar(let s):
            guard s.style == .plain else { return .string(s.string) }
            if ["", "~", "null", "Null", "NULL"].contains(s.string) { return .null }
            if let b = node.bool { return .bool(b) }
            if let i = node.int { return .number(Double(i)) }
            if let f = node.float { return .number(f) }
            return .string(s.string)
        case .mapping(let m):
            var out: [String: JSONValue] = [:]
            for (k, v) in m { out[k.scalar?.string ?? "\(k)"] = json(v) }
            return .object(out)
        case .sequence(let seq): return .array(seq.map(json))
        case .alias: return .null
        }
    }
}
