import DaBrokerCore
import NIOCore
import NIOHTTP1

/// What an event-stream connection reports to its ``HTTPClientTransport``.
enum EventStreamSignal: Sendable {
    /// The server refused the stream (its status and body).
    case refused(HTTPResponseStatus, String)
    /// Parsed events.
    case events([SSEEvent])
}

/// Pipeline end of the client's `GET /events` connection: checks the status and feeds the
/// body to an ``SSEParser``.
final class EventStreamHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    private let onSignal: @Sendable (EventStreamSignal) -> Void
    private var parser = SSEParser()
    private var refusedStatus: HTTPResponseStatus?
    private var refusedBody: [UInt8] = []

    init(onSignal: @escaping @Sendable (EventStreamSignal) -> Void) {
        self.onSignal = onSignal
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            if head.status != .ok { refusedStatus = head.status }
        case .body(let buffer):
            if refusedStatus != nil {
                if refusedBody.count < 4096 { refusedBody += buffer.readableBytesView.prefix(4096) }
            } else {
                let events = parser.feed(buffer.readableBytesView)
                if !events.isEmpty { onSignal(.events(events)) }
            }
        case .end:
            if let status = refusedStatus {
                onSignal(.refused(status, String(decoding: refusedBody, as: UTF8.self)))
            }
            context.close(promise: nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // Silence longer than the idle timeout: the server (or the path to it) is gone.
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
