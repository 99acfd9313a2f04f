import NIOCore
import NIOPosix
import Synchronization

/// A TCP forwarder the test controls: clients connect to ``port`` and talk to the target
/// through it. ``close()`` cuts every connection and stops listening (the database is "down"
/// for whoever uses this port, while the shared server keeps running for everyone else);
/// ``reopen()`` listens on the same port again.
final class TCPForwarder: Sendable {
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let targetHost: String
    private let targetPort: Int
    private let channels = Mutex<(server: (any Channel)?, children: [any Channel])>((nil, []))
    private let boundPort = Mutex(0)

    var port: Int { boundPort.withLock { $0 } }

    init(targetHost: String, targetPort: Int) async throws {
        self.targetHost = targetHost
        self.targetPort = targetPort
        try await listen(port: 0)
    }

    private func listen(port: Int) async throws {
        let targetHost = targetHost
        let targetPort = targetPort
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [self] child in
                self.channels.withLock { $0.children.append(child) }
                return ClientBootstrap(group: child.eventLoop)
                    .channelInitializer { out in
                        out.eventLoop.makeCompletedFuture { try out.pipeline.syncOperations.addHandler(Relay(child)) }
                    }
                    .connect(host: targetHost, port: targetPort)
                    .flatMapThrowing { out in
                        self.channels.withLock { $0.children.append(out) }
                        try child.pipeline.syncOperations.addHandler(Relay(out))
                    }
            }
            .bind(host: "127.0.0.1", port: port).get()
        boundPort.withLock { $0 = server.localAddress?.port ?? 0 }
        channels.withLock { $0.server = server }
    }

    /// Stops listening and cuts every forwarded connection.
    func close() async {
        let (server, children) = channels.withLock { c in
            defer { c = (nil, []) }
            return c
        }
        try? await server?.close()
        for child in children { try? await child.close() }
    }

    /// Listens on the same port again.
    func reopen() async throws { try await listen(port: port) }

    func shutdown() async {
        await close()
        try? await group.shutdownGracefully()
    }

    /// Writes what one side reads to the other, and closes the other when one side closes.
    private final class Relay: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let partner: any Channel
        init(_ partner: any Channel) { self.partner = partner }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            partner.writeAndFlush(unwrapInboundIn(data), promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            partner.close(promise: nil)
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }
}
