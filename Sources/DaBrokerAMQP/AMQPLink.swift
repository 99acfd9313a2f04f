import CRabbitMQ
import DaBrokerCore
import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// What an ``AMQPLink`` reports. Reported on its I/O thread: handlers must be quick (resume a
/// continuation, start a task) and never block.
enum AMQPLinkEvent: Sendable {
    /// A connection is up and set up (queues declared, consumers started).
    case connected(generation: Int)
    /// The connection was lost; the link reconnects after a pause.
    case disconnected(reason: String)
    /// The very first connection attempt failed; the link has given up.
    case failedToStart(reason: String)
    /// A message for one of the consumers.
    case delivery(AMQPDelivery)
    /// RabbitMQ returned a `mandatory` message no queue took (basic.return), with its
    /// correlation id and the routing key it was published with.
    case returned(correlationID: String?, routingKey: String)
    /// The link stopped (after ``AMQPLink/stop()``).
    case stopped
}

/// Work for the I/O thread: it gets the session and the connection's generation number.
typealias AMQPCommand = @Sendable (borrowing AMQPSession, Int) throws(AMQPFailure) -> Void

/// One AMQP connection owned by one dedicated thread.
///
/// rabbitmq-c connections must not be shared between threads, and heartbeats are only serviced
/// inside its calls. So the thread owns the connection: it connects (and reconnects with
/// backoff), runs ``setUp`` on each new connection, then loops: it runs the queued commands
/// (publishes, acks), waits on the socket and a wake-up pipe with `poll`, reads deliveries with
/// `amqp_consume_message` and reports them. Swift tasks hand it commands through a
/// mutex-protected outbox, or publish themselves when that cannot wait (see below), so
/// nothing blocks the cooperative pool.
///
/// The I/O thread also runs ``InPlaceExecutor`` jobs between two reads: a request task the
/// server starts there (every request but a large one) begins without waking a thread of the
/// pool, and the reply it queues is published before the thread waits again. Such jobs must
/// not block: the database drivers run on threads of their own, or (PostgreSQL, MariaDB) send
/// their statement and wait for the answer in this thread's `poll` (``DescriptorWatch``).
///
/// Other threads publish directly when they can (``send(bytes:_:)``): while the I/O thread
/// waits in `poll` it does not use the connection, so a thread that takes the session lock
/// then may publish on it itself, instead of waking the I/O thread to do it.
final class AMQPLink: Sendable {
    private struct State {
        var outbox: [AMQPCommand] = []
        var stopping = false
        var wakePending = false
        var connected = false
        /// A command run by another thread (``send(bytes:_:)``) failed: the I/O thread drops
        /// the connection and reconnects.
        var broken = false
    }

    /// The connection while it is up, for whoever holds the lock: the I/O thread around each
    /// use of it, another thread for a direct publish (``send(bytes:_:)``). rabbitmq-c allows
    /// a connection on several threads, one at a time.
    private struct SessionSlot {
        var session: OpenSession?
        var generation = 0
    }

    /// An open session, kept in ``SessionSlot`` (a class: the slot cannot hold a `~Copyable`
    /// value it may lose).
    private final class OpenSession {
        let session: AMQPSession
        init(_ session: consuming AMQPSession) { self.session = session }
    }

    /// Largest message another thread publishes itself; larger ones go through the I/O thread.
    /// The socket is checked for room first: a direct publish never waits for it.
    static let directLimit = 16 * 1024

    /// Most commands kept while disconnected (older ones are dropped beyond this).
    static let outboxLimit = 100_000

    let configuration: AMQPConfiguration
    private let setUp: AMQPCommand
    private let onEvent: @Sendable (AMQPLinkEvent) -> Void
    private let state = Mutex(State())
    private let sessionLock = Mutex(SessionSlot())
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let logger: Logger
    private let label: String
    private let keepsOutbox: Bool
    /// The I/O thread's `pthread_self()` once it runs (0 before; for tests).
    private let ioThread = Atomic<UInt>(0)
    /// How many commands other threads ran themselves (``send(bytes:_:)``; for tests).
    private let directs = Atomic<Int>(0)

    /// `setUp` declares and consumes on each new connection; `onEvent` gets what happens.
    /// With `keepsOutbox`, commands queued while disconnected wait for the next connection
    /// (the server's replies and broadcasts); without, they are refused.
    init(
        configuration: AMQPConfiguration, label: String, logger: Logger, keepsOutbox: Bool,
        setUp: @escaping AMQPCommand,
        onEvent: @escaping @Sendable (AMQPLinkEvent) -> Void
    ) throws(AMQPFailure) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw AMQPFailure(description: "pipe() failed: errno \(errno)") }
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        wakeRead = fds[0]
        wakeWrite = fds[1]
        self.configuration = configuration
        self.label = label
        self.keepsOutbox = keepsOutbox
        self.logger = logger
        self.setUp = setUp
        self.onEvent = onEvent
    }

    deinit {
        close(wakeRead)
        close(wakeWrite)
    }

    /// Starts the I/O thread.
    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "dabroker-amqp-\(label)"
        thread.start()
    }

    /// Queues work for the I/O thread; `false` if the link is stopping, or not connected and
    /// not keeping its outbox (the command is then dropped).
    @discardableResult
    func enqueue(_ command: @escaping AMQPCommand) -> Bool {
        let onThread = isOnIOThread
        return state.withLock { s in
            guard !s.stopping, s.connected || keepsOutbox else { return false }
            if s.outbox.count >= Self.outboxLimit { s.outbox.removeFirst() }
            s.outbox.append(command)
            // The I/O thread takes the outbox before it waits again: no need to wake it.
            if !onThread { wake(&s) }
            return true
        }
    }

    /// Runs `command` at once on the calling thread when it may (the I/O thread is waiting in
    /// `poll`, the message is at most ``directLimit`` bytes and the socket has room for it);
    /// queues it for the I/O thread otherwise. `false` as ``enqueue(_:)``.
    @discardableResult
    func send(bytes: Int, _ command: @escaping AMQPCommand) -> Bool {
        if bytes <= Self.directLimit && !isOnIOThread, let sent = sendDirectly(command) { return sent }
        return enqueue(command)
    }

    /// How many commands other threads ran themselves, without the I/O thread.
    var directSends: Int { directs.load(ordering: .relaxed) }

    /// `nil` when the I/O thread uses the connection, there is none, or the socket is full.
    private func sendDirectly(_ command: AMQPCommand) -> Bool? {
        let outcome = sessionLock.withLockIfAvailable { slot -> (sent: Bool, wake: Bool)? in
            guard let open = slot.session else { return nil }
            // Queued commands first (in order), as the I/O thread runs them.
            guard state.withLock({ !$0.stopping && !$0.broken && $0.outbox.isEmpty }) else { return nil }
            let conn = open.session.state
            var fd = pollfd(fd: open.session.socket, events: Int16(POLLOUT), revents: 0)
            guard poll(&fd, 1, 0) == 1, fd.revents & Int16(POLLOUT) != 0 else { return nil }
            // Counted first: whoever gets the message may look at the count at once.
            directs.add(1, ordering: .relaxed)
            do {
                try command(open.session, slot.generation)
            } catch {
                logger.debug("AMQP direct publish failed", metadata: ["link": "\(label)", "reason": "\(error)"])
                state.withLock { $0.broken = true }
                return (true, true)
            }
            // Frames read meanwhile wait in rabbitmq-c's buffers, which `poll` cannot see.
            return (true, amqp_frames_enqueued(conn) != 0 || amqp_data_in_buffer(conn) != 0)
        }
        guard let outcome = outcome ?? nil else { return nil }
        if outcome.wake { state.withLock { wake(&$0) } }
        return outcome.sent
    }

    /// Whether the caller runs on the I/O thread.
    private var isOnIOThread: Bool { LocalJobs.current?.owner == ObjectIdentifier(self) }

    /// The I/O thread's id, as ``currentThreadID()`` gives it on that thread (0 before it runs).
    var ioThreadID: UInt { ioThread.load(ordering: .relaxed) }

    /// The calling thread's `pthread_self()`.
    static func currentThreadID() -> UInt {
        #if canImport(Darwin)
            UInt(bitPattern: pthread_self())
        #else
            UInt(pthread_self())
        #endif
    }

    /// Asks the I/O thread to run the queued commands, close the connection and end; it
    /// reports ``AMQPLinkEvent/stopped`` when done.
    func stop() {
        state.withLock { s in
            s.stopping = true
            wake(&s)
        }
    }

    private func wake(_ s: inout State) {
        guard !s.wakePending else { return }
        s.wakePending = true
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    private var isStopping: Bool { state.withLock { $0.stopping } }

    // MARK: The I/O thread

    private func run() {
        ioThread.store(Self.currentThreadID(), ordering: .relaxed)
        let local = LocalJobs.adopt(for: self)
        defer { local.leave() }
        var delay = configuration.reconnectMinDelay
        var everConnected = false
        while !isStopping {
            var reason = "stopped"
            do {
                let generation = Self.nextGeneration()
                try sessionLock.withLock { slot throws(AMQPFailure) in
                    let session = try AMQPSession(configuration: configuration)
                    try setUp(session, generation)
                    slot.session = OpenSession(session)
                    slot.generation = generation
                }
                // Closes the connection (unless another thread still publishes on it: then
                // once it is done, as it holds the lock).
                defer { sessionLock.withLock { $0.session = nil } }
                state.withLock { $0.connected = true }
                everConnected = true
                delay = configuration.reconnectMinDelay
                logger.debug("AMQP connected", metadata: ["link": "\(label)", "generation": "\(generation)"])
                onEvent(.connected(generation: generation))
                // Database drivers may wait for their server's answers here meanwhile
                // (`DescriptorWatch`); when the connection goes, they finish on their own threads.
                local.pollsWatches = true
                defer { local.abandonWatches() }
                try serve(generation: generation, local: local)
            } catch {
                reason = error.description
            }
            state.withLock { s in
                s.connected = false
                s.broken = false
                if !keepsOutbox { s.outbox.removeAll() }
            }
            if isStopping { break }
            guard everConnected else {
                logger.error("AMQP connection failed", metadata: ["link": "\(label)", "reason": "\(reason)"])
                onEvent(.failedToStart(reason: reason))
                return
            }
            logger.warning(
                "AMQP connection lost; reconnecting",
                metadata: ["link": "\(label)", "reason": "\(reason)", "delay": "\(delay)"])
            onEvent(.disconnected(reason: reason))
            pause(delay, local: local)
            delay = min(delay * 2, configuration.reconnectMaxDelay)
        }
        onEvent(.stopped)
    }

    private static let generations = Atomic<Int>(0)

    /// Connection numbers, unique in the process (so that a delivery tag is never acked on
    /// another link's connection either).
    private static func nextGeneration() -> Int { generations.add(1, ordering: .relaxed).newValue }

    /// Runs commands and reads deliveries until stopped (returns) or the connection fails
    /// (throws). The session lock is held around each use of the connection, not while
    /// waiting in `poll` (when other threads may publish, see ``send(bytes:_:)``).
    private func serve(generation: Int, local: LocalJobs) throws(AMQPFailure) {
        while true {
            local.runAll()
            // The outbox is taken and run under the session lock: a direct publish comes
            // before or after all of it, never between (a broadcast queued before a reply
            // leaves before it).
            let (socket, stopping) = try withSession { session throws(AMQPFailure) -> (Int32?, Bool) in
                let (commands, stopping, broken) = state.withLock { s in
                    let c = s.outbox
                    s.outbox.removeAll(keepingCapacity: true)
                    return (c, s.stopping, s.broken)
                }
                if broken { throw AMQPFailure(description: "a publish from another thread failed") }
                for command in commands { try command(session, generation) }
                let quiet = amqp_frames_enqueued(session.state) == 0 && amqp_data_in_buffer(session.state) == 0
                return (quiet ? session.socket : nil, stopping)
            }
            if stopping { return }
            if let socket {
                // Work queued meanwhile (by a job, or by another thread before its wake-up
                // byte): only look whether the socket has something, do not wait.
                let busy = !local.isEmpty || state.withLock { !$0.outbox.isEmpty || $0.broken }
                var fds = [
                    pollfd(fd: socket, events: Int16(POLLIN), revents: 0),
                    pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
                ]
                if local.hasWatches { fds += local.watchedDescriptors }
                let n = poll(&fds, nfds_t(fds.count), busy ? 0 : 250)
                if n < 0 && errno != EINTR { throw AMQPFailure(description: "poll failed: errno \(errno)") }
                if fds[1].revents != 0 { drainWakePipe() }
                if fds.count > 2 { local.dispatchWatches(fds[2...]) }
                if busy && fds[0].revents == 0 { continue }
                // On a timeout, read anyway: that is where rabbitmq-c sends and checks heartbeats.
                if n > 0 && fds[0].revents == 0 { continue }
            }
            try withSession { session throws(AMQPFailure) in try readOne(session, generation: generation) }
        }
    }

    /// Runs `body` on the open session under the session lock (I/O thread).
    private func withSession<R: Sendable>(
        _ body: @Sendable (borrowing AMQPSession) throws(AMQPFailure) -> R
    ) throws(AMQPFailure) -> R {
        try sessionLock.withLock { slot throws(AMQPFailure) -> R in
            guard let open = slot.session else { throw AMQPFailure(description: "no open session") }
            return try body(open.session)
        }
    }

    /// Empties the wake-up pipe, then lets the next `wake` write again. The read happens
    /// outside the lock, which other threads take to queue work: a byte written between the
    /// read and the reset only makes one more, empty, turn; work queued then without a byte
    /// is run by the turn that follows this drain, before the thread waits again. The pipe
    /// holds one byte at a time (`wakePending`), so one read of up to 64 bytes empties it.
    private func drainWakePipe() {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { buffer in
            _ = read(wakeRead, buffer.baseAddress, buffer.count)
        }
        state.withLock { $0.wakePending = false }
    }

    /// Sleeps `delay` unless ``stop()`` wakes it; runs the jobs that come meanwhile.
    private func pause(_ delay: Duration, local: LocalJobs) {
        let clock = ContinuousClock()
        let end = clock.now + delay
        while !isStopping {
            local.runAll()
            let left = end - clock.now
            if left <= .zero { return }
            let (s, atto) = left.components
            var fd = pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)
            _ = poll(&fd, 1, Int32(clamping: s * 1000 + atto / 1_000_000_000_000_000 + 1))
            drainWakePipe()
        }
    }

    /// Reads one delivery (or another frame) without waiting.
    private func readOne(_ session: borrowing AMQPSession, generation: Int) throws(AMQPFailure) {
        let conn = session.state
        amqp_maybe_release_buffers(conn)
        var envelope = amqp_envelope_t()
        var immediately = timeval(tv_sec: 0, tv_usec: 0)
        let reply = amqp_consume_message(conn, &envelope, &immediately, 0)
        switch reply.reply_type {
        case AMQP_RESPONSE_NORMAL:
            let delivery = Self.delivery(envelope, generation: generation)
            amqp_destroy_envelope(&envelope)
            onEvent(.delivery(delivery))
        case AMQP_RESPONSE_LIBRARY_EXCEPTION where reply.library_error == AMQP_STATUS_TIMEOUT.rawValue:
            return
        case AMQP_RESPONSE_LIBRARY_EXCEPTION where reply.library_error == AMQP_STATUS_UNEXPECTED_STATE.rawValue:
            try readOtherFrame(session)
        default:
            throw AMQPFailure(description: AMQPSession.problem(reply) ?? "consume failed")
        }
    }

    private static func delivery(_ e: amqp_envelope_t, generation: Int) -> AMQPDelivery {
        let p = e.message.properties
        func flag(_ f: Int32) -> Bool { p._flags & amqp_flags_t(f) != 0 }
        return AMQPDelivery(
            consumerTag: AMQPSession.string(e.consumer_tag), deliveryTag: e.delivery_tag,
            redelivered: e.redelivered != 0, body: AMQPSession.array(e.message.body),
            correlationID: flag(AMQP_BASIC_CORRELATION_ID_FLAG) ? AMQPSession.string(p.correlation_id) : nil,
            replyTo: flag(AMQP_BASIC_REPLY_TO_FLAG) ? AMQPSession.string(p.reply_to) : nil,
            contentType: flag(AMQP_BASIC_CONTENT_TYPE_FLAG) ? AMQPSession.string(p.content_type) : nil,
            generation: generation)
    }

    /// Handles a frame that is not a delivery: a returned message is dropped, a close or a
    /// consumer cancellation by the server is a failure (the link reconnects).
    private func readOtherFrame(_ session: borrowing AMQPSession) throws(AMQPFailure) {
        let conn = session.state
        var frame = amqp_frame_t()
        var timeout = AMQPSession.timeval(configuration.operationTimeout)
        let status = amqp_simple_wait_frame_noblock(conn, &frame, &timeout)
        guard status == AMQP_STATUS_OK.rawValue else {
            throw AMQPFailure(description: "reading a frame: \(AMQPSession.statusText(status))")
        }
        guard frame.frame_type == UInt8(AMQP_FRAME_METHOD) else { return }
        switch frame.payload.method.id {
        case AMQPMethod.basicReturn:
            let routingKey = frame.payload.method.decoded.map {
                AMQPSession.string($0.assumingMemoryBound(to: amqp_basic_return_t.self).pointee.routing_key)
            }
            var message = amqp_message_t()
            let reply = amqp_read_message(conn, frame.channel, &message, 0)
            if let problem = AMQPSession.problem(reply) { throw AMQPFailure(description: "basic.return: \(problem)") }
            let p = message.properties
            let id =
                p._flags & amqp_flags_t(AMQP_BASIC_CORRELATION_ID_FLAG) != 0
                ? AMQPSession.string(p.correlation_id) : nil
            amqp_destroy_message(&message)
            logger.debug("AMQP message returned by the server (no route)", metadata: ["link": "\(label)"])
            onEvent(.returned(correlationID: id, routingKey: routingKey ?? ""))
        case AMQPMethod.channelClose:
            throw AMQPFailure(description: "channel closed by the server")
        case AMQPMethod.connectionClose:
            var ok = amqp_connection_close_ok_t(dummy: 0)
            _ = amqp_send_method(conn, 0, AMQPMethod.connectionCloseOk, &ok)
            throw AMQPFailure(description: "connection closed by the server")
        case AMQPMethod.basicCancel:
            throw AMQPFailure(description: "consumer cancelled by the server")
        default:
            return
        }
    }
}

/// Method ids rabbitmq-c defines as casted macros (which Swift does not import).
enum AMQPMethod {
    static let basicPublish: amqp_method_number_t = 0x003C_0028
    static let basicAck: amqp_method_number_t = 0x003C_0050
    static let basicReturn: amqp_method_number_t = 0x003C_0032
    static let basicCancel: amqp_method_number_t = 0x003C_001E
    static let channelClose: amqp_method_number_t = 0x0014_0028
    static let channelCloseOk: amqp_method_number_t = 0x0014_0029
    static let connectionClose: amqp_method_number_t = 0x000A_0032
    static let connectionCloseOk: amqp_method_number_t = 0x000A_0033
}
