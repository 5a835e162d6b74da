/// A URL as Kubernetes' `url()` parses it (Go's `url.ParseRequestURI`): an absolute URI with a scheme, or an
/// absolute path. Fragments are not allowed, as in an HTTP request line.
public final class ParsedURL: ObjectValue {
    static let type = CELType.opaque("kubernetes.URL", [])

    public let text: String
    public let scheme: String
    /// Host with port, IPv6 literals in brackets (`[::1]:80`).
    public let host: String
    public let escapedPath: String
    public let rawQuery: String

    init(text: String, scheme: String, host: String, escapedPath: String, rawQuery: String) {
        self.text = text
        self.scheme = scheme
        self.host = host
        self.escapedPath = escapedPath
        self.rawQuery = rawQuery
    }

    public var celType: CELType { ParsedURL.type }
    public func isEqual(to other: any ObjectValue) -> Bool { (other as? ParsedURL)?.text == text }
    public var stringValue: String? { text }

    /// The host without port or brackets.
    public var hostname: String {
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
            return String(host[host.index(after: host.startIndex)..<close])
        }
        if let colon = host.lastIndex(of: ":") { return String(host[..<colon]) }
        return host
    }

    /// The port, or `''` when none is given.
    public var port: String {
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
            let rest = host[host.index(after: close)...]
            return rest.hasPrefix(":") ? String(rest.dropFirst()) : ""
        }
        if let colon = host.lastIndex(of: ":") { return String(host[host.index(after: colon)...]) }
        return ""
    }

    static func invalid(_ s: String, _ why: String) -> EvalError {
        EvalError(.invalidArgument, "URL parse error during conversion from string: '\(s)': \(why)")
    }

    public static func parse(_ s: String) throws(EvalError) -> ParsedURL {
        guard !s.isEmpty else { throw invalid(s, "empty url") }
        guard !s.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || $0 == " " }) else {
            throw invalid(s, "invalid control character or space in URL")
        }
        guard !s.contains("#") else { throw invalid(s, "fragments are not allowed") }
        var rest = Substring(s)
        var query = ""
        if let q = rest.firstIndex(of: "?") {
            query = String(rest[rest.index(after: q)...])
            rest = rest[..<q]
        }
        var scheme = ""
        var host = ""
        if !rest.hasPrefix("/") {
            guard let colon = rest.firstIndex(of: ":") else { throw invalid(s, "invalid URI for request") }
            scheme = String(rest[..<colon])
            guard let first = scheme.unicodeScalars.first, first.isIdentStart, first != "_",
                scheme.unicodeScalars.allSatisfy({ $0.isIdentPart && $0 != "_" || $0 == "+" || $0 == "-" || $0 == "." })
            else { throw invalid(s, "missing protocol scheme") }
            rest = rest[rest.index(after: colon)...]
            if rest.hasPrefix("//") {
                rest = rest.dropFirst(2)
                let end = rest.firstIndex(of: "/") ?? rest.endIndex
                var authority = rest[..<end]
                rest = rest[end...]
                if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
                host = String(authority)
                try validateHost(host, s)
            } else if !rest.hasPrefix("/") && !rest.isEmpty {
                // An opaque URI such as `mailto:user@example.com`.
                return ParsedURL(text: s, scheme: scheme, host: "", escapedPath: "", rawQuery: query)
            }
        }
        try validateEscapes(String(rest), s)
        try validateEscapes(query, s)
        return ParsedURL(text: s, scheme: scheme, host: host, escapedPath: String(rest), rawQuery: query)
    }

    static func validateHost(_ host: String, _ s: String) throws(EvalError) {
        var h = Substring(host)
        if h.hasPrefix("[") {
            guard let close = h.firstIndex(of: "]") else { throw invalid(s, "missing ']' in host") }
            let literal = String(h[h.index(after: h.startIndex)..<close])
            guard IPAddress.parseIPv6(literal) != nil else { throw invalid(s, "invalid IPv6 host") }
            h = h[h.index(after: close)...]
            guard h.isEmpty || h.hasPrefix(":") else { throw invalid(s, "invalid port after host") }
            if h.hasPrefix(":") { try validatePort(h.dropFirst(), s) }
            return
        }
        if let colon = h.lastIndex(of: ":") {
            try validatePort(h[h.index(after: colon)...], s)
            h = h[..<colon]
        }
        guard !h.contains(":") else { throw invalid(s, "invalid host") }
    }

    static func validatePort(_ p: Substring, _ s: String) throws(EvalError) {
        guard p.allSatisfy({ $0.isASCII && $0.isNumber }) else { throw invalid(s, "invalid port \"\(p)\"") }
    }

    static func validateEscapes(_ part: String, _ s: String) throws(EvalError) {
        let b = Array(part.utf8)
        var i = 0
        while i < b.count {
            if b[i] == UInt8(ascii: "%") {
                guard i + 2 < b.count, Unicode.Scalar(b[i + 1]).hexValue != nil,
                    Unicode.Scalar(b[i + 2]).hexValue != nil
                else { throw invalid(s, "invalid URL escape") }
                i += 3
            } else {
                i += 1
            }
        }
    }

    /// The query as `map(string, list(string))`, percent-decoded, `+` as space, values in order.
    func queryValues() throws(EvalError) -> Value {
        var map = MapValue()
        for pair in rawQuery.split(separator: "&", omittingEmptySubsequences: true) {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = ParsedURL.unescape(kv[0])
            let value = kv.count > 1 ? ParsedURL.unescape(kv[1]) : ""
            let k = MapKey(.string(key))!
            if case .list(var values)? = map[k] {
                values.append(.string(value))
                map.set(k, .list(values))
            } else {
                map.set(k, .list([.string(value)]))
            }
        }
        return .map(map)
    }

    static func unescape(_ s: Substring) -> String {
        let b = Array(s.utf8)
        var out: [UInt8] = []
        var i = 0
        while i < b.count {
            if b[i] == UInt8(ascii: "%"), i + 2 < b.count, let h = Unicode.Scalar(b[i + 1]).hexValue,
                let l = Unicode.Scalar(b[i + 2]).hexValue
            {
                out.append(UInt8(h * 16 + l))
                i += 3
            } else {
                out.append(b[i] == UInt8(ascii: "+") ? UInt8(ascii: " ") : b[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
