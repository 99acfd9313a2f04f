import CRabbitMQ
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
/// `amqp_consume_message` and reports them. Swift tasks talk to it only through the
/// mutex-protected outbox, so nothing blocks the cooperative pool.
///
/// The link is also a `TaskExecutor`: a task started with it as its executor preference (the
/// server's request tasks) runs its jobs on the I/O thread, between two reads. A request then
/// starts without waking a thread of the cooperative pool, and its reply is published without
/// waking the I/O thread: two thread hand-offs fewer per call. Such jobs must not block (the
/// database drivers run on threads of their own).
final class AMQPLink: TaskExecutor {
    private struct State {
        var outbox: [AMQPCommand] = []
        /// Jobs of tasks that prefer this executor, not yet run.
        var jobs: [UnownedJob] = []
        var stopping = false
        var wakePending = false
        var connected = false
        /// The I/O thread has ended: jobs go to the global executor.
        var ended = false
    }

    /// Most commands kept while disconnected (older ones are dropped beyond this).
    static let outboxLimit = 100_000

    let configuration: AMQPConfiguration
    private let setUp: AMQPCommand
    private let onEvent: @Sendable (AMQPLinkEvent) -> Void
    private let state = Mutex(State())
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let logger: Logger
    private let label: String
    private let keepsOutbox: Bool
    /// The I/O thread's `pthread_self()` once it runs (0 before).
    private let ioThread = Atomic<UInt>(0)

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

    /// Runs `job` on the I/O thread (`TaskExecutor`); on the global executor once the thread
    /// has ended.
    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        let onThread = isOnIOThread
        let accepted = state.withLock { s -> Bool in
            guard !s.ended else { return false }
            s.jobs.append(unowned)
            if !onThread { wake(&s) }
            return true
        }
        if !accepted { globalConcurrentExecutor.enqueue(ExecutorJob(unowned)) }
    }

    /// Whether the caller runs on the I/O thread.
    private var isOnIOThread: Bool { ioThread.load(ordering: .relaxed) == Self.currentThreadID() }

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

    /// Runs the jobs queued so far; returns whether there were any.
    @discardableResult
    private func runJobs() -> Bool {
        let jobs = state.withLock { s in
            defer { s.jobs.removeAll(keepingCapacity: true) }
            return s.jobs
        }
        for job in jobs { job.runSynchronously(on: asUnownedTaskExecutor()) }
        return !jobs.isEmpty
    }

    /// Runs the jobs left when the thread ends; later ones go to the global executor.
    private func finishJobs() {
        while true {
            let jobs = state.withLock { s in
                if s.jobs.isEmpty { s.ended = true }
                defer { s.jobs.removeAll() }
                return s.jobs
            }
            if jobs.isEmpty { return }
            for job in jobs { job.runSynchronously(on: asUnownedTaskExecutor()) }
        }
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
        defer { finishJobs() }
        var delay = configuration.reconnectMinDelay
        var everConnected = false
        while !isStopping {
            var reason = "stopped"
            do {
                let session = try AMQPSession(configuration: configuration)
                let generation = Self.nextGeneration()
                try setUp(session, generation)
                state.withLock { $0.connected = true }
                everConnected = true
                delay = configuration.reconnectMinDelay
                logger.debug("AMQP connected", metadata: ["link": "\(label)", "generation": "\(generation)"])
                onEvent(.connected(generation: generation))
                try serve(session, generation: generation)
            } catch {
                reason = error.description
            }
            state.withLock { s in
                s.connected = false
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
            pause(delay)
            delay = min(delay * 2, configuration.reconnectMaxDelay)
        }
        onEvent(.stopped)
    }

    private static let generations = Atomic<Int>(0)

    /// Connection numbers, unique in the process (so that a delivery tag is never acked on
    /// another link's connection either).
    private static func nextGeneration() -> Int { generations.add(1, ordering: .relaxed).newValue }

    /// Runs commands and reads deliveries until stopped (returns) or the connection fails (throws).
    private func serve(_ session: borrowing AMQPSession, generation: Int) throws(AMQPFailure) {
        while true {
            runJobs()
            let (commands, stopping) = state.withLock { s in
                let c = s.outbox
                s.outbox.removeAll(keepingCapacity: true)
                return (c, s.stopping)
            }
            for command in commands { try command(session, generation) }
            if stopping { return }
            if amqp_frames_enqueued(session.state) == 0 && amqp_data_in_buffer(session.state) == 0 {
                // Work queued meanwhile (by a job, or by another thread before its wake-up
                // byte): only look whether the socket has something, do not wait.
                let busy = state.withLock { !$0.jobs.isEmpty || !$0.outbox.isEmpty }
                var fds = [
                    pollfd(fd: session.socket, events: Int16(POLLIN), revents: 0),
                    pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
                ]
                let n = poll(&fds, 2, busy ? 0 : 250)
                if n < 0 && errno != EINTR { throw AMQPFailure(description: "poll failed: errno \(errno)") }
                if fds[1].revents != 0 { drainWakePipe() }
                if busy && fds[0].revents == 0 { continue }
                // On a timeout, read anyway: that is where rabbitmq-c sends and checks heartbeats.
                if n > 0 && fds[0].revents == 0 { continue }
            }
            try readOne(session, generation: generation)
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
    private func pause(_ delay: Duration) {
        let clock = ContinuousClock()
        let end = clock.now + delay
        while !isStopping {
            runJobs()
            let left = end - clock.now
            if left <= .zero { return }
            // Jobs queued by the jobs just run wake no one: run them before waiting.
            if state.withLock({ !$0.jobs.isEmpty }) { continue }
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
    static let basicReturn: amqp_method_number_t = 0x003C_0032
    static let basicCancel: amqp_method_number_t = 0x003C_001E
    static let channelClose: amqp_method_number_t = 0x0014_0028
    static let channelCloseOk: amqp_method_number_t = 0x0014_0029
    static let connectionClose: amqp_method_number_t = 0x000A_0032
    static let connectionCloseOk: amqp_method_number_t = 0x000A_0033
}
