import DaBrokerCore
import DaBrokerServer
import DaBrokerServerTestSupport
import Logging

@testable import DaBrokerAMQP

extension StaticBroker where Transport == AMQPServerTransport {
    /// The static broker over AMQP, its queue purged on start.
    init(_ c: AMQPConfiguration) async throws {
        var logger = Logger(label: "amqp-e2e")
        logger.logLevel = .warning
        self = try await Self.start(
            AMQPServerTransport(configuration: AMQPTest.named(c, "broker"), logger: logger),
            configuration: .init(secret: "amqp-tests", logger: logger), purge: true)
    }
}
