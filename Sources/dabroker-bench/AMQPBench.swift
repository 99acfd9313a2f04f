import CRabbitMQ
import DaBrokerAMQP
import DaBrokerClient
import DaBrokerCore
import DaBrokerServer
import Foundation
import Synchronization

/// A started `BrokerServer` on AMQP with no database, enough for `BrokerClient.connect` and
/// `echo`: a root object and one static item.
func staticBrokerServer(_ c: AMQPConfiguration) async throws -> BrokerServer {
    let server = BrokerServer(configuration: .init(secret: "bench"))
    server.addTransport(AMQPServerTransport(configuration: c, logger: BenchGateway.quiet("static")))
    let itemClass = BrokerClass("Item", fields: ["name"])
    let item = StaticObject(class: itemClass, values: ["name": "one"])
    try server.addStatic(itemClass, "item", "meta")
    try server.addStatic(item, "item", 1)
    let rootClass = BrokerClass("Root", fields: ["version"], refs: ["item"])
    let root = StaticObject(class: rootClass, values: ["version": "1", "item": .object(item)])
    try server.addStatic(rootClass, "root", "meta")
    try server.addStatic(root, "root")
    server.root = root
    try await server.start(purge: true)
    return server
}

/// The floor: the same echo round trip with raw librabbitmq on two threads (an echo server
/// and a caller using direct reply-to), no DaBroker code at all; milliseconds. With `acks`,
/// the server consumes as the gateway does: at most ``AMQPConfiguration/prefetch`` requests
/// unacknowledged, each acknowledged after its reply.
func runRawAMQPEchoBenchmark(url: String, calls: Int, warmUp: Int = 200, acks: Bool = false) async throws -> (
    p50: Double, p99: Double
) {
    let c = try benchConfiguration(url)
    let stop = BenchFlag()
    try await RawEcho.start(c, stop: stop, acks: acks)
    let samples = try await onBenchThread { try RawEcho.call(c, calls: calls + warmUp) }
    stop.value.store(true, ordering: .releasing)
    try await onBenchThread { try RawEcho.deleteNames(c) }
    return percentiles(Array(samples.dropFirst(warmUp)))
}

/// Raw echo-RPC throughput (calls/s): one raw echo server thread as in
/// ``runRawAMQPEchoBenchmark(url:calls:warmUp:)``, `callers` caller threads, each with its own
/// connection, calling back to back for `duration` (after 100 ms of warm-up).
func runRawAMQPEchoThroughput(url: String, callers: Int, duration: Duration) async throws -> Double {
    let c = try benchConfiguration(url)
    let stop = BenchFlag()
    try await RawEcho.start(c, stop: stop)
    let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    let total = try await withThrowingTaskGroup(of: Int.self) { group in
        for _ in 0..<callers {
            group.addTask { try await onBenchThread { try RawEcho.callFor(c, seconds: seconds) } }
        }
        var total = 0
        for try await n in group { total += n }
        return total
    }
    stop.value.store(true, ordering: .releasing)
    try await onBenchThread { try RawEcho.deleteNames(c) }
    return Double(total) / seconds
}

/// How many consumers the queue of `c` has (0 when it does not exist).
func amqpConsumerCount(_ c: AMQPConfiguration) async throws -> Int {
    try await onBenchThread { try RawEcho.consumerCount(c) }
}

/// A flag shared between threads.
final class BenchFlag: Sendable {
    let value = Atomic<Bool>(false)
}

func benchConfiguration(_ url: String) throws -> AMQPConfiguration {
    try AMQPConfiguration(url: url).withOwnNames(prefix: "amqpbench")
}

private func milliseconds(_ d: Duration) -> Double { BenchStats.micros(d) / 1000 }

private func percentiles(_ samples: [Double]) -> (p50: Double, p99: Double) { BenchStats.percentiles(samples) }

func onBenchThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread {
            do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
        }.start()
    }
}

/// Raw librabbitmq echo server and caller (the caller also drives ``RawGetFloor``).
enum RawEcho {
    struct Failure: Error, CustomStringConvertible { var description: String }

    /// The echo request every echo row sends (the original DaBroker's `echo` of `"hi"`).
    static let echoRequest = #"{"data": {"_m": "echo", "_a": {"_o": "LIST", "_d": ["hi"]}}}"#

    static func connect(_ c: AMQPConfiguration) throws -> amqp_connection_state_t {
        guard let conn = amqp_new_connection(), let socket = amqp_tcp_socket_new(conn) else {
            throw Failure(description: "cannot allocate a connection")
        }
        guard amqp_socket_open(socket, c.host, Int32(c.port)) == AMQP_STATUS_OK.rawValue else {
            amqp_destroy_connection(conn)
            throw Failure(description: "cannot connect to \(c.host):\(c.port)")
        }
        let login = dab_amqp_login_plain(conn, c.vhost, 0, 131_072, 0, c.user, c.password)
        amqp_channel_open(conn, 1)
        guard login.reply_type == AMQP_RESPONSE_NORMAL, amqp_get_rpc_reply(conn).reply_type == AMQP_RESPONSE_NORMAL
        else {
            amqp_destroy_connection(conn)
            throw Failure(description: "login or channel.open failed")
        }
        return conn
    }

    static func close(_ conn: amqp_connection_state_t) {
        _ = amqp_connection_close(conn, AMQP_REPLY_SUCCESS)
        amqp_destroy_connection(conn)
    }

    /// Copies `s` into malloc'ed AMQP bytes (free with `amqp_bytes_free`).
    static func bytes(_ s: String) -> amqp_bytes_t {
        s.withCString { amqp_bytes_malloc_dup(amqp_cstring_bytes($0)) }
    }

    /// Starts ``serve(_:ready:stop:acks:)`` on a thread of its own and returns once it
    /// consumes; it ends when `stop` is set.
    static func start(_ c: AMQPConfiguration, stop: BenchFlag, acks: Bool = false) async throws {
        let ready = BenchFlag()
        Thread { try? serve(c, ready: ready, stop: stop, acks: acks) }.start()
        let deadline = ContinuousClock.now + .seconds(10)
        while !ready.value.load(ordering: .acquiring) {
            guard ContinuousClock.now < deadline else {
                throw Failure(description: "the raw echo server did not start")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// ``call(_:calls:bodies:)`` on a thread of its own; each round trip in µs.
    static func callMicros(
        _ c: AMQPConfiguration, calls: Int,
        bodies: [String] = [echoRequest]
    ) async throws -> [Double] {
        try await onBenchThread { try call(c, calls: calls, bodies: bodies) }.map { $0 * 1000 }
    }

    /// Echoes each request to its `reply_to`; with `acks`, consumes with acknowledgements
    /// (prefetch as configured) and acknowledges each request after its reply.
    static func serve(_ c: AMQPConfiguration, ready: BenchFlag, stop: BenchFlag, acks: Bool = false) throws {
        let conn = try connect(c)
        defer { close(conn) }
        let queue = bytes(c.queue)
        defer { amqp_bytes_free(queue) }
        amqp_queue_declare(conn, 1, queue, 0, 0, 0, 0, dab_amqp_empty_table())
        if acks { amqp_basic_qos(conn, 1, 0, UInt16(clamping: c.prefetch), 0) }
        amqp_basic_consume(conn, 1, queue, dab_amqp_empty_bytes(), 0, acks ? 0 : 1, 0, dab_amqp_empty_table())
        guard amqp_get_rpc_reply(conn).reply_type == AMQP_RESPONSE_NORMAL else {
            throw Failure(description: "declare/consume failed")
        }
        ready.value.store(true, ordering: .releasing)
        while !stop.value.load(ordering: .acquiring) {
            amqp_maybe_release_buffers(conn)
            var envelope = amqp_envelope_t()
            var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
            let reply = amqp_consume_message(conn, &envelope, &timeout, 0)
            guard reply.reply_type == AMQP_RESPONSE_NORMAL else { continue }
            var props = amqp_basic_properties_t()
            props._flags = amqp_flags_t(AMQP_BASIC_CORRELATION_ID_FLAG)
            props.correlation_id = envelope.message.properties.correlation_id
            amqp_basic_publish(
                conn, 1, dab_amqp_empty_bytes(), envelope.message.properties.reply_to, 0, 0, &props,
                envelope.message.body)
            if acks { amqp_basic_ack(conn, 1, envelope.delivery_tag, 0) }
            amqp_destroy_envelope(&envelope)
        }
    }

    /// Sequential calls; returns each round trip in milliseconds.
    static func call(
        _ c: AMQPConfiguration, calls: Int,
        bodies texts: [String] = [echoRequest]
    ) throws -> [Double] {
        let conn = try connect(c)
        defer { close(conn) }
        let replyTo = bytes("amq.rabbitmq.reply-to")
        let queue = bytes(c.queue)
        let bodies = texts.map(bytes)
        defer { for b in [replyTo, queue] + bodies { amqp_bytes_free(b) } }
        amqp_basic_consume(conn, 1, replyTo, dab_amqp_empty_bytes(), 0, 1, 0, dab_amqp_empty_table())
        guard amqp_get_rpc_reply(conn).reply_type == AMQP_RESPONSE_NORMAL else {
            throw Failure(description: "consume of direct reply-to failed")
        }
        let clock = ContinuousClock()
        var samples: [Double] = []
        for i in 0..<calls {
            let id = bytes(String(i))
            defer { amqp_bytes_free(id) }
            var props = amqp_basic_properties_t()
            props._flags = amqp_flags_t(AMQP_BASIC_CORRELATION_ID_FLAG | AMQP_BASIC_REPLY_TO_FLAG)
            props.correlation_id = id
            props.reply_to = replyTo
            let start = clock.now
            amqp_basic_publish(conn, 1, dab_amqp_empty_bytes(), queue, 0, 0, &props, bodies[i % bodies.count])
            amqp_maybe_release_buffers(conn)
            var envelope = amqp_envelope_t()
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            let reply = amqp_consume_message(conn, &envelope, &timeout, 0)
            guard reply.reply_type == AMQP_RESPONSE_NORMAL else { throw Failure(description: "no echo reply") }
            amqp_destroy_envelope(&envelope)
            samples.append(milliseconds(clock.now - start))
        }
        return samples
    }

    /// One call; returns the reply's body.
    static func reply(_ c: AMQPConfiguration, body text: String) throws -> [UInt8] {
        let conn = try connect(c)
        defer { close(conn) }
        let replyTo = bytes("amq.rabbitmq.reply-to")
        let queue = bytes(c.queue)
        let body = bytes(text)
        let id = bytes("1")
        defer { for b in [replyTo, queue, body, id] { amqp_bytes_free(b) } }
        amqp_basic_consume(conn, 1, replyTo, dab_amqp_empty_bytes(), 0, 1, 0, dab_amqp_empty_table())
        guard amqp_get_rpc_reply(conn).reply_type == AMQP_RESPONSE_NORMAL else {
            throw Failure(description: "consume of direct reply-to failed")
        }
        var props = amqp_basic_properties_t()
        props._flags = amqp_flags_t(AMQP_BASIC_CORRELATION_ID_FLAG | AMQP_BASIC_REPLY_TO_FLAG)
        props.correlation_id = id
        props.reply_to = replyTo
        amqp_basic_publish(conn, 1, dab_amqp_empty_bytes(), queue, 0, 0, &props, body)
        var envelope = amqp_envelope_t()
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        let reply = amqp_consume_message(conn, &envelope, &timeout, 0)
        guard reply.reply_type == AMQP_RESPONSE_NORMAL else { throw Failure(description: "no reply") }
        defer { amqp_destroy_envelope(&envelope) }
        let b = envelope.message.body
        guard b.len > 0, let p = b.bytes else { return [] }
        return Array(UnsafeRawBufferPointer(start: p, count: b.len))
    }

    /// Calls back to back for 0.1 s untimed, then `seconds`; returns the calls completed in
    /// the timed part.
    static func callFor(
        _ c: AMQPConfiguration, seconds: Double,
        bodies texts: [String] = [echoRequest]
    ) throws -> Int {
        let conn = try connect(c)
        defer { close(conn) }
        let replyTo = bytes("amq.rabbitmq.reply-to")
        let queue = bytes(c.queue)
        let bodies = texts.map(bytes)
        let id = bytes("1")
        defer { for b in [replyTo, queue, id] + bodies { amqp_bytes_free(b) } }
        amqp_basic_consume(conn, 1, replyTo, dab_amqp_empty_bytes(), 0, 1, 0, dab_amqp_empty_table())
        guard amqp_get_rpc_reply(conn).reply_type == AMQP_RESPONSE_NORMAL else {
            throw Failure(description: "consume of direct reply-to failed")
        }
        let clock = ContinuousClock()
        let warmEnd = clock.now + .milliseconds(100)
        let end = warmEnd + .milliseconds(Int64(seconds * 1000))
        var n = 0
        var sent = 0
        while true {
            let now = clock.now
            if now >= end { break }
            var props = amqp_basic_properties_t()
            props._flags = amqp_flags_t(AMQP_BASIC_CORRELATION_ID_FLAG | AMQP_BASIC_REPLY_TO_FLAG)
            props.correlation_id = id
            props.reply_to = replyTo
            amqp_basic_publish(conn, 1, dab_amqp_empty_bytes(), queue, 0, 0, &props, bodies[sent % bodies.count])
            sent += 1
            amqp_maybe_release_buffers(conn)
            var envelope = amqp_envelope_t()
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            let reply = amqp_consume_message(conn, &envelope, &timeout, 0)
            guard reply.reply_type == AMQP_RESPONSE_NORMAL else { throw Failure(description: "no echo reply") }
            amqp_destroy_envelope(&envelope)
            if now >= warmEnd { n += 1 }
        }
        return n
    }

    static func consumerCount(_ c: AMQPConfiguration) throws -> Int {
        let conn = try connect(c)
        defer { close(conn) }
        let queue = bytes(c.queue)
        defer { amqp_bytes_free(queue) }
        guard let ok = amqp_queue_declare(conn, 1, queue, 1, 0, 0, 0, dab_amqp_empty_table()) else { return 0 }
        return Int(ok.pointee.consumer_count)
    }

    static func deleteNames(_ c: AMQPConfiguration) throws {
        let conn = try connect(c)
        defer { close(conn) }
        let queue = bytes(c.queue)
        let exchange = bytes(c.exchange)
        defer {
            amqp_bytes_free(queue)
            amqp_bytes_free(exchange)
        }
        amqp_queue_delete(conn, 1, queue, 0, 0)
        amqp_exchange_delete(conn, 1, exchange, 0)
    }
}
