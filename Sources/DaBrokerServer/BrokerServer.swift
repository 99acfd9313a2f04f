import DaBrokerCore
import DaBrokerSQL
import Foundation
import Logging
import OrderedCollections
import ServiceLifecycle
import Synchronization

/// The broker server: serves a root object, static objects and loaders' objects to clients
/// over one or more transports, and broadcasts invalidations.
///
/// ```swift
/// let server = BrokerServer(configuration: .init(secret: "s3cret"))
/// server.addTransport(transport)
/// try server.addStatic(root, "root")
/// server.root = root
/// try await server.start()
/// ```
///
/// It is a swift-service-lifecycle `Service`: in a `ServiceGroup`, `run()` serves until
/// graceful shutdown (SIGINT/SIGTERM), then drains: it stops taking requests and finishes
/// those in flight.
public final class BrokerServer: Service, Sendable {
    public let configuration: BrokerServerConfiguration
    /// Identifies this server process in replies and broadcasts (`sid`); random per instance.
    public let instanceID: String
    /// The access codes of this server.
    public let codes: AccessCodes
    /// The loader of objects registered with ``addStatic(_:_:)``.
    public let staticLoader: StaticLoader
    let logger: Logger
    let broadcaster: Broadcaster
    /// Names the row of an `invalid_key` broadcast for another face (``linkBroadcasts(_:)``).
    let broadcastLink = Mutex<BroadcastLink?>(nil)
    let limiter: RequestLimiter
    private let memoryTrim = IdleMemoryTrim()
    private let state = Mutex(State())

    struct State {
        var root: (any BrokeredObject)?
        var transports: [any ServerTransport] = []
        var loaders: [String: any BrokerLoader] = [:]
        var registered: [String: ExportedCall] = [:]
        var accepting = false
        var started = false
        /// Requests admitted and not yet answered.
        var inFlight = 0
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
        /// Requests admitted so far: tells ``IdleMemoryTrim`` whether one came meanwhile.
        var admitted = 0
    }

    public init(configuration: BrokerServerConfiguration = BrokerServerConfiguration()) {
        self.configuration = configuration
        self.logger = configuration.logger
        let secret: [UInt8]
        if let s = configuration.secret, !s.isEmpty {
            secret = Array(s.utf8)
        } else {
            secret = AccessCodes.randomSecret()
            configuration.logger.warning(
                "no secret configured: using a random one; access codes die with this process and other servers will refuse them"
            )
        }
        self.codes = AccessCodes(secret: secret, canonical: WireCodec.canonicalKeyBytes)
        self.instanceID = UUID().uuidString.lowercased()
        self.broadcaster = Broadcaster(logger: configuration.logger)
        self.limiter = RequestLimiter(limit: configuration.maxConcurrentRequests)
        let staticLoader = StaticLoader(id: configuration.staticLoaderID)
        self.staticLoader = staticLoader
        state.withLock { $0.loaders[staticLoader.id] = staticLoader }
        if let metrics = configuration.metrics {
            metrics.setLimit(configuration.maxConcurrentRequests)
            // Read at each scrape: concurrent requests setting a gauge could leave it stale.
            metrics.addSampler { [weak self] in
                if let self { metrics.setInFlight(self.requestsInProgress) }
            }
        }
    }

    /// The root object clients get with `root`. Register it with ``addStatic(_:_:)`` too,
    /// so that it has a key (the manual's `add_static(root, "root")`).
    public var root: (any BrokeredObject)? {
        get { state.withLock { $0.root } }
        set { state.withLock { $0.root = newValue } }
    }

    /// Attaches a transport; requests from every transport are served, broadcasts go to all.
    /// Attach transports before ``start(purge:)``.
    public func addTransport(_ transport: any ServerTransport) {
        state.withLock { $0.transports.append(transport) }
    }

    /// Adds a loader serving keys that start with its id; a second loader with the same id
    /// is refused.
    public func addLoader(_ loader: any BrokerLoader) throws {
        try state.withLock { s in
            guard s.loaders[loader.id] == nil else {
                throw BrokerError.badRequest("a loader with id '\(loader.id)' is already registered")
            }
            s.loaders[loader.id] = loader
        }
    }

    /// The loader with id `id`, if any.
    public func loader(id: String) -> (any BrokerLoader)? {
        state.withLock { $0.loaders[id] }
    }

    /// Registers a server-level call (the manual's `do_hello`): a request with `_m` = `name`
    /// and no target runs `body`. With `include`, a returned object (or each object of a
    /// returned list) is sent whole, other objects as refs. The built-in calls cannot be replaced.
    public func register(
        _ name: String, include: Bool = false,
        _ body: @escaping @Sendable (CallArguments) async throws -> BrokerValue
    ) {
        if Self.builtinCalls.contains(name) {
            logger.warning("'\(name)' is a built-in server call; the registered one is ignored")
        }
        let call = ExportedCall.function(name, include: include, body)
        state.withLock { $0.registered[name] = call }
    }

    func registeredCall(_ name: String) -> ExportedCall? {
        state.withLock { $0.registered[name] }
    }

    var transports: [any ServerTransport] { state.withLock { $0.transports } }

    /// Starts every transport; requests are served from then on. With `purge`, transports
    /// that keep a queue (AMQP) drop requests left over from an earlier run first.
    public func start(purge: Bool = false) async throws {
        let transports = try state.withLock { s -> [any ServerTransport] in
            guard !s.started else { throw BrokerError.badRequest("the server is already started") }
            s.started = true
            s.accepting = true
            return s.transports
        }
        if transports.isEmpty {
            logger.notice("broker server started without transports")
        }
        let handler: RequestHandler = { [self] bytes in await self.handle(bytes) }
        for transport in transports {
            if let purging = transport as? any PurgeableServerTransport {
                try await purging.start(handler: handler, purge: purge)
            } else {
                if purge { logger.debug("a transport does not keep a queue; nothing to purge") }
                try await transport.start(handler: handler)
            }
        }
        logger.info("broker server \(instanceID) started with \(transports.count) transport(s)")
    }

    /// Drains and stops: refuses new requests (`Unavailable`), waits for those in flight,
    /// sends pending broadcasts, then stops every transport.
    public func stop() async {
        let (wasStarted, transports) = state.withLock { s -> (Bool, [any ServerTransport]) in
            let was = s.started && s.accepting
            s.accepting = false
            return (was, s.transports)
        }
        guard wasStarted else { return }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let idle = state.withLock { s -> Bool in
                if s.inFlight == 0 { return true }
                s.idleWaiters.append(c)
                return false
            }
            if idle { c.resume() }
        }
        await broadcaster.drain()
        for transport in transports { await transport.stop() }
        logger.info("broker server \(instanceID) stopped")
    }

    /// Serves until graceful shutdown (or cancellation), then drains and stops.
    public func run() async throws {
        try await start(purge: configuration.purgeOnStart)
        try? await gracefulShutdown()
        await stop()
    }

    /// Handles one encoded request and returns its encoded reply; never throws: every
    /// failure becomes an error reply.
    ///
    /// The request runs with a ``RequestContext`` (the transport's, or a new one), so its log
    /// lines carry its id; with ``BrokerServerConfiguration/metrics`` it is counted and timed.
    public func handle(_ bytes: [UInt8]) async -> [UInt8] {
        await withContext { context in
            await serve(
                context: context, checksCodes: true,
                request: { () throws(BrokerError) -> Value in
                    do {
                        return try JSONCodec(limits: configuration.requestLimits).decode(bytes).data
                    } catch {
                        throw .badRequest("cannot decode the request: \(Self.describe(decodeError: error))")
                    }
                },
                reply: { try encodeReply($0) }, failure: { encodeReply(error: $0) })
        }
    }

    /// Handles one request of a face in this process that makes its refs itself and shows
    /// none to its clients (the REST face): the same admission, limits, checks, metrics and
    /// errors as ``handle(_:)``, without the wire encoding and without access codes, which
    /// are neither checked on `request`'s refs nor set on the reply's.
    package func handle(trusted request: Value) async -> Result<Value, BrokerError> {
        await withContext { context in
            await serve(
                context: context, checksCodes: false, request: { () throws(BrokerError) -> Value in request },
                reply: { .success($0.value) }, failure: { .failure($0) })
        }
    }

    private func withContext<R>(_ body: (RequestContext) async -> R) async -> R {
        guard let context = RequestContext.current else {
            let context = RequestContext(transport: RequestContext.Transport.local)
            return await RequestContext.$current.withValue(context) { await body(context) }
        }
        return await body(context)
    }

    /// One request from admission to its answer: `request` gives its data, `reply` makes the
    /// answer of its result, `failure` the answer of an error.
    private func serve<Reply>(
        context: RequestContext, checksCodes: Bool, request: () throws(BrokerError) -> Value,
        reply: (UnsignedReply) throws -> Reply, failure: (BrokerError) -> Reply
    ) async -> Reply {
        let started = ContinuousClock.now
        let admitted = state.withLock { s -> Bool? in
            guard s.accepting else { return nil }
            s.inFlight += 1
            s.admitted += 1
            return true
        }
        guard admitted != nil else { return failure(.unavailable("the server is not running")) }
        await limiter.acquire()
        let answer: Reply
        var method = "other"
        var outcome = BrokerMetrics.Outcome.ok
        do {
            let data = try request()
            method = Self.methodLabel(data)
            var named = context
            named.method = method
            let result = try await RequestContext.$current.withValue(named) {
                try await dispatch(data, codes: checksCodes)
            }
            answer = try reply(result)
        } catch let error as BrokerError {
            outcome = .init(error.kind)
            answer = failure(error)
        } catch let error as DatabaseError {
            // Outside a table statement: a session's BEGIN waiting past SQLite's busy timeout, a
            // deferred constraint failing at COMMIT.
            let mapped = DatabaseErrorReply.brokerError(
                error, operation: "transaction", model: nil, logger: logger,
                logDatabaseText: configuration.logDatabaseText)
            outcome = .init(mapped.kind)
            answer = failure(mapped)
        } catch {
            logger.error("request failed: \(String(reflecting: error))")
            outcome = .serverError
            answer = failure(.internal("internal server error"))
        }
        limiter.release()
        let (waiters, idleAt) = state.withLock { s -> ([CheckedContinuation<Void, Never>], Int?) in
            s.inFlight -= 1
            guard s.inFlight == 0 else { return ([], nil) }
            defer { s.idleWaiters = [] }
            return (s.idleWaiters, s.admitted)
        }
        for w in waiters { w.resume() }
        if let idleAt {
            memoryTrim.wentIdle { [self] in state.withLock { $0.inFlight == 0 && $0.admitted == idleAt } }
        }
        answered(method: method, outcome: outcome, context: context, since: started)
        return answer
    }

    /// Requests admitted and not yet answered (running or waiting for a slot).
    public var requestsInProgress: Int { state.withLock { $0.inFlight } }

    private static func describe(decodeError error: any Error) -> String {
        if let e = error as? BrokerError { return e.message }
        return "malformed message"
    }

    /// The wire bytes of a reply, its access codes set as it is written.
    private func encodeReply(_ reply: UnsignedReply) throws -> [UInt8] {
        let msgid = broadcasterID()
        do {
            return try WireCodec.encode(
                Message(data: reply.value, msgid: msgid, sid: instanceID), decimals: configuration.decimals,
                codes: refCodes(withholding: reply.withholding))
        } catch {
            logger.error("cannot encode a reply: \(String(reflecting: error))")
            throw BrokerError.internal("the reply could not be encoded")
        }
    }

    private func encodeReply(error: BrokerError) -> [UInt8] {
        let msgid = broadcasterID()
        do {
            return try WireCodec.encode(
                Message(msgid: msgid, sid: instanceID, error: error), decimals: configuration.decimals)
        } catch {
            logger.critical("cannot encode an error reply: \(String(reflecting: error))")
            return Array(#"{"error":{"_o":"exc","_t":"Internal","_r":"internal server error"}}"#.utf8)
        }
    }

    /// The id of the last broadcast handed to the transports (replies carry it as `msgid`).
    private func broadcasterID() -> Int64 {
        broadcaster.delivered.withLock { $0 }
    }

    static let builtinCalls: Set<String> = [
        Method.root, Method.get, Method.update, Method.echo, Method.ping, Method.backrefCount, Method.backrefObject,
    ]
}
