import DaBrokerCore
import Synchronization

/// A test transport that hands requests straight to the server's handler and records every
/// encoded message that passes (requests, replies, broadcasts), so tests can scan the bytes.
final class RecordingTransport: ServerTransport {
    private struct State {
        var handler: RequestHandler?
        var broadcasts: [[UInt8]] = []
        var broadcastIDs: [Int64] = []
        var all: [[UInt8]] = []
        var sent: [[UInt8]] = []
    }

    private let state = Mutex(State())

    func start(handler: @escaping RequestHandler) async throws {
        state.withLock { $0.handler = handler }
    }

    func broadcast(_ message: [UInt8], msgid: Int64) async throws {
        state.withLock {
            $0.broadcasts.append(message)
            $0.broadcastIDs.append(msgid)
            $0.all.append(message)
            $0.sent.append(message)
        }
    }

    func stop() async {
        state.withLock { $0.handler = nil }
    }

    /// Sends one encoded request to the server and returns the encoded reply.
    func send(_ request: [UInt8]) async throws -> [UInt8] {
        let handler = state.withLock { s -> RequestHandler? in
            guard let h = s.handler else { return nil }
            s.all.append(request)
            return h
        }
        guard let handler else { throw BrokerError.unavailable("transport not started") }
        let reply = await handler(request)
        state.withLock {
            $0.all.append(reply)
            $0.sent.append(reply)
        }
        return reply
    }

    var broadcasts: [[UInt8]] { state.withLock { $0.broadcasts } }
    /// The msgid the server handed with each broadcast, in order.
    var broadcastIDs: [Int64] { state.withLock { $0.broadcastIDs } }
    /// Every message the server sent (replies and broadcasts), encoded.
    var sent: [[UInt8]] { state.withLock { $0.sent } }
    /// Every message seen, encoded.
    var all: [[UInt8]] { state.withLock { $0.all } }
}

/// A transport that keeps a queue, to see that `start(purge:)` reaches it.
final class PurgingRecordingTransport: PurgeableServerTransport {
    private let purgedWith = Mutex<Bool?>(nil)
    let inner = RecordingTransport()

    func start(handler: @escaping RequestHandler, purge: Bool) async throws {
        purgedWith.withLock { $0 = purge }
        try await inner.start(handler: handler)
    }
    func start(handler: @escaping RequestHandler) async throws { try await start(handler: handler, purge: false) }
    func broadcast(_ message: [UInt8], msgid: Int64) async throws {
        try await inner.broadcast(message, msgid: msgid)
    }
    func stop() async { await inner.stop() }
    var purge: Bool? { purgedWith.withLock { $0 } }
}
