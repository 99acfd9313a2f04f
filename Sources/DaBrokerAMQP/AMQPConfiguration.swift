import DaBrokerCore
import Foundation

/// Where and how an AMQP transport connects: the broker address and credentials (from an
/// `amqp://user:pass@host:port/vhost` URL) plus the names and tuning the transports use.
///
/// The defaults are the original DaBroker's names: requests go to queue `dab_queue`,
/// broadcasts to the fanout exchange `dab_alert` with routing key `dab_info`.
///
/// ```swift
/// var config = try AMQPConfiguration(url: "amqp://guest:guest@127.0.0.1:5672/%2f")
/// config.prefetch = 32
/// ```
public struct AMQPConfiguration: Sendable, Hashable {
    /// Host name or address of the RabbitMQ server.
    public var host: String
    /// TCP port (default 5672).
    public var port: Int
    /// User name (default `guest`).
    public var user: String
    /// Password (default `guest`).
    public var password: String
    /// Virtual host (default `/`; in the URL `%2f`).
    public var vhost: String
    /// The request queue (non-exclusive, shared by every server on it).
    public var queue: String = "dab_queue"
    /// The fanout exchange for broadcasts.
    public var exchange: String = "dab_alert"
    /// The routing key broadcasts are published with.
    public var routingKey: String = "dab_info"
    /// How many requests one server works on at once (basic.qos prefetch count).
    public var prefetch: Int = 16
    /// Heartbeat interval in seconds asked of the broker (0 = none).
    public var heartbeat: Int = 10
    /// How long a client waits for a reply before failing the call with `Unavailable`.
    public var callTimeout: Duration = .seconds(30)
    /// How long a client call waits for its reply before the client checks that some server
    /// consumes ``queue``; `nil` (or a value not below ``callTimeout``) turns the check off.
    ///
    /// RabbitMQ keeps a request in a declared queue that no server consumes (all gateways
    /// down) and has no "fail if nobody consumes" flag, so without the check such a call waits
    /// the whole ``callTimeout``. With it, the client transport makes a passive `queue.declare`
    /// of ``queue`` on its own connection once a call has waited this long (and every period
    /// after that while calls wait, at most one declare per period however many calls wait);
    /// if RabbitMQ answers that the queue has no consumer, every call waiting for a reply
    /// fails at once with `Unavailable`. Calls answered within the period cost nothing extra.
    public var noConsumerCheckAfter: Duration? = .seconds(1)
    /// The `connection_name` client property (shown by `rabbitmqctl list_connections`).
    public var connectionName: String?
    /// The first pause before reconnecting; doubled after each failed attempt.
    public var reconnectMinDelay: Duration = .milliseconds(100)
    /// The longest pause between reconnection attempts.
    public var reconnectMaxDelay: Duration = .seconds(2)
    /// Timeout of the TCP connect and of each synchronous AMQP method (declare, bind, ...).
    public var operationTimeout: Duration = .seconds(5)
    /// The `reply_to` values a server answers to, as prefixes. A request whose `reply_to` starts
    /// with none of them is not run and gets no reply (a warning is logged), so a client cannot
    /// make the server publish into another application's queue. The default allows RabbitMQ's
    /// direct reply-to (`amq.rabbitmq.reply-to…`, what this package's client uses) and
    /// server-named queues (`amq.gen-…`, the original Python client's exclusive reply queue).
    /// Names starting with `amq.` cannot be chosen by clients (RabbitMQ refuses to declare
    /// them), so the default reaches no queue an application named.
    public var allowedReplyTo: [String] = AMQPConfiguration.defaultAllowedReplyTo

    /// The default of ``allowedReplyTo``.
    public static let defaultAllowedReplyTo = ["amq.rabbitmq.reply-to", "amq.gen-"]

    /// Whether a server may publish a reply to `replyTo`.
    public func allowsReply(to replyTo: String) -> Bool {
        allowedReplyTo.contains { replyTo.hasPrefix($0) }
    }

    /// Reads an `amqp://user:pass@host:port/vhost` URL; user, password and vhost are
    /// percent-decoded (`%2f` is `/`). Missing parts take RabbitMQ's defaults
    /// (`guest`/`guest`, port 5672, vhost `/`). Throws `BadRequest` naming what is wrong.
    public init(url: String) throws(BrokerError) {
        let parts = try AMQPURL.parse(url)
        host = parts.host
        port = parts.port
        user = parts.user
        password = parts.password
        vhost = parts.vhost
    }

    /// Connects to `host:port` with explicit credentials.
    public init(
        host: String, port: Int = 5672, user: String = "guest", password: String = "guest", vhost: String = "/"
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.vhost = vhost
    }

    /// This configuration with a queue, exchange and connection name of its own
    /// (`<prefix>_<random>_q`, `…_x`, `<prefix>_<random>`), so that a separate gateway, a test
    /// or a benchmark can share a broker without touching anyone else's traffic.
    public func withOwnNames(prefix: String) -> AMQPConfiguration {
        var c = self
        let id = prefix + "_" + UUID().uuidString.prefix(8).lowercased()
        c.queue = id + "_q"
        c.exchange = id + "_x"
        c.connectionName = id
        return c
    }
}
