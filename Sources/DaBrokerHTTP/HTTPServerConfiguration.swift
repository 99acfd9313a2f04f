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
    /// piling up memory. A request takes its slot only once its whole body has arrived and
    /// gives it back as soon as its reply is handed over, so a slow or stalled client holds
    /// no slot and a client with at most this many requests open is never refused.
    public var maxConcurrentRequests: Int
    /// Time a new connection has to send its first request's headers (else it is closed).
    public var headerTimeout: Duration
    /// Time a request's body has to arrive in full once its headers are in (a total, so a
    /// body trickling in byte by byte does not extend it); else the connection is closed.
    public var bodyTimeout: Duration
    /// Time a kept-alive connection may stay idle after a reply before its next request's
    /// headers are in (else it is closed).
    public var idleTimeout: Duration
    /// How long ``HTTPServerTransport/stop()`` waits for requests in progress before it
    /// closes what is left. Connections still sending a request are closed at once.
    public var drainTimeout: Duration
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
        headerTimeout: Duration = .seconds(10),
        bodyTimeout: Duration = .seconds(30),
        idleTimeout: Duration = .seconds(60),
        drainTimeout: Duration = .seconds(10),
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
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.idleTimeout = idleTimeout
        self.drainTimeout = drainTimeout
        self.maxEventStreams = maxEventStreams
        self.eventBufferSize = eventBufferSize
        self.keepAliveInterval = keepAliveInterval
        self.maxPendingEventsPerStream = maxPendingEventsPerStream
        self.retryMilliseconds = retryMilliseconds
    }
}
