import DaBrokerCore
import Logging
import Synchronization

/// The client side of the AMQP transport: publishes requests to the shared queue
/// (`dab_queue`) with `reply_to` = `amq.rabbitmq.reply-to` (RabbitMQ's direct reply-to) and a
/// `correlation_id`, and receives broadcasts through its own exclusive, auto-delete queue
/// bound to the fanout exchange (`dab_alert`).
///
/// A call without a reply within ``AMQPConfiguration/callTimeout`` fails with `Unavailable`.
/// Requests are published `mandatory`: when no queue takes one (no server has declared the
/// request queue, e.g. just after a RabbitMQ restart), RabbitMQ returns it and the call fails
/// at once with `Unavailable` ("it did not run") instead of after the timeout. When the queue
/// exists but no server consumes it (all gateways down), a call without a reply after
/// ``AMQPConfiguration/noConsumerCheckAfter`` makes the transport check the queue's consumer
/// count (a passive `queue.declare` on its own connection); with none, the waiting calls fail
/// with `Unavailable` then rather than after the whole timeout.
/// When the connection drops, calls in flight fail with `Unavailable` (they may or may not
/// have run), the transport reconnects with backoff, subscribes again and emits
/// ``TransportEvent/resynchronize``. See `docs/amqp.md`.
public final class AMQPClientTransport: ClientTransport {
    private struct Pending {
        var continuation: CheckedContinuation<[UInt8], any Error>
        /// When the call was published, on ``clock``.
        var started: Duration
    }

    private struct State {
        var link: AMQPLink?
        var pending: [String: Pending] = [:]
        var nextID: UInt64 = 0
        /// The one task that times out waiting calls and asks for consumer checks, while any
        /// call waits (see ``watch()``).
        var watch: Task<Void, Never>?
        var connected = false
        var everConnected = false
        var closed = false
        var broadcastConsumer: String?
        var started: CheckedContinuation<Void, any Error>?
        var stopped: CheckedContinuation<Void, Never>?
        /// A consumer check is queued or running on the I/O thread.
        var checking = false
        /// When the last consumer check was started (they are spaced by the check period), on
        /// ``clock``.
        var lastCheck: Duration?
        /// The connection generation on which the inspection channel is open (I/O thread only).
        var inspectionChannelOn: Int?
        /// How many consumer checks reached RabbitMQ (for tests and diagnostics).
        var consumerChecks = 0
    }

    /// RabbitMQ's pseudo-queue for direct reply-to.
    static let replyQueue = "amq.rabbitmq.reply-to"

    /// Where to connect and which names to use.
    public let configuration: AMQPConfiguration
    /// Broadcasts, in order, and ``TransportEvent/resynchronize`` after each reconnect.
    public let events: AsyncStream<TransportEvent>
    private let sink: AsyncStream<TransportEvent>.Continuation
    private let logger: Logger
    private let state = Mutex(State())
    /// The calls' timeouts and the consumer checks' periods run on it.
    private let clock: ElapsedClock

    /// - Parameter clock: the clock of the call timeouts and consumer checks (a test's manual
    ///   clock; the continuous clock by default).
    public init(
        configuration: AMQPConfiguration, logger: Logger = Logger(label: "dabroker.amqp.client"),
        clock: some Clock<Duration> = ContinuousClock()
    ) {
        self.configuration = configuration
        self.logger = logger
        self.clock = ElapsedClock(clock)
        (events, sink) = AsyncStream.makeStream(of: TransportEvent.self, bufferingPolicy: .unbounded)
    }

    /// A transport for `url` (`amqp://user:pass@host:port/vhost`) with the default names.
    public convenience init(url: String, logger: Logger = Logger(label: "dabroker.amqp.client")) throws {
        try self.init(configuration: AMQPConfiguration(url: url), logger: logger)
    }

    /// Connects and subscribes; throws `Unavailable` if RabbitMQ cannot be reached.
    public func connect() async throws {
        let link: AMQPLink
        do {
            link = try AMQPLink(
                configuration: configuration, label: "client", logger: logger, keepsOutbox: false,
                setUp: { [weak self] session, _ throws(AMQPFailure) in try self?.setUp(session) },
                onEvent: { [weak self] event in self?.handle(event) })
        } catch {
            throw BrokerError.unavailable("AMQP transport: \(error.description)")
        }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let ok = state.withLock { s -> Bool in
                guard s.link == nil, !s.closed else { return false }
                s.link = link
                s.started = continuation
                return true
            }
            if ok {
                link.start()
            } else {
                continuation.resume(throwing: BrokerError.internal("AMQP client transport connected twice or closed"))
            }
        }
    }

    /// Runs on the I/O thread for each new connection. The reply consumer starts before any
    /// request is published (RabbitMQ requires it for direct reply-to).
    private func setUp(_ session: borrowing AMQPSession) throws(AMQPFailure) {
        let c = configuration
        _ = try session.consume(Self.replyQueue, noAck: true)
        try session.declareExchange(c.exchange, type: "fanout", durable: false, autoDelete: false)
        let queue = try session.declareQueue("", durable: false, exclusive: true, autoDelete: true)
        try session.bindQueue(queue, exchange: c.exchange, routingKey: c.routingKey)
        let tag = try session.consume(queue, noAck: true, exclusive: true)
        state.withLock { $0.broadcastConsumer = tag }
    }

    /// Runs on the I/O thread: must not block.
    private func handle(_ event: AMQPLinkEvent) {
        switch event {
        case .connected:
            let reconnected = state.withLock { s -> Bool in
                s.connected = true
                s.started?.resume()
                s.started = nil
                defer { s.everConnected = true }
                return s.everConnected
            }
            if reconnected {
                logger.info("AMQP client transport reconnected; caches must be dropped")
                sink.yield(.resynchronize)
            }
        case .failedToStart(let reason):
            let message = "cannot reach RabbitMQ at \(configuration.host):\(configuration.port): \(reason)"
            state.withLock { s in
                s.started?.resume(throwing: BrokerError.unavailable(message))
                s.started = nil
                s.link = nil
            }
        case .disconnected(let reason):
            failAll(
                BrokerError.unavailable("connection to RabbitMQ lost (\(reason)); the call may or may not have run"))
        case .delivery(let delivery):
            if delivery.consumerTag == state.withLock({ $0.broadcastConsumer }) {
                sink.yield(.broadcast(delivery.body))
            } else {
                complete(delivery)
            }
        case .returned(let id, let routingKey):
            // A request is published mandatory: no queue to take it means no server can run it.
            guard let id else { return }
            fail(
                id,
                BrokerError.unavailable(
                    "no queue '\(BrokerError.excerpt(routingKey))' to take the request (no server has declared it); it did not run"
                ))
        case .stopped:
            state.withLock { s in
                s.stopped?.resume()
                s.stopped = nil
            }
        }
    }

    private func complete(_ delivery: AMQPDelivery) {
        guard let id = delivery.correlationID,
            let pending = state.withLock({ $0.pending.removeValue(forKey: id) })
        else {
            logger.debug(
                "AMQP reply for an unknown or timed-out call dropped",
                metadata: ["correlation_id": "\(delivery.correlationID ?? "-")"])
            return
        }
        pending.continuation.resume(returning: delivery.body)
    }

    private func fail(_ id: String, _ error: any Error) {
        guard let pending = state.withLock({ $0.pending.removeValue(forKey: id) }) else { return }
        pending.continuation.resume(throwing: error)
    }

    private func failAll(_ error: BrokerError) {
        let all = state.withLock { s -> [Pending] in
            s.connected = false
            // A check queued on the lost connection was dropped with its outbox.
            s.checking = false
            defer { s.pending.removeAll() }
            return Array(s.pending.values)
        }
        for p in all { p.continuation.resume(throwing: error) }
    }

    /// Publishes one request and waits for its reply; throws `Unavailable` when not connected,
    /// when the connection drops, or when no reply comes within the call timeout.
    public func call(_ request: [UInt8]) async throws -> [UInt8] {
        let id = state.withLock { s in
            s.nextID += 1
            return String(s.nextID)
        }
        let c = configuration
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[UInt8], any Error>) in
                let started = clock.now()
                let link = state.withLock { s -> AMQPLink? in
                    guard s.connected, !s.closed, let link = s.link else { return nil }
                    s.pending[id] = Pending(continuation: continuation, started: started)
                    if s.watch == nil { s.watch = Task { [weak self] in await self?.watch() } }
                    return link
                }
                guard let link else {
                    continuation.resume(throwing: BrokerError.unavailable("not connected to RabbitMQ (reconnecting)"))
                    return
                }
                let queued = link.send(bytes: request.count) { session, _ throws(AMQPFailure) in
                    try session.publish(
                        AMQPOutgoing(
                            exchange: "", routingKey: c.queue, body: request, correlationID: id,
                            replyTo: Self.replyQueue, mandatory: true))
                }
                if !queued { fail(id, BrokerError.unavailable("not connected to RabbitMQ (reconnecting)")) }
            }
        } onCancel: {
            fail(id, CancellationError())
        }
    }

    // MARK: Timeouts and the no-consumer check

    /// While calls wait: sleeps until the oldest call's timeout or its next check period,
    /// whichever comes first, then fails the calls whose timeout has passed and asks for a
    /// consumer check if a call has waited a period. One task for all calls rather than a
    /// timer per call: a timer task per call cost as much client CPU as the rest of the call.
    /// Ends when no call waits; the next call starts it again.
    private func watch() async {
        let timeout = configuration.callTimeout
        let period = configuration.noConsumerCheckAfter.flatMap { $0 > .zero ? $0 : nil }
        while true {
            let now = clock.now()
            let oldest = state.withLock { s -> Duration? in
                guard !s.closed, let oldest = s.pending.values.lazy.map(\.started).min() else {
                    s.watch = nil
                    return nil
                }
                return oldest
            }
            guard let oldest else { return }
            var wake = oldest + timeout
            if let period {
                // The oldest call's next whole period: its checks come one period apart.
                let periods = Int(((now - oldest) / period).rounded(.down)) + 1
                wake = min(wake, oldest + period * periods)
            }
            guard (try? await clock.sleep(wake)) != nil else { return }
            let reached = clock.now()
            let (expired, due) = state.withLock { s -> ([Pending], Bool) in
                let ids = s.pending.filter { reached - $0.value.started >= timeout }.map(\.key)
                let expired = ids.compactMap { s.pending.removeValue(forKey: $0) }
                let due = period.map { p in s.pending.values.contains { reached - $0.started >= p } } ?? false
                return (expired, due)
            }
            let error = BrokerError.unavailable(
                "no server answered within \(timeout) (queue '\(configuration.queue)')")
            for p in expired { p.continuation.resume(throwing: error) }
            if due { checkConsumers() }
        }
    }

    /// Asks the I/O thread to check that some server consumes the request queue, unless a
    /// check is under way or one started less than (about) a check period ago: however many
    /// calls wait, RabbitMQ gets about one passive declare per period.
    private func checkConsumers() {
        guard let period = configuration.noConsumerCheckAfter else { return }
        let now = clock.now()
        let link = state.withLock { s -> AMQPLink? in
            guard s.connected, !s.closed, !s.checking, !s.pending.isEmpty, let link = s.link else { return nil }
            // 9/10: the watch ticks once a period, a little late; a check that started
            // a period ago to within scheduling jitter must not make the next one wait 2 periods.
            if let last = s.lastCheck, now - last < period * 0.9 { return nil }
            s.checking = true
            s.lastCheck = now
            return link
        }
        guard let link else { return }
        let queued = link.enqueue { [weak self] session, generation throws(AMQPFailure) in
            guard let self else { return }
            try self.runConsumerCheck(session, generation: generation, period: period)
        }
        if !queued { state.withLock { $0.checking = false } }
    }

    /// How many messages were published by the thread that made them, not the I/O thread
    /// (for tests).
    var directSends: Int { state.withLock { $0.link }?.directSends ?? 0 }

    /// How many consumer checks (passive declares) this transport has made.
    var consumerChecks: Int { state.withLock { $0.consumerChecks } }

    /// How many calls wait for their reply (for tests).
    var pendingCalls: Int { state.withLock { $0.pending.count } }

    /// Runs on the I/O thread: one passive `queue.declare` of the request queue on the
    /// inspection channel. With no consumer, every call that was waiting when the declare was
    /// sent fails with `Unavailable`; with consumers, they keep waiting. Throws (and the link
    /// reconnects) only when the connection fails.
    private func runConsumerCheck(
        _ session: borrowing AMQPSession, generation: Int, period: Duration
    ) throws(AMQPFailure) {
        defer { state.withLock { $0.checking = false } }
        let queue = configuration.queue
        let (waiting, channelOpen) = state.withLock { s in
            (Array(s.pending.keys), s.inspectionChannelOn == generation)
        }
        guard !waiting.isEmpty else { return }
        if !channelOpen {
            try session.openInspectionChannel()
            state.withLock { $0.inspectionChannelOn = generation }
        }
        let status = try session.inspectQueue(queue)
        state.withLock { $0.consumerChecks += 1 }
        let error: BrokerError
        switch status {
        case .exists(let consumers, _) where consumers > 0:
            return
        case .exists(_, let messages):
            logger.notice(
                "AMQP request queue has no consumer: failing the waiting calls",
                metadata: ["queue": "\(queue)", "calls": "\(waiting.count)", "messages": "\(messages)"])
            error = BrokerError.unavailable(
                "no server consumes queue '\(queue)' (no reply after \(period); all gateways down?); "
                    + "the request may still run if a server starts")
        case .refused(let code, let text):
            // RabbitMQ closed the inspection channel: open it again next time.
            state.withLock { $0.inspectionChannelOn = nil }
            guard code == 404 else {
                logger.warning(
                    "AMQP consumer check of the request queue refused",
                    metadata: ["queue": "\(queue)", "code": "\(code)", "reason": "\(text)"])
                return
            }
            error = BrokerError.unavailable(
                "no queue '\(queue)' (no server has declared it); the call may or may not have run")
        }
        for id in waiting { fail(id, error) }
    }

    /// Closes the connection; pending calls fail with `Unavailable`; ends ``events``.
    public func close() async {
        let (link, already) = state.withLock { s -> (AMQPLink?, Bool) in
            defer { s.closed = true }
            return (s.link, s.closed)
        }
        if already { return }
        failAll(BrokerError.unavailable("AMQP client transport closed"))
        state.withLock { $0.watch }?.cancel()
        if let link {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                state.withLock { $0.stopped = c }
                link.stop()
            }
        }
        state.withLock { $0.link = nil }
        sink.finish()
    }
}
