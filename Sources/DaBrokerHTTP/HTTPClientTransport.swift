import DaBrokerCore
import Foundation
import Logging

/// The client side of the HTTP transport, for `BrokerClient`: calls are `POST /rpc` on
/// reused keep-alive connections; broadcasts come from one `GET /events` stream that
/// reconnects with `Last-Event-ID` and reports `.resynchronize` when events may be lost.
///
/// Built on SwiftNIO's HTTP/1.1 codec (already compiled for Hummingbird) rather than
/// AsyncHTTPClient or URLSession; `docs/dependencies.md` says why.
public final class HTTPClientTransport: ClientTransport {
    public let configuration: HTTPClientConfiguration
    public let events: AsyncStream<TransportEvent>
    private let output: AsyncStream<TransportEvent>.Continuation
    private let pool: HTTPConnectionPool
    private let stream: EventStreamClient

    static let messageContentType = "application/x-dab-json"

    public init(configuration: HTTPClientConfiguration = .init(), logger: Logger? = nil) {
        self.configuration = configuration
        let logger = logger ?? Logger(label: "dabroker.http.client")
        (events, output) = AsyncStream.makeStream(of: TransportEvent.self)
        pool = HTTPConnectionPool(configuration: configuration)
        stream = EventStreamClient(pool: pool, output: output, logger: logger)
    }

    /// A transport for `url` (`http://host:port`, no path); throws `BadRequest` for anything else.
    public convenience init(url: String, bearerToken: String? = nil, logger: Logger? = nil) throws {
        guard let parsed = URL(string: url), parsed.scheme?.lowercased() == "http", let host = parsed.host,
            parsed.path.isEmpty || parsed.path == "/"
        else {
            throw BrokerError.badRequest("HTTP transport URL '\(url)' is not of the form http://host:port")
        }
        let configuration = HTTPClientConfiguration(host: host, port: parsed.port ?? 80, bearerToken: bearerToken)
        self.init(configuration: configuration, logger: logger)
    }

    /// Opens the event stream; returns once the server confirmed it, so that broadcasts sent
    /// after this returns are received.
    public func connect() async throws {
        try await stream.start()
    }

    /// Sends one request message with `POST /rpc` and returns the reply message. Error
    /// replies the server's transport makes (HTTP 400, 401, 413, 415) are returned as the
    /// protocol error messages they carry; `503 busy` is retried a few times.
    public func call(_ request: [UInt8]) async throws -> [UInt8] {
        var attempt = 0
        while true {
            let reply = try await pool.post("/rpc", body: request, contentType: Self.messageContentType)
            if reply.status == .ok { return Array(reply.body.readableBytesView) }
            if reply.status == .serviceUnavailable, attempt < configuration.busyRetries {
                attempt += 1
                try await Task.sleep(for: .milliseconds(25 << attempt))
                continue
            }
            let body = reply.body.readableBytesView
            if body.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) == UInt8(ascii: "{") {
                return Array(body)
            }
            throw BrokerError.unavailable(
                "POST /rpc answered HTTP \(reply.status.code): \(String(decoding: body.prefix(200), as: UTF8.self))")
        }
    }

    /// Closes the event stream and every connection; calls in flight fail with `Unavailable`.
    public func close() async {
        await stream.stop()
        await pool.close()
        output.finish()
    }
}
