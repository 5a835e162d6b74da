/// A `WWW-Authenticate` challenge from a registry: `Bearer realm="…",service="…",scope="…"` or `Basic realm="…"`.
struct AuthChallenge: Sendable, Hashable {
    enum Scheme: Sendable { case basic, bearer }
    let scheme: Scheme
    let parameters: [String: String]

    /// Parses the header; `nil` for a scheme the client does not speak.
    init?(header: String) {
        let trimmed = header.drop { $0 == " " }
        guard let space = trimmed.firstIndex(of: " ") ?? (trimmed.isEmpty ? nil : trimmed.endIndex) else {
            return nil
        }
        switch trimmed[..<space].lowercased() {
        case "bearer": scheme = .bearer
        case "basic": scheme = .basic
        default: return nil
        }
        var parameters: [String: String] = [:]
        var rest = trimmed[space...]
        while true {
            rest = rest.drop { $0 == " " || $0 == "," }
            guard let eq = rest.firstIndex(of: "=") else { break }
            let key = rest[..<eq].trimmingSpaces.lowercased()
            rest = rest[rest.index(after: eq)...]
            var value = ""
            if rest.first == "\"" {
                rest = rest.dropFirst()
                var escaped = false
                var end = rest.endIndex
                for i in rest.indices {
                    let c = rest[i]
                    if escaped {
                        value.append(c)
                        escaped = false
                    } else if c == "\\" {
                        escaped = true
                    } else if c == "\"" {
                        end = i
                        break
                    } else {
                        value.append(c)
                    }
                }
                rest = end < rest.endIndex ? rest[rest.index(after: end)...] : rest[rest.endIndex...]
            } else {
                let end = rest.firstIndex(of: ",") ?? rest.endIndex
                value = rest[..<end].trimmingSpaces
                rest = rest[end...]
            }
            parameters[key] = value
        }
        self.parameters = parameters
    }
}
