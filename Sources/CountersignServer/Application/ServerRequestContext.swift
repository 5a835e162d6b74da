public import CountersignControl
public import Hummingbird
internal import Synchronization

/// The request context: Hummingbird's core storage plus the authenticated caller, set by ``TokenAuthenticator``.
public struct ServerRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var principal: Principal? { didSet { state.identity = principal?.identity } }
    /// What the access log reports, shared by every copy of this request's context: a middleware sees what the
    /// routes inside it learned (contexts are values, passed down, never back).
    public let state = RequestState()

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

/// One request's facts for its access-log line.
public final class RequestState: Sendable {
    private let values = Mutex<(identity: String?, requestID: String?)>((nil, nil))

    public var identity: String? {
        get { values.withLock { $0.identity } }
        set { values.withLock { $0.identity = newValue } }
    }

    public var requestID: String? {
        get { values.withLock { $0.requestID } }
        set { values.withLock { $0.requestID = newValue } }
    }
}
