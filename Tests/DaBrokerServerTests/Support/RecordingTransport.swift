import DaBrokerCore
import Foundation

/// A test transport that hands requests straight to the server's handler and records every
/// encoded message that passes (requests, replies, broadcasts), so tests can scan the bytes.
final class RecordingTransport: ServerTransport, @unchecked Sendable {
    // @unchecked: every stored var is only touched while `lock` is held.
    private let lock = NSLock()
    private var handler: RequestHandler?
    private var _broadcasts: [[UInt8]] = []
    private var _all: [[UInt8]] = []
    private var _purged: Bool?

    func start(handler: @escaping RequestHandler) async throws {
        lock.withLock { self.handler = handler }
    }

    func broadcast(_ message: [UInt8]) async throws {
        lock.withLock {
            _broadcasts.append(message)
            _all.append(message)
        }
    }

    func stop() async {
        lock.withLock { handler = nil }
    }

    /// Sends one encoded request to the server and returns the encoded reply.
    func send(_ request: [UInt8]) async throws -> [UInt8] {
        guard let h = lock.withLock({ handler }) else { throw BrokerError.unavailable("transport not started") }
        lock.withLock { _all.append(request) }
        let reply = await h(request)
        lock.withLock { _all.append(reply) }
        return reply
    }

    var broadcasts: [[UInt8]] { lock.withLock { _broadcasts } }
    /// Every message seen, encoded.
    var all: [[UInt8]] { lock.withLock { _all } }
}

/// A transport that keeps a queue, to see that `start(purge:)` reaches it.
final class PurgingRecordingTransport: PurgeableServerTransport, @unchecked Sendable {
    // @unchecked: `purgedWith` is only touched while `lock` is held.
    private let lock = NSLock()
    private var purgedWith: Bool?
    let inner = RecordingTransport()

    func start(handler: @escaping RequestHandler, purge: Bool) async throws {
        lock.withLock { purgedWith = purge }
        try await inner.start(handler: handler)
    }
    func start(handler: @escaping RequestHandler) async throws { try await start(handler: handler, purge: false) }
    func broadcast(_ message: [UInt8]) async throws { try await inner.broadcast(message) }
    func stop() async { await inner.stop() }
    var purge: Bool? { lock.withLock { purgedWith } }
}
