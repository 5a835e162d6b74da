/// What one client can hold of the server: connections, time and buffered bodies. Defaults are in
/// docs/security.md; `countersign serve` exposes them as settings.
public struct ServerLimits: Sendable, Hashable {
    /// A connection that sends nothing for this long — no request, or a request head that never completes — is
    /// closed; it also bounds the gap between a body's chunks. (The whole body has `JSONBody.timeout`.)
    public var idleTimeout: Duration
    /// Connections open at once; one more is closed as soon as it is accepted.
    public var maxConnections: Int
    /// GitHub deliveries whose bodies (up to 25 MB each) are being read at once; one more is 429.
    public var webhookBodies: Int
    /// Every store call on the request path answers within this, or fails with 503 (`DeadlineStore`). Shorter
    /// than the 10 s Kubernetes gives an admission webhook, so admission denies in time rather than being cut off.
    public var storeDeadline: Duration

    public init(
        idleTimeout: Duration = .seconds(30), maxConnections: Int = 1024, webhookBodies: Int = 4,
        storeDeadline: Duration = .seconds(5)
    ) {
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections
        self.webhookBodies = webhookBodies
        self.storeDeadline = storeDeadline
    }
}
