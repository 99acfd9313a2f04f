/// The server side of the in-process transport: clients made with `makeClient()` call it
/// directly in memory, and its broadcasts fan out to every connected client.
///
/// It moves encoded bytes exactly as a network transport does, so the broker and client
/// exercise the real codec. Requests run concurrently in the calling client's task context;
/// `stop()` refuses new requests and waits for those in flight. A `tap` sees every message
/// (request, reply, broadcast), which lets tests scan all traffic.
///
/// ```swift
/// let server = InProcessServerTransport()
/// let client = server.makeClient()
/// try await server.start { request in await broker.handle(request) }
/// try await client.connect()
/// let reply = try await client.call(codec.encode(Request(method: "ping").message))
/// ```
public actor InProcessServerTransport: ServerTransport {
    /// Which way a message went, as the tap reports it.
    public enum Traffic: Sendable, Hashable {
        case request, reply, broadcast
    }

    private enum State { case idle, running, stopped }

    private var state = State.idle
    private var handler: RequestHandler?
    private var clients: [ObjectIdentifier: AsyncStream<TransportEvent>.Continuation] = [:]
    private var inFlight = 0
    private var drained: [CheckedContinuation<Void, Never>] = []
    private let tap: (@Sendable (Traffic, [UInt8]) -> Void)?

    /// - Parameter tap: called with every request, reply and broadcast (for tests and
    ///   tracing); it must be quick and must not block.
    public init(tap: (@Sendable (Traffic, [UInt8]) -> Void)? = nil) {
        self.tap = tap
    }

    /// A new client of this server (not yet connected).
    public nonisolated func makeClient() -> InProcessClientTransport {
        InProcessClientTransport(server: self)
    }

    public func start(handler: @escaping RequestHandler) async throws {
        self.handler = handler
        state = .running
    }

    public func broadcast(_ message: [UInt8], msgid: Int64) async throws {
        guard state == .running else { throw BrokerError.unavailable("in-process server is not running") }
        tap?(.broadcast, message)
        for client in clients.values { client.yield(.broadcast(message)) }
    }

    public func stop() async {
        guard state == .running else { return }
        state = .stopped
        if inFlight > 0 { await withCheckedContinuation { drained.append($0) } }
    }

    /// The number of connected clients.
    public var clientCount: Int { clients.count }

    /// The number of requests being handled right now.
    public var requestsInFlight: Int { inFlight }

    /// Runs one request through the handler (called by the client transport).
    func deliver(_ request: [UInt8]) async throws(BrokerError) -> [UInt8] {
        guard state == .running, let handler else {
            throw BrokerError.unavailable("in-process server is not running")
        }
        inFlight += 1
        tap?(.request, request)
        let reply = await handler(request)
        tap?(.reply, reply)
        inFlight -= 1
        if inFlight == 0 && state == .stopped {
            for waiter in drained { waiter.resume() }
            drained.removeAll()
        }
        return reply
    }

    func attach(_ id: ObjectIdentifier, _ events: AsyncStream<TransportEvent>.Continuation) {
        clients[id] = events
    }

    func detach(_ id: ObjectIdentifier) {
        clients[id] = nil
    }
}
