import CRabbitMQ

#if canImport(Glibc)
    import Glibc
#endif

/// A failure of the AMQP connection (or of one method on it); the I/O thread answers it by
/// reconnecting.
struct AMQPFailure: Error, CustomStringConvertible {
    var description: String
}

/// One open rabbitmq-c connection with channel 1 open on it.
///
/// Not `Sendable` on purpose: rabbitmq-c connections must not be shared between threads, so
/// a session only ever lives on the stack of its ``AMQPLink`` I/O thread.
struct AMQPSession: ~Copyable {
    let state: amqp_connection_state_t
    let channel: amqp_channel_t = 1

    /// Connects, logs in and opens channel 1; throws naming the step that failed.
    init(configuration c: AMQPConfiguration) throws(AMQPFailure) {
        guard let state = amqp_new_connection() else { throw AMQPFailure(description: "amqp_new_connection failed") }
        guard let socket = amqp_tcp_socket_new(state) else {
            amqp_destroy_connection(state)
            throw AMQPFailure(description: "amqp_tcp_socket_new failed")
        }
        var timeout = Self.timeval(c.operationTimeout)
        let opened = amqp_socket_open_noblock(socket, c.host, Int32(c.port), &timeout)
        if opened != AMQP_STATUS_OK.rawValue {
            amqp_destroy_connection(state)
            throw AMQPFailure(description: "cannot connect to \(c.host):\(c.port): \(Self.statusText(opened))")
        }
        _ = amqp_set_handshake_timeout(state, &timeout)
        _ = amqp_set_rpc_timeout(state, &timeout)
        let reply: amqp_rpc_reply_t
        if let name = c.connectionName {
            reply = Self.withConnectionName(name) { properties in
                dab_amqp_login_plain_properties(
                    state, c.vhost, 0, 131_072, Int32(c.heartbeat), properties, c.user, c.password)
            }
        } else {
            reply = dab_amqp_login_plain(state, c.vhost, 0, 131_072, Int32(c.heartbeat), c.user, c.password)
        }
        if let problem = Self.problem(reply) {
            amqp_destroy_connection(state)
            throw AMQPFailure(description: "login to \(c.host):\(c.port) vhost '\(c.vhost)' as \(c.user): \(problem)")
        }
        amqp_channel_open(state, 1)
        if let problem = Self.problem(amqp_get_rpc_reply(state)) {
            amqp_destroy_connection(state)
            throw AMQPFailure(description: "channel.open: \(problem)")
        }
        self.state = state
    }

    deinit {
        var quick = Glibc.timeval(tv_sec: 1, tv_usec: 0)
        _ = amqp_set_rpc_timeout(state, &quick)
        // Best effort: a broken socket makes these fail fast.
        _ = amqp_connection_close(state, AMQP_REPLY_SUCCESS)
        amqp_destroy_connection(state)
    }

    /// The socket's file descriptor, for `poll`.
    var socket: Int32 { amqp_get_sockfd(state) }

    // MARK: Synchronous methods (run on the I/O thread)

    /// Declares a queue; returns its name (the server-generated one for `name == ""`), copied.
    func declareQueue(_ name: String, durable: Bool, exclusive: Bool, autoDelete: Bool) throws(AMQPFailure) -> String {
        let bytes = Self.dup(name)
        defer { Self.free(bytes) }
        guard
            let ok = amqp_queue_declare(
                state, channel, bytes, 0, durable ? 1 : 0, exclusive ? 1 : 0, autoDelete ? 1 : 0,
                dab_amqp_empty_table())
        else { throw failure("queue.declare '\(name)'") }
        return Self.string(ok.pointee.queue)
    }

    func declareExchange(_ name: String, type: String, durable: Bool, autoDelete: Bool) throws(AMQPFailure) {
        let n = Self.dup(name)
        let t = Self.dup(type)
        defer {
            Self.free(n)
            Self.free(t)
        }
        amqp_exchange_declare(state, channel, n, t, 0, durable ? 1 : 0, autoDelete ? 1 : 0, 0, dab_amqp_empty_table())
        try check("exchange.declare '\(name)'")
    }

    func bindQueue(_ queue: String, exchange: String, routingKey: String) throws(AMQPFailure) {
        let q = Self.dup(queue)
        let e = Self.dup(exchange)
        let k = Self.dup(routingKey)
        defer {
            Self.free(q)
            Self.free(e)
            Self.free(k)
        }
        amqp_queue_bind(state, channel, q, e, k, dab_amqp_empty_table())
        try check("queue.bind '\(queue)' to '\(exchange)'")
    }

    func qos(prefetch: Int) throws(AMQPFailure) {
        amqp_basic_qos(state, channel, 0, UInt16(clamping: max(prefetch, 0)), 0)
        try check("basic.qos \(prefetch)")
    }

    /// Empties a queue; returns how many messages it dropped.
    func purge(_ queue: String) throws(AMQPFailure) -> Int {
        let q = Self.dup(queue)
        defer { Self.free(q) }
        guard let ok = amqp_queue_purge(state, channel, q) else { throw failure("queue.purge '\(queue)'") }
        return Int(ok.pointee.message_count)
    }

    /// Deletes a queue (whatever it holds).
    func deleteQueue(_ queue: String) throws(AMQPFailure) {
        let q = Self.dup(queue)
        defer { Self.free(q) }
        amqp_queue_delete(state, channel, q, 0, 0)
        try check("queue.delete '\(queue)'")
    }

    func deleteExchange(_ exchange: String) throws(AMQPFailure) {
        let e = Self.dup(exchange)
        defer { Self.free(e) }
        amqp_exchange_delete(state, channel, e, 0)
        try check("exchange.delete '\(exchange)'")
    }

    /// Starts a consumer; returns its (server-generated) consumer tag.
    func consume(_ queue: String, noAck: Bool, exclusive: Bool = false) throws(AMQPFailure) -> String {
        let q = Self.dup(queue)
        defer { Self.free(q) }
        guard
            let ok = amqp_basic_consume(
                state, channel, q, dab_amqp_empty_bytes(), 0, noAck ? 1 : 0, exclusive ? 1 : 0,
                dab_amqp_empty_table())
        else { throw failure("basic.consume '\(queue)'") }
        return Self.string(ok.pointee.consumer_tag)
    }

    func cancel(consumerTag: String) throws(AMQPFailure) {
        let t = Self.dup(consumerTag)
        defer { Self.free(t) }
        amqp_basic_cancel(state, channel, t)
        try check("basic.cancel")
    }

    /// Acknowledges a delivery, written as ``publish(_:ack:)`` writes a reply's ack.
    func ack(_ deliveryTag: UInt64) throws(AMQPFailure) {
        try publish(nil, ack: deliveryTag)
    }

    /// Publishes `message` with the DaBroker content type and encoding, and then acknowledges
    /// `deliveryTag` if given: all their frames in one write (``AMQPFrames``), so that a reply
    /// and the ack of its request wake RabbitMQ once.
    func publish(_ message: AMQPOutgoing?, ack deliveryTag: UInt64? = nil) throws(AMQPFailure) {
        let frames = try AMQPFrames(
            publishing: message, ack: deliveryTag, channel: channel, frameMax: Int(amqp_get_frame_max(state)))
        try frames.send(on: socket)
    }

    // MARK: Queue inspection (a channel of its own)

    /// The channel of passive declares. A passive declare of a missing queue makes RabbitMQ
    /// close the channel it ran on (AMQP 0-9-1); on this channel that costs no consumer or
    /// pending publish of channel 1, and the channel is simply opened again.
    static let inspectionChannel: amqp_channel_t = 2

    /// What a passive `queue.declare` found.
    enum QueueStatus: Equatable {
        /// The queue exists, with this many consumers and ready messages.
        case exists(consumers: Int, messages: Int)
        /// RabbitMQ refused with this reply code (404: no such queue) and closed
        /// ``inspectionChannel``; open it again before the next inspection.
        case refused(code: Int, text: String)
    }

    /// Opens ``inspectionChannel`` (again after a ``QueueStatus/refused(code:text:)``).
    func openInspectionChannel() throws(AMQPFailure) {
        amqp_channel_open(state, Self.inspectionChannel)
        try check("channel.open \(Self.inspectionChannel)")
    }

    /// A passive `queue.declare` of `name` on ``inspectionChannel`` (open it first): one round
    /// trip, needs no permission on the queue, and changes nothing. A channel-level refusal
    /// (the queue does not exist, or is another connection's exclusive queue) is answered with
    /// `channel.close-ok` and returned; a connection-level failure throws.
    func inspectQueue(_ name: String) throws(AMQPFailure) -> QueueStatus {
        let q = Self.dup(name)
        defer { Self.free(q) }
        let channel = Self.inspectionChannel
        if let ok = amqp_queue_declare(state, channel, q, 1, 0, 0, 0, dab_amqp_empty_table()) {
            let status = QueueStatus.exists(
                consumers: Int(ok.pointee.consumer_count), messages: Int(ok.pointee.message_count))
            amqp_maybe_release_buffers_on_channel(state, channel)
            return status
        }
        let reply = amqp_get_rpc_reply(state)
        guard reply.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION, reply.reply.id == AMQPMethod.channelClose,
            let decoded = reply.reply.decoded
        else { throw AMQPFailure(description: "queue.declare (passive) '\(name)': \(Self.problem(reply) ?? "failed")") }
        let close = decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
        let refused = QueueStatus.refused(code: Int(close.reply_code), text: Self.string(close.reply_text))
        var ok = amqp_channel_close_ok_t(dummy: 0)
        let sent = amqp_send_method(state, channel, AMQPMethod.channelCloseOk, &ok)
        if sent != AMQP_STATUS_OK.rawValue {
            throw AMQPFailure(description: "channel.close-ok: \(Self.statusText(sent))")
        }
        amqp_maybe_release_buffers_on_channel(state, channel)
        return refused
    }

    // MARK: Helpers

    private func check(_ what: String) throws(AMQPFailure) {
        if let problem = Self.problem(amqp_get_rpc_reply(state)) {
            throw AMQPFailure(description: "\(what): \(problem)")
        }
    }

    private func failure(_ what: String) -> AMQPFailure {
        AMQPFailure(description: "\(what): \(Self.problem(amqp_get_rpc_reply(state)) ?? "failed")")
    }

    /// What went wrong in an RPC reply, or `nil` if it is normal.
    static func problem(_ reply: amqp_rpc_reply_t) -> String? {
        switch reply.reply_type {
        case AMQP_RESPONSE_NORMAL:
            return nil
        case AMQP_RESPONSE_LIBRARY_EXCEPTION:
            return statusText(reply.library_error)
        case AMQP_RESPONSE_SERVER_EXCEPTION:
            guard let decoded = reply.reply.decoded else { return "server exception" }
            switch reply.reply.id {
            case AMQPMethod.connectionClose:
                let close = decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
                return "connection closed by the server: \(close.reply_code) \(string(close.reply_text))"
            case AMQPMethod.channelClose:
                let close = decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
                return "channel closed by the server: \(close.reply_code) \(string(close.reply_text))"
            default:
                return "server exception (method \(reply.reply.id))"
            }
        default:
            return "no reply"
        }
    }

    static func statusText(_ status: Int32) -> String {
        guard let text = amqp_error_string2(status) else { return "status \(status)" }
        return String(cString: text)
    }

    /// A `String` copy of AMQP bytes (invalid UTF-8 repaired).
    static func string(_ bytes: amqp_bytes_t) -> String {
        guard bytes.len > 0, let p = bytes.bytes else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: p, count: bytes.len), as: UTF8.self)
    }

    /// A `[UInt8]` copy of AMQP bytes.
    static func array(_ bytes: amqp_bytes_t) -> [UInt8] {
        guard bytes.len > 0, let p = bytes.bytes else { return [] }
        return Array(UnsafeRawBufferPointer(start: p, count: bytes.len))
    }

    /// A malloc'ed copy of `s` (rabbitmq-c keeps no pointer into Swift temporaries); release
    /// with ``free(_:)``.
    static func dup(_ s: String) -> amqp_bytes_t {
        var s = s
        return s.withUTF8 { buf in
            guard buf.count > 0, let base = buf.baseAddress else { return dab_amqp_empty_bytes() }
            return amqp_bytes_malloc_dup(amqp_bytes_t(len: buf.count, bytes: UnsafeMutableRawPointer(mutating: base)))
        }
    }

    static func free(_ b: amqp_bytes_t) {
        if b.len > 0 { amqp_bytes_free(b) }
    }

    static func timeval(_ d: Duration) -> timeval {
        let (s, atto) = d.components
        return Glibc.timeval(tv_sec: Int(s), tv_usec: Int(atto / 1_000_000_000_000))
    }

    /// Runs `body` with a client-properties table holding `connection_name`.
    private static func withConnectionName<R>(_ name: String, _ body: (UnsafePointer<amqp_table_t>) -> R) -> R {
        let key = dup("connection_name")
        let value = dup(name)
        defer {
            free(key)
            free(value)
        }
        var entry = amqp_table_entry_t()
        entry.key = key
        entry.value.kind = UInt8(AMQP_FIELD_KIND_UTF8.rawValue)
        entry.value.value.bytes = value
        return withUnsafeMutablePointer(to: &entry) { e in
            var table = amqp_table_t(num_entries: 1, entries: e)
            return withUnsafePointer(to: &table) { body($0) }
        }
    }
}
