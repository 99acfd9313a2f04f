import DaBrokerCore
import DaBrokerTestSupport
import Foundation

@testable import DaBrokerAMQP

/// AMQP names of the reliability tests' own (the stack's helpers are `TestStack`'s).
enum StackHelper {
    /// An AMQP configuration with a queue, exchange and connection name of its own.
    static func amqp(callTimeout: Duration = .seconds(5)) throws -> AMQPConfiguration {
        var c = try AMQPConfiguration(url: TestServices.url(for: .amqp)).withOwnNames(prefix: "rel")
        c.callTimeout = callTimeout
        c.reconnectMaxDelay = .milliseconds(500)
        return c
    }

    static func named(_ c: AMQPConfiguration, _ suffix: String) -> AMQPConfiguration {
        var c = c
        c.connectionName = (c.connectionName ?? "rel") + "_" + suffix
        return c
    }

    /// Deletes the queue and exchange of `c`.
    static func cleanUp(_ c: AMQPConfiguration) async {
        _ = try? await TestStack.onThread {
            let session = try AMQPSession(configuration: c)
            try session.deleteQueue(c.queue)
            try session.deleteExchange(c.exchange)
        }
    }
}
