import DaBrokerCore
import NIOCore
import NIOHTTP1

/// One HTTP request to send on a client connection, with the promise its reply fulfils.
struct HTTPExchange: Sendable {
    var head: HTTPRequestHead
    var body: ByteBuffer
    var timeout: TimeAmount
    var reply: EventLoopPromise<HTTPReply>
}

/// The connection closed before any part of the response arrived. The server may have closed
/// an idle keep-alive connection before reading the request, or read and run it and died
/// before answering: the client cannot tell, so the request is never sent again.
struct ConnectionClosedBeforeReply: Error {}

/// A complete HTTP response as the client transport sees it.
struct HTTPReply: Sendable {
    var status: HTTPResponseStatus
    var keepAlive: Bool
    var headers: HTTPHeaders
    var body: ByteBuffer
}

/// The client connection's pipeline end: writes one ``HTTPExchange`` at a time and collects
/// its response (HTTP/1.1, no pipelining; the connection is reused afterwards when both sides
/// keep it alive).
final class HTTPExchangeHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPExchange
    typealias OutboundOut = HTTPClientRequestPart

    private var pending: EventLoopPromise<HTTPReply>?
    private var timeoutTask: Scheduled<Void>?
    private var head: HTTPResponseHead?
    private var body = ByteBuffer()

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let exchange = unwrapOutboundIn(data)
        guard pending == nil else {
            exchange.reply.fail(BrokerError.internal("HTTP connection used for two requests at once"))
            promise?.fail(ChannelError.inappropriateOperationForState)
            return
        }
        pending = exchange.reply
        head = nil
        body.clear()
        // Both are only touched on this event loop, which runs the scheduled task.
        let loopContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        let loopSelf = NIOLoopBound(self, eventLoop: context.eventLoop)
        let timeout = exchange.timeout
        timeoutTask = context.eventLoop.scheduleTask(in: timeout) {
            loopSelf.value.fail(BrokerError.unavailable("no HTTP reply within \(timeout.nanoseconds / 1_000_000) ms"))
            loopContext.value.close(promise: nil)
        }
        context.write(wrapOutboundOut(.head(exchange.head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(exchange.body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
        case .body(var part):
            body.writeBuffer(&part)
        case .end:
            guard let head else { return fail(BrokerError.unavailable("HTTP response without a head")) }
            let reply = HTTPReply(status: head.status, keepAlive: head.isKeepAlive, headers: head.headers, body: body)
            body = ByteBuffer()
            self.head = nil
            succeed(reply)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if head == nil {
            fail(ConnectionClosedBeforeReply())
        } else {
            fail(BrokerError.unavailable("HTTP connection closed in the middle of the reply"))
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(BrokerError.unavailable("HTTP connection failed: \(error)"))
        context.close(promise: nil)
    }

    private func succeed(_ reply: HTTPReply) {
        timeoutTask?.cancel()
        timeoutTask = nil
        let promise = pending
        pending = nil
        promise?.succeed(reply)
    }

    private func fail(_ error: any Error) {
        timeoutTask?.cancel()
        timeoutTask = nil
        let promise = pending
        pending = nil
        promise?.fail(error)
    }
}
