internal import Foundation

extension GitHubConfiguration {
    /// The callback URL of a deployment protection rule, if it is exactly one GitHub would send under the configured
    /// API: `<apiBaseURL>/repos/<owner>/<repo>/actions/runs/<run id>/deployment_protection_rule`, the same scheme,
    /// host and port, and nothing else — no dot segments, no percent-encoding, no user info, query or fragment.
    /// Countersign sends its GitHub token to this URL, so a prefix check is not enough: `<api>/../../x` starts
    /// with the prefix and leaves it once a client resolves the dots.
    public func deploymentCallback(_ text: String) -> String? {
        guard let base = URLComponents(string: apiBaseURL), let url = URLComponents(string: text),
            let scheme = url.scheme?.lowercased(), scheme == base.scheme?.lowercased(),
            let host = url.host?.lowercased(), host == base.host?.lowercased(), url.port == base.port,
            url.user == nil, url.password == nil, url.query == nil, url.fragment == nil,
            !text.contains("%"), !text.contains("\\")
        else { return nil }
        let basePath = base.path.split(separator: "/", omittingEmptySubsequences: false).filter { !$0.isEmpty }
        let parts = url.path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        guard parts.count == basePath.count + 7, Array(parts.prefix(basePath.count)) == basePath else { return nil }
        let rest = Array(parts.dropFirst(basePath.count))
        func name(_ s: Substring) -> Bool {
            !s.isEmpty && s != "." && s != ".." && s.count <= 100
                && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }
        }
        guard rest[0] == "repos", name(rest[1]), name(rest[2]), rest[3] == "actions", rest[4] == "runs",
            !rest[5].isEmpty, rest[5].count <= 20, rest[5].allSatisfy({ $0.isASCII && $0.isNumber }),
            rest[6] == "deployment_protection_rule"
        else { return nil }
        return apiBaseURL + "/" + rest.joined(separator: "/")
    }

    /// The `owner/name` a protection-rule callback URL names, when it is one (``deploymentCallback(_:)``).
    func callbackRepository(_ text: String) -> String? {
        guard let callback = deploymentCallback(text) else { return nil }
        let rest = callback.dropFirst(apiBaseURL.count).split(separator: "/")
        return "\(rest[1])/\(rest[2])"
    }
}
