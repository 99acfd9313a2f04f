import DaBrokerCore
import DaBrokerTestSupport
import Foundation

@testable import DaBrokerAMQP

/// The test stack's helpers (`scripts/test-stack.sh kill-postgres-connections …`) and AMQP
/// names of the reliability tests' own.
enum StackHelper {
    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Runs blocking work on a thread of its own, off the cooperative pool.
    static func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
            }.start()
        }
    }

    /// Runs `bash scripts/test-stack.sh <args>`; throws when it fails.
    static func stack(_ args: String...) async throws {
        let script = root.appendingPathComponent("scripts/test-stack.sh").path
        let status = try await onThread { () throws -> Int32 in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/bash")
            p.arguments = [script] + args
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            return p.terminationStatus
        }
        if status != 0 { throw BrokerError.internal("test-stack.sh \(args) exited with \(status)") }
    }

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
        _ = try? await onThread {
            let session = try AMQPSession(configuration: c)
            try session.deleteQueue(c.queue)
            try session.deleteExchange(c.exchange)
        }
    }
}
