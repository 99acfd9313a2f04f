import HummingbirdCore
import Logging
import NIOCore

/// Closes an HTTP connection that is too slow to send its request: one per connection, in the
/// pipeline after the HTTP decoder.
///
/// Three deadlines, from ``HTTPServerConfiguration``:
/// - **headers** (`headerTimeout`): a new connection must have sent its first request's
///   headers within this time;
/// - **body** (`bodyTimeout`): once the headers are in, the whole body must have arrived
///   within this time (a total, not a per-chunk idle time, so trickling bytes do not help);
/// - **idle** (`idleTimeout`): after a reply, a kept-alive connection must have sent the next
///   request's headers within this time.
///
/// While the server works on a request (body complete, reply not yet written) no deadline
/// runs. On graceful shutdown (`ChannelShouldQuiesceEvent`) a connection still sending a
/// request is closed at once: that request never reached the broker, so nothing is lost, and
/// a stalled body cannot hold the shutdown.
final class RequestDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    // Hummingbird's own connection handler names the HTTP part types (NIOHTTPTypes is not
    // imported directly: it is only a dependency of Hummingbird's).
    typealias InboundIn = HTTPConnectionStateHandler.InboundIn
    typealias InboundOut = HTTPConnectionStateHandler.InboundOut
    typealias OutboundIn = HTTPConnectionStateHandler.OutboundIn
    typealias OutboundOut = HTTPConnectionStateHandler.OutboundOut

    private let headerTimeout: TimeAmount
    private let bodyTimeout: TimeAmount
    private let idleTimeout: TimeAmount
    private let logger: Logger
    /// Whether a request's head arrived and its end has not.
    private var reading = false
    /// Requests whose head arrived and whose reply is not written yet.
    private var inProgress = 0
    private var deadline: Scheduled<Void>?

    init(configuration: HTTPServerConfiguration, logger: Logger) {
        self.headerTimeout = TimeAmount(configuration.headerTimeout)
        self.bodyTimeout = TimeAmount(configuration.bodyTimeout)
        self.idleTimeout = TimeAmount(configuration.idleTimeout)
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context, headerTimeout, "request headers") }
    }

    func channelActive(context: ChannelHandlerContext) {
        if deadline == nil { arm(context, headerTimeout, "request headers") }
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) { disarm() }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            reading = true
            inProgress += 1
            arm(context, bodyTimeout, "request body")
        case .body:
            break
        case .end:
            reading = false
            // Replied before the body was read (415, 413): the connection is idle from now on.
            if inProgress == 0 { arm(context, idleTimeout, "next request (idle)") } else { disarm() }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            inProgress = max(0, inProgress - 1)
            if inProgress == 0 && !reading { arm(context, idleTimeout, "next request (idle)") }
        }
        context.write(data, promise: promise)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent, reading {
            logger.notice("HTTP connection closed on shutdown while it was still sending a request")
            context.close(promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// Starts (or restarts) the one deadline of this connection.
    private func arm(_ context: ChannelHandlerContext, _ limit: TimeAmount, _ waitingFor: String) {
        disarm()
        let loop = context.eventLoop.assumeIsolated()
        deadline = loop.scheduleTask(in: limit) { [self] in
            deadline = nil
            logger.notice(
                "HTTP connection closed: \(waitingFor) not received in time",
                metadata: ["limit_ms": "\(limit.nanoseconds / 1_000_000)"])
            context.close(promise: nil)
        }
    }

    private func disarm() {
        deadline?.cancel()
        deadline = nil
    }
}
