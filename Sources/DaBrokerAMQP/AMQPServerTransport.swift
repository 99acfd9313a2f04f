import DaBrokerCore
import Logging
import Synchronization

/// The server side of the AMQP transport: takes requests from the shared queue (`dab_queue`),
/// replies to each request's `reply_to` with its `correlation_id`, and publishes broadcasts to
/// the fanout exchange (`dab_alert`, routing key `dab_info`).
///
/// Several servers may consume from one queue; RabbitMQ spreads the requests. Each works on up
/// to ``AMQPConfiguration/prefetch`` requests at once and acknowledges a request after its
/// reply is published, so a request whose server dies is redelivered to another. The
/// connection is owned by one I/O thread that reconnects with backoff, re-declares and
/// resumes consuming. See `docs/amqp.md`.
///
/// ```swift
/// let transport = try AMQPServerTransport(url: "amqp://guest:guest@localhost/%2f")
/// server.addTransport(transport)
/// try await server.start(purge: true)
/// ```
public final class AMQPServerTransport: PurgeableServerTransport {
    private struct State {
        var link: AMQPLink?
        var handler: RequestHandler?
        var purgePending = false
        var consumerTag: String?
        var stopping = false
        var inFlight = 0
        var started: CheckedContinuation<Void, any Error>?
        var drained: [CheckedContinuation<Void, Never>] = []
        var stopped: CheckedContinuation<Void, Never>?
        var recent = RecentReplies()
        var connected = false
        var connections = 0
    }

    /// Where to connect and which names to use.
    public let configuration: AMQPConfiguration
    private let logger: Logger
    private let state = Mutex(State())

    public init(configuration: AMQPConfiguration, logger: Logger = Logger(label: "dabroker.amqp.server")) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Whether the link to RabbitMQ is up and consuming (readiness).
    public var isConnected: Bool { state.withLock { $0.connected } }

    /// The id of the thread that runs the requests (`AMQPLink.currentThreadID()`; for tests).
    var ioThreadID: UInt? { state.withLock { $0.link }?.ioThreadID }

    /// How many messages were published by the thread that made them, not the I/O thread
    /// (for tests).
    var directSends: Int { state.withLock { $0.link }?.directSends ?? 0 }

    /// How many times the link reconnected after losing RabbitMQ (metrics).
    public var reconnects: Int { state.withLock { max(0, $0.connections - 1) } }

    /// A transport for `url` (`amqp://user:pass@host:port/vhost`) with the default names.
    public convenience init(url: String, logger: Logger = Logger(label: "dabroker.amqp.server")) throws {
        try self.init(configuration: AMQPConfiguration(url: url), logger: logger)
    }

    public func start(handler: @escaping RequestHandler) async throws {
        try await start(handler: handler, purge: false)
    }

    /// Connects, declares the queue and the exchange, and starts consuming; returns once
    /// requests are taken. With `purge`, first empties the request queue (on this first
    /// connection only, not after a reconnect). Throws `Unavailable` if RabbitMQ cannot be
    /// reached or refuses the declarations.
    public func start(handler: @escaping RequestHandler, purge: Bool) async throws {
        let link = try Self.makeLink(self)
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let ok = state.withLock { s -> Bool in
                guard s.link == nil, !s.stopping else { return false }
                s.link = link
                s.handler = handler
                s.purgePending = purge
                s.started = continuation
                return true
            }
            if ok {
                link.start()
            } else {
                continuation.resume(throwing: BrokerError.internal("AMQP server transport started twice"))
            }
        }
    }

    private static func makeLink(_ transport: AMQPServerTransport) throws -> AMQPLink {
        do {
            return try AMQPLink(
                configuration: transport.configuration, label: "server", logger: transport.logger, keepsOutbox: true,
                setUp: { [weak transport] session, _ throws(AMQPFailure) in try transport?.setUp(session) },
                onEvent: { [weak transport] event in transport?.handle(event) })
        } catch {
            throw BrokerError.unavailable("AMQP transport: \(error.description)")
        }
    }

    /// Runs on the I/O thread for each new connection.
    private func setUp(_ session: borrowing AMQPSession) throws(AMQPFailure) {
        let c = configuration
        // As the original DaBroker declared them: not durable, not auto-deleted, queue shared.
        _ = try session.declareQueue(c.queue, durable: false, exclusive: false, autoDelete: false)
        try session.declareExchange(c.exchange, type: "fanout", durable: false, autoDelete: false)
        if state.withLock({ s in
            defer { s.purgePending = false }
            return s.purgePending
        }) {
            let dropped = try session.purge(c.queue)
            logger.info("purged the request queue", metadata: ["queue": "\(c.queue)", "messages": "\(dropped)"])
        }
        try session.qos(prefetch: c.prefetch)
        let tag = try session.consume(c.queue, noAck: false)
        state.withLock { $0.consumerTag = tag }
    }

    /// Runs on the I/O thread: must not block.
    private func handle(_ event: AMQPLinkEvent) {
        switch event {
        case .connected:
            state.withLock { s in
                s.connected = true
                s.connections += 1
                s.started?.resume()
                s.started = nil
            }
            logger.info("AMQP server transport consuming", metadata: ["queue": "\(configuration.queue)"])
        case .failedToStart(let reason):
            let message = "cannot serve on RabbitMQ at \(configuration.host):\(configuration.port): \(reason)"
            state.withLock { s in
                s.started?.resume(throwing: BrokerError.unavailable(message))
                s.started = nil
                s.link = nil
            }
        case .disconnected(let reason):
            state.withLock { $0.connected = false }
            logger.warning("AMQP server transport disconnected", metadata: ["reason": "\(reason)"])
        case .delivery(let delivery):
            accept(delivery)
        case .returned:
            break  // replies and broadcasts are not published mandatory
        case .stopped:
            state.withLock { s in
                s.connected = false
                s.stopped?.resume()
                s.stopped = nil
            }
        }
    }

    private func accept(_ delivery: AMQPDelivery) {
        if let replyTo = delivery.replyTo, !replyTo.isEmpty, !configuration.allowsReply(to: replyTo) {
            // Neither run nor answered: the reply would go to a queue the caller does not own.
            logger.warning(
                "AMQP request refused: its reply_to is not one of the allowed prefixes (amqp.reply_to); not run, no reply"
            )
            drop(delivery)
            return
        }
        let key = delivery.replyTo.map { $0 + "\u{0}" + (delivery.correlationID ?? "") }
        enum Action {
            case ignore
            case handle(RequestHandler)
            case resend([UInt8])
            case wait
        }
        let action = state.withLock { s -> Action in
            guard !s.stopping, let handler = s.handler else { return .ignore }
            if delivery.redelivered, let key {
                switch s.recent.lookup(key, delivery) {
                case .done(let reply): return .resend(reply)
                case .inProgress: return .wait
                case .unknown: break
                }
            }
            if let key { s.recent.begin(key) }
            s.inFlight += 1
            return .handle(handler)
        }
        switch action {
        case .ignore, .wait:
            return
        case .resend(let cached):
            logger.debug("redelivered request answered from the reply cache")
            reply(to: delivery, with: cached)
        case .handle(let handler):
            // It starts on the I/O thread (see `AMQPLink`): no hand-off to start it. While it
            // waits (for its database, mostly in this thread's `poll`), the thread serves other
            // requests; it carries on wherever it is resumed and publishes its reply from there
            // (`InPlaceExecutor`). A large request starts on the pool, so that decoding it does
            // not hold up the others. See "Where a request runs" in docs/amqp.md.
            let run: () -> Void = { [self] in
                Task(executorPreference: InPlaceExecutor.shared) { [self] in
                    let context = RequestContext(transport: RequestContext.Transport.amqp)
                    let reply = await RequestContext.$current.withValue(context) { await handler(delivery.body) }
                    let waiting = state.withLock { s in key.map { s.recent.finish($0, reply: reply) } ?? [] }
                    self.reply(to: delivery, with: reply)
                    for other in waiting { self.reply(to: other, with: reply) }
                    finished()
                }
            }
            if delivery.body.count <= Self.largeRequest { run() } else { LocalJobs.onGlobalExecutor(run) }
        }
    }

    /// Requests larger than this (bytes) start on the pool rather than on the I/O thread.
    static let largeRequest = 64 * 1024

    /// Publishes the reply (if the request asked for one) and acknowledges the request.
    private func reply(to delivery: AMQPDelivery, with reply: [UInt8]) {
        guard let link = state.withLock({ $0.link }) else { return }
        let logger = logger
        link.send(bytes: reply.count) { session, generation throws(AMQPFailure) in
            // Delivery tags belong to their connection; after a reconnect RabbitMQ redelivers.
            let ack = generation == delivery.generation ? delivery.deliveryTag : nil
            guard let replyTo = delivery.replyTo, !replyTo.isEmpty else {
                logger.debug("request without reply_to: reply dropped")
                if let ack { try session.ack(ack) }
                return
            }
            try session.publish(
                AMQPOutgoing(exchange: "", routingKey: replyTo, body: reply, correlationID: delivery.correlationID),
                ack: ack)
        }
    }

    /// Acknowledges a request without running it.
    private func drop(_ delivery: AMQPDelivery) {
        guard let link = state.withLock({ $0.link }) else { return }
        link.enqueue { session, generation throws(AMQPFailure) in
            if generation == delivery.generation { try session.ack(delivery.deliveryTag) }
        }
    }

    private func finished() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.inFlight -= 1
            guard s.inFlight == 0 else { return [] }
            defer { s.drained.removeAll() }
            return s.drained
        }
        for w in waiters { w.resume() }
    }

    /// Publishes one broadcast to the exchange (`correlation_id` "-1", as the original did;
    /// `msgid` travels only in the message, as there). While disconnected, broadcasts wait for
    /// the next connection.
    public func broadcast(_ message: [UInt8], msgid: Int64) async throws {
        guard let link = state.withLock({ $0.link }) else {
            throw BrokerError.unavailable("AMQP server transport is not started: broadcast dropped")
        }
        let c = configuration
        let queued = link.enqueue { session, _ throws(AMQPFailure) in
            try session.publish(
                AMQPOutgoing(exchange: c.exchange, routingKey: c.routingKey, body: message, correlationID: "-1"))
        }
        if !queued { throw BrokerError.unavailable("AMQP server transport is stopping: broadcast dropped") }
    }

    /// Stops consuming, lets the requests in flight finish and publish their replies, then
    /// closes. Requests received but not started go back to the queue.
    public func stop() async {
        let link = state.withLock { s -> AMQPLink? in
            s.stopping = true
            return s.link
        }
        guard let link else { return }
        if let tag = state.withLock({ $0.consumerTag }) {
            link.enqueue { session, _ throws(AMQPFailure) in try session.cancel(consumerTag: tag) }
        }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let done = state.withLock { s -> Bool in
                if s.inFlight == 0 { return true }
                s.drained.append(c)
                return false
            }
            if done { c.resume() }
        }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            state.withLock { $0.stopped = c }
            link.stop()
        }
        state.withLock { s in
            s.link = nil
            s.handler = nil
        }
        logger.info("AMQP server transport stopped")
    }
}
