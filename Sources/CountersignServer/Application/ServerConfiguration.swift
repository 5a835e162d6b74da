/// How the server runs: plain values with defaults; only the CLI reads flags, environment and files into it.
public struct ServerConfiguration: Sendable, Hashable {
    /// Loopback by default: exposing the control plane is a deliberate choice.
    public var host: String
    public var port: Int
    /// The checkpoint origin line (C2SP), e.g. `countersign.example.com/ledger`.
    public var origin: String
    /// Connections, idle time, bodies and store deadlines.
    public var limits: ServerLimits
    /// The URL people reach the server at, e.g. behind a TLS proxy. The web UI accepts a form only from its origin
    /// and marks its cookies `Secure` when it is https. `nil`: only the loopback origins of `port` (development).
    public var publicURL: PublicURL? = nil
    /// Signs the sign-in form's CSRF token (at least 32 bytes); every node behind one load balancer needs the
    /// same. `nil`: a random key per process, so a sign-in form is accepted by the process that served it.
    public var sessionKey: [UInt8]? = nil

    public init(
        host: String = "127.0.0.1", port: Int = 8080, origin: String = "countersign.local/ledger",
        limits: ServerLimits = ServerLimits()
    ) {
        self.host = host
        self.port = port
        self.origin = origin
        self.limits = limits
    }
}
