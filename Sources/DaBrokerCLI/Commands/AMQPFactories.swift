import DaBrokerAMQP
import DaBrokerCore
import Logging

/// Makes the AMQP transports from configuration.
enum AMQPServerFactory {
    static func make(_ s: GatewayConfiguration.AMQPSettings, limits: GatewayConfiguration.Limits, logger: Logger) throws
        -> any ServerTransport
    {
        var c = try AMQPConfiguration(url: s.url)
        c.queue = s.queue
        c.exchange = s.exchange
        c.routingKey = s.routingKey
        c.prefetch = s.prefetch
        c.heartbeat = s.heartbeatSeconds
        c.connectionName = "dabroker-serve"
        return AMQPServerTransport(configuration: c, logger: logger)
    }
}

enum AMQPClientFactory {
    static func make(url: String, timeout: Double) throws -> any ClientTransport {
        var c = try AMQPConfiguration(url: url)
        c.callTimeout = .milliseconds(Int(timeout * 1000))
        c.connectionName = "dabroker-cli"
        return AMQPClientTransport(configuration: c)
    }
}
