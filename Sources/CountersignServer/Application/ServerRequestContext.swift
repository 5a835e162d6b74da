public import CountersignControl
public import Hummingbird

/// The request context: Hummingbird's core storage plus the authenticated caller, set by ``TokenAuthenticator``.
public struct ServerRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var principal: Principal?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        principal = nil
    }

    /// The caller; routes behind the authenticator always have one.
    public func caller() throws(ControlError) -> Principal {
        guard let principal else { throw ControlError(.unauthenticated, "a bearer token is required") }
        return principal
    }
}
