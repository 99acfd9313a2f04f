/// Settings of an ``HTTPServerTransport``. The defaults are safe for one machine: loopback
/// only, no token (anyone on the machine may call), bounded bodies, requests and streams.
public struct HTTPServerConfiguration: Sendable {
    /// Address to bind; `127.0.0.1` unless configured otherwise. Use `0.0.0.0` (with a
    /// token) to serve other machines.
    public var host: String
    /// TCP port; `0` picks a free port (read it from ``HTTPServerTransport/port``).
    public var port: Int
    /// When set, every endpoint requires `Authorization: Bearer <token>` (else HTTP 401).
    public var bearerToken: String?
    /// Largest accepted request body in bytes (else HTTP 413).
    public var maxBodyBytes: Int
    /// Most `POST /rpc` requests handled at once; one more is rejected with HTTP 503 and
    /// `Retry-After: 1` (not queued), so an overloaded server sheds load instead of
    /// piling up memory.
    public var maxConcurrentRequests: Int
    /// Most `GET /events` streams open at once (else HTTP 503).
    public var maxEventStreams: Int
    /// How many recent broadcasts are kept for `Last-Event-ID` resumption.
    public var eventBufferSize: Int
    /// Interval of the `: keep-alive` comments on idle event streams.
    public var keepAliveInterval: Duration
    /// How many events may wait for one slow event-stream reader; past that its stream is
    /// closed and the reader resumes (or resynchronises) on reconnect.
    public var maxPendingEventsPerStream: Int
    /// Browser reconnect delay sent as the stream's `retry:` field, in milliseconds.
    public var retryMilliseconds: Int

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        bearerToken: String? = nil,
        maxBodyBytes: Int = 1 << 20,
        maxConcurrentRequests: Int = 64,
        maxEventStreams: Int = 256,
        eventBufferSize: Int = 1024,
        keepAliveInterval: Duration = .seconds(15),
        maxPendingEventsPerStream: Int = 1024,
        retryMilliseconds: Int = 1000
    ) {
        self.host = host
        self.port = port
        self.bearerToken = bearerToken
        self.maxBodyBytes = maxBodyBytes
        self.maxConcurrentRequests = maxConcurrentRequests
        self.maxEventStreams = maxEventStreams
        self.eventBufferSize = eventBufferSize
        self.keepAliveInterval = keepAliveInterval
        self.maxPendingEventsPerStream = maxPendingEventsPerStream
        self.retryMilliseconds = retryMilliseconds
    }
}
