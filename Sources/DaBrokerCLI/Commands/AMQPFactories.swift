import DaBrokerAMQP
import DaBrokerCore
import Logging

/// Makes the AMQP server transport from configuration.
enum AMQPServerFactory {
    static func make(_ s: GatewayConfiguration.AMQPSettings, limits: GatewayConfiguration.Limits, logger: Logger) throws
        -> any ServerTransport
    {
        var c = try configuration(url: s.url)
        c.queue = s.queue
        c.exchange = s.exchange
        c.routingKey = s.routingKey
        c.prefetch = s.prefetch
        c.heartbeat = s.heartbeatSeconds
        c.allowedReplyTo = s.allowedReplyTo
        c.callTimeout = .milliseconds(Int(limits.callTimeoutSeconds * 1000))
        return AMQPServerTransport(configuration: c, logger: logger)
    }

    static func configuration(url: String) throws -> AMQPConfiguration {
        do {
            return try AMQPConfiguration(url: url)
        } catch {
            throw ConfigurationError(
                "AMQP URL '\(URLRedaction.redacted(url))' is not usable: \(error.message)",
                hint: "use amqp://user:password@host:port/vhost (vhost / is %2f)")
        }
    }
}

/// Makes the AMQP client transport for the client commands.
enum AMQPClientFactory {
    static func make(url: String, timeout: Double, queue: String?, exchange: String?) throws -> any ClientTransport {
        var c = try AMQPServerFactory.configuration(url: url)
        if let queue, !queue.isEmpty { c.queue = queue }
        if let exchange, !exchange.isEmpty { c.exchange = exchange }
        c.callTimeout = .milliseconds(Int(timeout * 1000))
        return AMQPClientTransport(configuration: c)
    }
}
