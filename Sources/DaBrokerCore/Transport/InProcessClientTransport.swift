import Synchronization

/// The client side of the in-process transport, made by
/// `InProcessServerTransport.makeClient()`.
///
/// `call` hands the encoded request to the server and returns its encoded reply; `events`
/// delivers the server's broadcasts in order. `close()` fails pending calls with
/// `Unavailable` at once and ends `events`; a closed client cannot connect again (make a new
/// one).
public final class InProcessClientTransport: ClientTransport {
    public let events: AsyncStream<TransportEvent>
    private let continuation: AsyncStream<TransportEvent>.Continuation
    private let server: InProcessServerTransport
    private let state = Mutex(State())

    private enum Phase { case new, connected, closed }

    /// One call between its request and the moment its caller has the reply.
    private enum Call {
        /// The handler runs; the caller has not begun to wait.
        case running
        /// The caller waits for the reply.
        case waiting(CheckedContinuation<[UInt8], any Error>)
        /// The outcome came before the caller began to wait.
        case done(Result<[UInt8], any Error>)
    }

    private struct State {
        var phase = Phase.new
        var calls: [Int: Call] = [:]
        var nextCall = 0
    }

    init(server: InProcessServerTransport) {
        self.server = server
        (events, continuation) = AsyncStream.makeStream(of: TransportEvent.self, bufferingPolicy: .unbounded)
    }

    public func connect() async throws {
        let attach = try state.withLock { state throws(BrokerError) -> Bool in
            switch state.phase {
            case .closed: throw BrokerError.unavailable("in-process client was closed; make a new one")
            case .connected: return false
            case .new:
                state.phase = .connected
                return true
            }
        }
        if attach { server.attach(ObjectIdentifier(self), continuation) }
    }

    /// Runs the request in a task of its own, so that a cancelled or closed call ends at once
    /// while the handler finishes. The task starts on the caller's thread and prefers
    /// ``InPlaceExecutor``: a request that waited for a database connection's thread carries
    /// on there, so a call wakes no more threads than the statements it runs.
    public func call(_ request: [UInt8]) async throws -> [UInt8] {
        let id = try state.withLock { state throws(BrokerError) -> Int in
            guard state.phase == .connected else { throw BrokerError.unavailable("in-process client is not connected") }
            let id = state.nextCall
            state.nextCall += 1
            state.calls[id] = .running
            return id
        }
        let server = self.server
        let handle: @Sendable () async -> Void = { [self] in
            let result: Result<[UInt8], any Error>
            do {
                result = .success(try await server.deliver(request))
            } catch {
                result = .failure(error)
            }
            finish(id, result)
        }
        if #available(macOS 26, *) {
            Task.immediate(executorPreference: InPlaceExecutor.shared, operation: handle)
        } else {
            Task(executorPreference: InPlaceExecutor.shared, operation: handle)
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (reply: CheckedContinuation<[UInt8], any Error>) in
                let outcome = state.withLock { state -> Result<[UInt8], any Error>? in
                    switch state.calls[id] {
                    case .running?:
                        state.calls[id] = .waiting(reply)
                        return nil
                    case .done(let outcome)?:
                        state.calls[id] = nil
                        return outcome
                    case .waiting?, nil:
                        return .failure(BrokerError.unavailable("in-process client closed"))
                    }
                }
                if let outcome { reply.resume(with: outcome) }
            }
        } onCancel: {
            finish(id, .failure(CancellationError()))
        }
    }

    /// Tells the client that broadcasts may have been missed, as a transport does after a
    /// reconnect (for testing clients' cache handling).
    public func simulateReconnect() {
        continuation.yield(.resynchronize)
    }

    public func close() async {
        let waiting = state.withLock { state -> [CheckedContinuation<[UInt8], any Error>]? in
            guard state.phase != .closed else { return nil }
            state.phase = .closed
            var waiting: [CheckedContinuation<[UInt8], any Error>] = []
            for (id, call) in state.calls {
                switch call {
                case .waiting(let reply):
                    waiting.append(reply)
                    state.calls[id] = nil
                case .running:
                    state.calls[id] = .done(.failure(BrokerError.unavailable("in-process client closed")))
                case .done:
                    break
                }
            }
            return waiting
        }
        guard let waiting else { return }
        for reply in waiting { reply.resume(throwing: BrokerError.unavailable("in-process client closed")) }
        server.detach(ObjectIdentifier(self))
        continuation.finish()
    }

    /// Ends call `id` with `result` unless it has ended already (cancelled, closed).
    private func finish(_ id: Int, _ result: Result<[UInt8], any Error>) {
        let reply = state.withLock { state -> CheckedContinuation<[UInt8], any Error>? in
            switch state.calls[id] {
            case .running?:
                state.calls[id] = .done(result)
                return nil
            case .waiting(let reply)?:
                state.calls[id] = nil
                return reply
            case .done?, nil:
                return nil
            }
        }
        reply?.resume(with: result)
    }
}
