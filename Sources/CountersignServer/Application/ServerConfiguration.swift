/// How the server runs: plain values with defaults; only the CLI reads flags, environment and files into it.
public struct ServerConfiguration: Sendable, Hashable {
    /// Loopback by default: exposing the control plane is a deliberate choice.
    public var host: String
    public var port: Int
    /// The checkpoint origin line (C2SP), e.g. `countersign.example.com/ledger`.
    public var origin: String
    /// Connections, idle time, bodies and store deadlines.
    public var limits: ServerLimits

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
