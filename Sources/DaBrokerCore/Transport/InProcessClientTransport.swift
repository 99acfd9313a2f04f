/// The client side of the in-process transport, made by
/// `InProcessServerTransport.makeClient()`.
///
/// `call` hands the encoded request to the server and returns its encoded reply; `events`
/// delivers the server's broadcasts in order. `close()` fails pending calls with
/// `Unavailable` at once and ends `events`; a closed client cannot connect again (make a new
/// one).
public actor InProcessClientTransport: ClientTransport {
    public nonisolated let events: AsyncStream<TransportEvent>
    private let continuation: AsyncStream<TransportEvent>.Continuation
    private let server: InProcessServerTransport
    private var connected = false
    private var closed = false
    private var pending: [Int: CheckedContinuation<[UInt8], any Error>] = [:]
    private var nextCall = 0

    init(server: InProcessServerTransport) {
        self.server = server
        (events, continuation) = AsyncStream.makeStream(of: TransportEvent.self, bufferingPolicy: .unbounded)
    }

    public func connect() async throws {
        guard !closed else { throw BrokerError.unavailable("in-process client was closed; make a new one") }
        guard !connected else { return }
        await server.attach(ObjectIdentifier(self), continuation)
        connected = true
    }

    public func call(_ request: [UInt8]) async throws -> [UInt8] {
        guard connected else { throw BrokerError.unavailable("in-process client is not connected") }
        let id = nextCall
        nextCall += 1
        let server = self.server
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (reply: CheckedContinuation<[UInt8], any Error>) in
                pending[id] = reply
                Task {
                    let result: Result<[UInt8], any Error>
                    do {
                        result = .success(try await server.deliver(request))
                    } catch {
                        result = .failure(error)
                    }
                    self.finish(id, result)
                }
            }
        } onCancel: {
            Task { await self.finish(id, .failure(CancellationError())) }
        }
    }

    /// Tells the client that broadcasts may have been missed, as a transport does after a
    /// reconnect (for testing clients' cache handling).
    public func simulateReconnect() {
        continuation.yield(.resynchronize)
    }

    public func close() async {
        guard !closed else { return }
        closed = true
        connected = false
        for reply in pending.values { reply.resume(throwing: BrokerError.unavailable("in-process client closed")) }
        pending.removeAll()
        await server.detach(ObjectIdentifier(self))
        continuation.finish()
    }

    private func finish(_ id: Int, _ result: Result<[UInt8], any Error>) {
        pending.removeValue(forKey: id)?.resume(with: result)
    }
}
