import DaBrokerCore
import Synchronization

/// A test-only in-process transport pair: the server side hands requests to the server's
/// handler, the client side sends bytes to it and receives every broadcast. Bytes only, so
/// the real codec runs on both sides.
final class LoopbackServerTransport: ServerTransport {
    private struct State {
        var handler: RequestHandler?
        var clients: [Int: AsyncStream<TransportEvent>.Continuation] = [:]
        var nextClient = 0
    }
    private let state = Mutex(State())

    func start(handler: @escaping RequestHandler) async throws {
        state.withLock { $0.handler = handler }
    }

    func broadcast(_ message: [UInt8]) async throws {
        for client in state.withLock({ Array($0.clients.values) }) { client.yield(.broadcast(message)) }
    }

    func stop() async {
        let clients = state.withLock { s in
            s.handler = nil
            defer { s.clients.removeAll() }
            return Array(s.clients.values)
        }
        for client in clients { client.finish() }
    }

    /// A new client side connected to this server side.
    func makeClient() -> LoopbackClientTransport { LoopbackClientTransport(server: self) }

    fileprivate func attach(_ continuation: AsyncStream<TransportEvent>.Continuation) -> Int {
        state.withLock { s in
            let id = s.nextClient
            s.nextClient += 1
            s.clients[id] = continuation
            return id
        }
    }

    fileprivate func detach(_ id: Int) {
        _ = state.withLock { $0.clients.removeValue(forKey: id) }
    }

    fileprivate func handle(_ request: [UInt8]) async throws -> [UInt8] {
        guard let handler = state.withLock({ $0.handler }) else {
            throw BrokerError.unavailable("the in-process server is not started")
        }
        return await handler(request)
    }

    /// Tells every client that broadcasts may have been lost.
    func resynchronizeClients() {
        for client in state.withLock({ Array($0.clients.values) }) { client.yield(.resynchronize) }
    }
}

/// The client side of ``LoopbackServerTransport``.
final class LoopbackClientTransport: ClientTransport {
    private let server: LoopbackServerTransport
    let events: AsyncStream<TransportEvent>
    private let continuation: AsyncStream<TransportEvent>.Continuation
    private let id = Mutex<Int?>(nil)

    init(server: LoopbackServerTransport) {
        self.server = server
        (events, continuation) = AsyncStream.makeStream(of: TransportEvent.self)
    }

    func connect() async throws {
        let attached = server.attach(continuation)
        id.withLock { $0 = attached }
    }

    func call(_ request: [UInt8]) async throws -> [UInt8] {
        guard id.withLock({ $0 }) != nil else { throw BrokerError.unavailable("not connected") }
        return try await server.handle(request)
    }

    func close() async {
        if let attached = id.withLock({ s -> Int? in
            defer { s = nil }
            return s
        }) {
            server.detach(attached)
        }
        continuation.finish()
    }
}
