internal import CountersignEncoding
internal import Foundation

/// `{{args.name}}` substitution, as Argo performs it on provider fields (whitespace inside the braces allowed).
/// Placeholders that are not `args.` (Argo's `{{templates.…}}`, Go templates of other tools) are kept verbatim.
struct ArgumentSubstitution {
    let args: [String: String]

    init(_ args: [String: String]) { self.args = args }

    /// `text` with each `{{args.name}}` replaced by its value.
    ///
    /// - Throws: ``CanaryError/Code/invalidConfiguration`` when an argument is missing or a placeholder is unclosed.
    func apply(_ text: String, field: String) throws(CanaryError) -> String {
        try Placeholders.fill(text, open: "{{", close: "}}", field: field) { inner throws(CanaryError) in
            guard inner.hasPrefix("args.") else { return nil }
            let name = String(inner.dropFirst("args.".count))
            guard let value = args[name] else {
                throw CanaryError(.invalidConfiguration, "\(field): argument '\(name)' is not set")
            }
            return value
        }
    }

    func apply(_ headers: [HTTPHeader], field: String) throws(CanaryError) -> [HTTPHeader] {
        var out: [HTTPHeader] = []
        for (i, h) in headers.enumerated() {
            out.append(HTTPHeader(key: h.key, value: try apply(h.value, field: "\(field)[\(i)].value")))
        }
        return out
    }

    func apply(_ value: JSONValue, field: String) throws(CanaryError) -> JSONValue {
        switch value {
        case .string(let s): return .string(try apply(s, field: field))
        case .array(let a):
            var out: [JSONValue] = []
            for (i, v) in a.enumerated() { out.append(try apply(v, field: "\(field)[\(i)]")) }
            return .array(out)
        case .object(let o):
            var out: [String: JSONValue] = [:]
            for (k, v) in o { out[k] = try apply(v, field: "\(field).\(k)") }
            return .object(out)
        default: return value
        }
    }
}
