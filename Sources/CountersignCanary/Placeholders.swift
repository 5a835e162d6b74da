internal import Foundation

/// The one placeholder scanner behind Argo's `{{args.name}}`, Flagger's `{{ variable }}` and Kayenta's `${scope}`.
enum Placeholders {
    /// `text` with each `open … close` placeholder replaced by `resolve(name)` (the name trimmed of spaces); a
    /// `nil` from `resolve` keeps the placeholder verbatim.
    ///
    /// - Throws: ``CanaryError/Code/invalidConfiguration`` for an unclosed placeholder, or what `resolve` throws.
    static func fill(
        _ text: String, open: String, close: String, field: String,
        _ resolve: (String) throws(CanaryError) -> String?
    ) throws(CanaryError) -> String {
        var output = ""
        var rest = text[...]
        while let start = rest.range(of: open) {
            output += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].range(of: close) else {
                throw CanaryError(.invalidConfiguration, "\(field): unclosed '\(open)' in \"\(text)\"")
            }
            let name = rest[start.upperBound..<end.lowerBound].trimmingCharacters(in: .whitespaces)
            output += try resolve(name) ?? String(rest[start.lowerBound..<end.upperBound])
            rest = rest[end.upperBound...]
        }
        return output + rest
    }
}
