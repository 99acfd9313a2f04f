import DaBrokerCore
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle

/// The broker's HTTP transport (Hummingbird 2): `POST /rpc` answers one request message,
/// `GET /events` streams broadcasts as server-sent events, `GET /healthz` says it is up.
///
/// One machine needs no message broker with it: any HTTP client (curl, a browser, Python's
/// standard library) can call the broker. See `docs/http.md` for the endpoints and limits.
///
/// ```swift
/// let http = HTTPServerTransport(configuration: .init(port: 0))
/// try await http.start { request in await broker.handle(request) }
/// print(http.port!)  // the bound port
/// ```
public final class HTTPServerTransport: ServerTransport {
    public let configuration: HTTPServerConfiguration
    private let logger: Logger
    private let hub: EventHub
    private let operations: OperationsEndpoints
    private let inFlight = SharedMutex(0)
    private let run = SharedMutex(RunState())

    private struct RunState {
        var group: ServiceGroup?
        var task: Task<Void, Never>?
        var port: Int?
        var started = false
        var routes: [any HTTPRoute] = []
    }

    /// - Parameter operations: what `GET /metrics` and `GET /readyz` answer besides the
    ///   transport's own request slots (none by default).
    public init(
        configuration: HTTPServerConfiguration = .init(), logger: Logger? = nil,
        operations: OperationsEndpoints = .init()
    ) {
        self.configuration = configuration
        self.operations = operations
        self.logger = logger ?? Logger(label: "dabroker.http")
        self.hub = EventHub(configuration: configuration, instance: UUID().uuidString.lowercased())
    }

    /// The TCP port the server is bound to (useful with port 0), once started.
    public var port: Int? { run.withLock { $0.port } }

    /// Number of open `GET /events` streams.
    public var eventStreamCount: Int { hub.readerCount }

    /// Event streams that began with `resync` (their clients dropped their caches), since start.
    public var eventStreamResyncs: Int { hub.resyncCount }

    /// Serves `route` under its prefix (see ``HTTPRoute``), with the token, body limit, request
    /// slots and deadlines of `POST /rpc`. Mount routes before ``start(handler:)``; a later
    /// mount is ignored (and logged). Mounted prefixes are consulted first, in mount order.
    public func mount(_ route: any HTTPRoute) {
        let mounted = run.withLock { state in
            guard !state.started else { return false }
            state.routes.append(route)
            return true
        }
        if !mounted { logger.warning("route \(route.prefix) mounted after start; ignored") }
    }

    /// Binds and starts serving; returns once the server accepts connections, or throws when
    /// it cannot bind.
    public func start(handler: @escaping RequestHandler) async throws {
        let (alreadyStarted, routes) = run.withLock { state in
            defer { state.started = true }
            return (state.started, state.routes)
        }
        guard !alreadyStarted else { throw BrokerError.internal("HTTP transport started twice") }
        hub.start()
        var responder = HTTPRPCResponder(
            configuration: configuration, handler: handler, hub: hub, inFlight: inFlight, logger: logger)
        responder.operations = operations
        responder.routes = routes
        let runState = run
        do {
            try await serve(responder, runState)
        } catch {
            hub.close()
            throw error
        }
        logger.info("HTTP transport listening", metadata: ["host": "\(configuration.host)", "port": "\(port ?? -1)"])
    }

    private func serve(_ responder: HTTPRPCResponder, _ runState: SharedMutex<RunState>) async throws {
        let configuration = configuration
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let once = SharedMutex<CheckedContinuation<Void, any Error>?>(continuation)
            let resume: @Sendable (Result<Void, any Error>) -> Void = { result in
                once.withLock { c in
                    c?.resume(with: result)
                    c = nil
                }
            }
            let logger = self.logger
            let channel = HTTP1Channel.Configuration(
                additionalChannelHandlers: [RequestDeadlineHandler(configuration: configuration, logger: logger)])
            let app = Application(
                responder: responder,
                server: .http1(configuration: channel),
                configuration: .init(address: .hostname(configuration.host, port: configuration.port)),
                onServerRunning: { channel in
                    runState.withLock { $0.port = channel.localAddress?.port }
                    resume(.success(()))
                },
                logger: logger)
            let group = ServiceGroup(
                configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
            let task = Task {
                do {
                    try await group.run()
                    resume(.failure(BrokerError.unavailable("HTTP server stopped before it started")))
                } catch {
                    logger.error("HTTP server failed", metadata: ["error": "\(error)"])
                    let address = "\(configuration.host):\(configuration.port)"
                    resume(.failure(BrokerError.unavailable("HTTP server on \(address) failed: \(error)")))
                }
            }
            runState.withLock {
                $0.group = group
                $0.task = task
            }
        }
    }

    /// Sends one encoded broadcast to every event stream; its SSE `id:` is `msgid`.
    public func broadcast(_ message: [UInt8], msgid: Int64) async throws {
        hub.publish(message, id: msgid)
    }

    /// Ends the open event streams without stopping (their readers reconnect and resume
    /// from `Last-Event-ID`); for tests of the reconnect path.
    func disconnectEventStreams() {
        hub.disconnectReaders()
    }

    /// Stops: ends the event streams, stops accepting, closes connections still sending a
    /// request (it never reached the broker), lets requests in progress finish for up to
    /// ``HTTPServerConfiguration/drainTimeout``, then closes what is left.
    public func stop() async {
        hub.close()
        let (group, task) = run.withLock { state in
            defer {
                state.group = nil
                state.task = nil
            }
            return (state.group, state.task)
        }
        await group?.triggerGracefulShutdown()
        guard let task else { return }
        let drain = configuration.drainTimeout
        let logger = logger
        let timer = Task {
            try await Task.sleep(for: drain)
            logger.warning("HTTP requests still in progress after the drain timeout; closing them")
            task.cancel()
        }
        await task.value
        timer.cancel()
    }
}
