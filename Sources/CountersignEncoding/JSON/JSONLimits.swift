/// How much a JSON document may hold before the reader refuses it, so hostile input cannot exhaust the stack or
/// the heap. Each caller that reads outside input states its own limit; the defaults suit documents of a few
/// megabytes (request bodies are capped lower, before they are read).
public struct JSONLimits: Sendable, Hashable {
    /// The largest document, in bytes.
    public var maxBytes: Int
    /// The deepest nesting of arrays and objects.
    public var maxDepth: Int

    public init(maxBytes: Int = 64 << 20, maxDepth: Int = 128) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
    }

    public static let `default` = JSONLimits()
}
