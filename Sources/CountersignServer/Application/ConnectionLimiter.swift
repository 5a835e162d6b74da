internal import NIOCore
internal import Synchronization

/// Closes a connection as soon as it is accepted when `limit` are already open. Added to every connection's
/// pipeline; an idle timeout alone would still let a burst of connections that each send a byte in time hold
/// every descriptor the process has.
final class ConnectionLimiter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = Any

    /// The count shared by every connection of one server.
    final class Count: Sendable {
        let open = Atomic<Int>(0)
        let limit: Int
        init(limit: Int) { self.limit = limit }
    }

    private let count: Count
    private var counted = false

    init(_ count: Count) { self.count = count }

    func handlerAdded(context: ChannelHandlerContext) {
        if count.open.add(1, ordering: .relaxed).newValue <= count.limit {
            counted = true
        } else {
            count.open.subtract(1, ordering: .relaxed)
            context.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if counted {
            counted = false
            count.open.subtract(1, ordering: .relaxed)
        }
    }
}
