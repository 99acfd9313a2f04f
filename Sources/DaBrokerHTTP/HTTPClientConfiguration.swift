/// Settings of an ``HTTPClientTransport``.
public struct HTTPClientConfiguration: Sendable {
    /// Server host name or address.
    public var host: String
    /// Server TCP port.
    public var port: Int
    /// Sent as `Authorization: Bearer <token>` on every request when set.
    public var bearerToken: String?
    /// How long a call waits for its reply before failing with `Unavailable`.
    public var requestTimeout: Duration
    /// How long connecting (TCP, and the first event-stream answer in `connect()`) may take.
    public var connectTimeout: Duration
    /// Most idle keep-alive connections kept for reuse by calls.
    public var maxIdleConnections: Int
    /// An idle keep-alive connection older than this is closed instead of reused. Keep it
    /// below the server's idle timeout (60 s by default): a request is never sent twice, so a
    /// request on a connection the server has just closed fails as `Unavailable`.
    public var maxIdleTime: Duration
    /// First delay before reconnecting a lost event stream; doubles up to
    /// ``maxReconnectDelay``.
    public var reconnectDelay: Duration
    /// Longest delay between event-stream reconnect attempts.
    public var maxReconnectDelay: Duration
    /// An event stream silent for this long (no event, no keep-alive comment) is taken as
    /// dead and reconnected; keep it above the server's keep-alive interval (15 s by default).
    public var eventStreamIdleTimeout: Duration
    /// How often a call answered `503 Service Unavailable` (server busy; the request was not
    /// run) is retried, with a short growing delay.
    public var busyRetries: Int

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        bearerToken: String? = nil,
        requestTimeout: Duration = .seconds(30),
        connectTimeout: Duration = .seconds(5),
        maxIdleConnections: Int = 8,
        maxIdleTime: Duration = .seconds(20),
        reconnectDelay: Duration = .milliseconds(100),
        maxReconnectDelay: Duration = .seconds(5),
        eventStreamIdleTimeout: Duration = .seconds(45),
        busyRetries: Int = 3
    ) {
        self.host = host
        self.port = port
        self.bearerToken = bearerToken
        self.requestTimeout = requestTimeout
        self.connectTimeout = connectTimeout
        self.maxIdleConnections = maxIdleConnections
        self.maxIdleTime = maxIdleTime
        self.reconnectDelay = reconnectDelay
        self.maxReconnectDelay = maxReconnectDelay
        self.eventStreamIdleTimeout = eventStreamIdleTimeout
        self.busyRetries = busyRetries
    }
}

extension Duration {
    /// The duration in whole nanoseconds (saturating), for NIO's `TimeAmount`.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (ns, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? Int64.max : ns &+ attoseconds / 1_000_000_000
    }
}
