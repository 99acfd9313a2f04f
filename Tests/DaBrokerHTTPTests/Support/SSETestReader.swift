import DaBrokerCore
import DaBrokerTestSupport
import NIOCore
import NIOHTTP1

@testable import DaBrokerHTTP

/// Reads `GET /events` on its own connection, keeping the raw text and the parsed events,
/// with an optional `Last-Event-ID` — the way a browser's EventSource would.
final class SSETestReader: Sendable {
    struct Seen: Sendable {
        var status: Int?
        var raw = ""
        var events: [SSEEvent] = []
        var closed = false
    }

    private let seen = SharedMutex(Seen())
    private let channel: any Channel

    private final class Collector: ChannelInboundHandler {
        typealias InboundIn = HTTPClientResponsePart
        let seen: SharedMutex<Seen>
        var parser = SSEParser()
        init(_ seen: SharedMutex<Seen>) { self.seen = seen }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head): seen.withLock { $0.status = Int(head.status.code) }
            case .body(let buffer):
                let events = parser.feed(buffer.readableBytesView)
                seen.withLock {
                    $0.raw += String(buffer: buffer)
                    $0.events += events
                }
            case .end: context.close(promise: nil)
            }
        }
        func channelInactive(context: ChannelHandlerContext) {
            seen.withLock { $0.closed = true }
        }
    }

    init(port: Int, lastEventID: String? = nil, token: String? = nil) async throws {
        let pool = HTTPConnectionPool(configuration: .init(port: port, bearerToken: token))
        let seen = self.seen
        channel = try await pool.openChannel { channel in
            try channel.pipeline.syncOperations.addHandler(Collector(seen))
        }
        var headers = pool.baseHeaders()
        if let lastEventID { headers.add(name: "Last-Event-ID", value: lastEventID) }
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/events", headers: headers)
        try await channel.writeAndFlush(HTTPClientRequestPart.head(head))
        try await channel.writeAndFlush(HTTPClientRequestPart.end(nil))
    }

    var status: Int? { seen.withLock { $0.status } }
    var raw: String { seen.withLock { $0.raw } }
    var events: [SSEEvent] { seen.withLock { $0.events } }
    var isClosed: Bool { seen.withLock { $0.closed } }

    /// Waits until `count` events arrived (or `timeout` passed) and returns all events so far.
    @discardableResult
    func waitForEvents(_ count: Int, timeout: Duration = .seconds(5)) async -> [SSEEvent] {
        await waitUntil(timeout: timeout) { $0.events.count >= count || $0.closed }
        return events
    }

    /// Waits until `condition` holds for what was seen, or `timeout` passed.
    func waitUntil(timeout: Duration = .seconds(5), _ condition: @Sendable (Seen) -> Bool) async {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if seen.withLock({ condition($0) }) { return }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    func close() async {
        try? await channel.close()
    }
}
