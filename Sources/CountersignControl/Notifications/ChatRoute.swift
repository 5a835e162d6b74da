internal import CountersignCore
internal import Foundation

/// Where a chat notification goes: a Slack or Microsoft Teams incoming webhook for one environment, one team (the
/// teams whose approval a request's tier asks for), or every request. The webhook URL is a secret — whoever holds
/// it posts to the channel — so it stays in the server's configuration: the ledger's outbox names the route by
/// ``key`` and the deliverer looks the URL up when it sends.
public struct ChatRoute: Sendable, Hashable {
    public enum Service: String, Sendable, Hashable {
        case slack, teams
    }

    public enum Scope: Sendable, Hashable {
        case everything
        case environment(String)
        case team(String)
    }

    public var service: Service
    public var scope: Scope
    public var url: String

    /// `slack:environment:production`, `teams:team:payments-owners`, `slack:*`: what the outbox records.
    public var key: String {
        switch scope {
        case .everything: "\(service.rawValue):*"
        case .environment(let name): "\(service.rawValue):environment:\(name)"
        case .team(let name): "\(service.rawValue):team:\(name)"
        }
    }

    /// One route as configured: `URL` (every request), `ENVIRONMENT=URL`, or `team:TEAM=URL`. The URL must be https
    /// (or http on a loopback address).
    public init(_ text: String, service: Service) throws(ControlError) {
        var scope = Scope.everything
        var url = text
        if !text.hasPrefix("http://") && !text.hasPrefix("https://") {
            guard let equals = text.firstIndex(of: "=") else {
                throw ControlError(
                    .badRequest, "\(service.rawValue) route \(text) is not URL, ENVIRONMENT=URL or team:TEAM=URL")
            }
            let name = String(text[..<equals])
            guard !name.isEmpty, name != "team:" else {
                throw ControlError(.badRequest, "\(service.rawValue) route \(text) names no environment or team")
            }
            url = String(text[text.index(after: equals)...])
            scope = name.hasPrefix("team:") ? .team(String(name.dropFirst(5))) : .environment(Names.canonical(name))
        }
        guard let parsed = URLComponents(string: url), let host = parsed.host, !host.isEmpty,
            parsed.scheme == "https" || (parsed.scheme == "http" && OIDCSettings.isLoopback(host))
        else {
            throw ControlError(
                .badRequest, "\(service.rawValue) webhook URL must be https (http only on a loopback address)")
        }
        self.service = service
        self.scope = scope
        self.url = url
    }

    /// Whether a request to `environment`, whose tier asks `teams` to approve, goes to this route.
    func covers(environment: String, teams: [String]) -> Bool {
        switch scope {
        case .everything: true
        case .environment(let name): name == environment
        case .team(let name): teams.contains(name)
        }
    }
}
