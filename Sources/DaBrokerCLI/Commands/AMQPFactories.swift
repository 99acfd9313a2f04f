import DaBrokerCore
import Logging

/// Makes the AMQP transports from configuration.
enum AMQPServerFactory {
    static func make(_ s: GatewayConfiguration.AMQPSettings, limits: GatewayConfiguration.Limits, logger: Logger) throws
        -> any ServerTransport
    {
        throw ConfigurationError("AMQP is not available in this build")
    }
}

enum AMQPClientFactory {
    static func make(url: String, timeout: Double) throws -> any ClientTransport {
        throw ConfigurationError("AMQP is not available in this build")
    }
}
