import NIOCore
import NIOHTTP1
import NIOPosix

/// A tiny HTTP server on 127.0.0.1 for the cases a real registry will not produce: bytes that do not match
/// their digest, garbage, silence, a dribbling body, token challenges. Each request is answered by `route`.
final class FakeHTTPServer: Sendable {
    struct Reply: Sendable {
        var status: HTTPResponseStatus = .ok
        var headers: [(String, String)] = []
        var body: [UInt8] = []
        /// Never answer (the client's deadline must fire).
        var hang = false
        /// Send the head, then one body byte every 200 ms.
        var dribble = false
    }
    struct Request: Sendable {
        let method: String
        let uri: String
        let headers: [(String, String)]
        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
    }

    let channel: any Channel
    let group: MultiThreadedEventLoopGroup
    var port: Int { channel.localAddress!.port! }
    var host: String { "127.0.0.1:\(port)" }

    init(route: @escaping @Sendable (Request) -> Reply) async throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(Handler(route: route))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    func stop() async throws {
        try await channel.close()
        try await group.shutdownGracefully()
    }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let route: @Sendable (Request) -> Reply
        var head: HTTPRequestHead?

        init(route: @escaping @Sendable (Request) -> Reply) { self.route = route }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let h): head = h
            case .body: break
            case .end:
                guard let head else { return }
                let reply = route(
                    Request(
                        method: head.method.rawValue, uri: head.uri, headers: head.headers.map { ($0.name, $0.value) }))
                if reply.hang { return }
                var headers = HTTPHeaders(reply.headers)
                headers.replaceOrAdd(name: "Content-Length", value: String(reply.body.count))
                context.write(
                    wrapOutboundOut(
                        .head(HTTPResponseHead(version: head.version, status: reply.status, headers: headers))),
                    promise: nil)
                if reply.dribble {
                    let loop = context.eventLoop
                    let ctx = NIOLoopBound(context, eventLoop: loop)
                    context.flush()
                    for (i, byte) in reply.body.enumerated() {
                        loop.scheduleTask(in: .milliseconds(200 * Int64(i + 1))) {
                            var b = ctx.value.channel.allocator.buffer(capacity: 1)
                            b.writeInteger(byte)
                            ctx.value.writeAndFlush(NIOAny(HTTPServerResponsePart.body(.byteBuffer(b))), promise: nil)
                        }
                    }
                    return
                }
                var buffer = context.channel.allocator.buffer(capacity: reply.body.count)
                buffer.writeBytes(reply.body)
                context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}
