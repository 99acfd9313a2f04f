import Synchronization

/// The server side of the in-process transport: clients made with `makeClient()` call it
/// directly in memory, and its broadcasts fan out to every connected client.
///
/// It moves encoded bytes exactly as a network transport does, so the broker and client
/// exercise the real codec. Requests run concurrently, each in a task the calling client
/// starts; `stop()` refuses new requests and waits for those in flight. A `tap` sees every
/// message (request, reply, broadcast), which lets tests scan all traffic.
///
/// ```swift
/// let server = InProcessServerTransport()
/// let client = server.makeClient()
/// try await server.start { request in await broker.handle(request) }
/// try await client.connect()
/// let reply = try await client.call(codec.encode(Request(method: "ping").message))
/// ```
public final class InProcessServerTransport: ServerTransport {
    /// Which way a message went, as the tap reports it.
    public enum Traffic: Sendable, Hashable {
        case request, reply, broadcast
    }

    private enum Phase { case idle, running, stopped }

    private struct State {
        var phase = Phase.idle
        var handler: RequestHandler?
        var clients: [ObjectIdentifier: AsyncStream<TransportEvent>.Continuation] = [:]
        var inFlight = 0
        var drained: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    private let tap: (@Sendable (Traffic, [UInt8]) -> Void)?

    /// - Parameter tap: called with every request, reply and broadcast (for tests and
    ///   tracing); it must be quick and must not block.
    public init(tap: (@Sendable (Traffic, [UInt8]) -> Void)? = nil) {
        self.tap = tap
    }

    /// A new client of this server (not yet connected).
    public func makeClient() -> InProcessClientTransport {
        InProcessClientTransport(server: self)
    }

    public func start(handler: @escaping RequestHandler) async throws {
        state.withLock {
            $0.handler = handler
            $0.phase = .running
        }
    }

    /// Hands the broadcast to every client's event stream, under the lock, so that
    /// concurrent broadcasts reach every client (and the tap) in one order.
    public func broadcast(_ message: [UInt8], msgid: Int64) async throws {
        try state.withLock { state throws(BrokerError) in
            guard state.phase == .running else { throw BrokerError.unavailable("in-process server is not running") }
            tap?(.broadcast, message)
            for client in state.clients.values { client.yield(.broadcast(message)) }
        }
    }

    public func stop() async {
        let wait = state.withLock { state -> Bool in
            guard state.phase == .running else { return false }
            state.phase = .stopped
            return state.inFlight > 0
        }
        guard wait else { return }
        await withCheckedContinuation { (drained: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state -> Bool in
                guard state.inFlight > 0 else { return true }
                state.drained.append(drained)
                return false
            }
            if now { drained.resume() }
        }
    }

    /// The number of connected clients.
    public var clientCount: Int { state.withLock { $0.clients.count } }

    /// The number of requests being handled right now.
    public var requestsInFlight: Int { state.withLock { $0.inFlight } }

    /// Runs one request through the handler (called by the client transport).
    func deliver(_ request: [UInt8]) async throws(BrokerError) -> [UInt8] {
        let handler = try state.withLock { state throws(BrokerError) -> RequestHandler in
            guard state.phase == .running, let handler = state.handler else {
                throw BrokerError.unavailable("in-process server is not running")
            }
            state.inFlight += 1
            return handler
        }
        tap?(.request, request)
        let reply = await handler(request)
        tap?(.reply, reply)
        let drained = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.inFlight -= 1
            guard state.inFlight == 0, state.phase == .stopped else { return [] }
            defer { state.drained.removeAll() }
            return state.drained
        }
        for waiter in drained { waiter.resume() }
        return reply
    }

    func attach(_ id: ObjectIdentifier, _ events: AsyncStream<TransportEvent>.Continuation) {
        state.withLock { $0.clients[id] = events }
    }

    func detach(_ id: ObjectIdentifier) {
        state.withLock { $0.clients[id] = nil }
    }
}
