import DaBrokerCore
import DaBrokerTestSupport
import Foundation

@testable import DaBrokerAMQP

/// Helpers of the AMQP tests: per-test names (`amqpt_<id>_…`), echo servers, clean-up, and the
/// test stack's RabbitMQ helpers.
enum AMQPTest {
    static var enabled: Bool { TestServices.isAvailable(.amqp) }

    /// A configuration with names of its own (queue, exchange, connection names).
    static func configuration(timeout: Duration = .seconds(10)) throws -> AMQPConfiguration {
        var c = try AMQPConfiguration(url: TestServices.url(for: .amqp)).withOwnNames(prefix: "amqpt")
        c.callTimeout = timeout
        c.reconnectMaxDelay = .milliseconds(500)
        return c
    }

    /// The configuration with another connection name (to close one side only).
    static func named(_ c: AMQPConfiguration, _ suffix: String) -> AMQPConfiguration {
        var c = c
        c.connectionName = (c.connectionName ?? "amqpt") + "_" + suffix
        return c
    }

    /// Starts a server transport whose handler answers `tag` + the request.
    static func echoServer(
        _ c: AMQPConfiguration, tag: String = "", delay: Duration? = nil, purge: Bool = false
    ) async throws -> AMQPServerTransport {
        let server = AMQPServerTransport(configuration: named(c, "server" + tag))
        try await server.start(
            handler: { request in
                if let delay { try? await Task.sleep(for: delay) }
                return Array(tag.utf8) + request
            }, purge: purge)
        return server
    }

    static func client(
        _ c: AMQPConfiguration, _ suffix: String = "client", clock: some Clock<Duration> = ContinuousClock()
    ) async throws -> AMQPClientTransport {
        let client = AMQPClientTransport(configuration: named(c, suffix), clock: clock)
        try await client.connect()
        return client
    }

    /// Deletes the test's queue and exchange.
    static func cleanUp(_ c: AMQPConfiguration) async {
        _ = try? await TestStack.onThread {
            let session = try AMQPSession(configuration: c)
            try session.deleteQueue(c.queue)
            try session.deleteExchange(c.exchange)
        }
    }

    /// Polls `condition` until it holds or `timeout` passes; returns whether it held.
    static func eventually(
        within timeout: Duration = .seconds(5), _ condition: @Sendable () async -> Bool
    ) async -> Bool {
        let clock = ContinuousClock()
        let end = clock.now + timeout
        while clock.now < end {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return await condition()
    }

    static func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }
    static func text(_ b: [UInt8]) -> String { String(decoding: b, as: UTF8.self) }
}
