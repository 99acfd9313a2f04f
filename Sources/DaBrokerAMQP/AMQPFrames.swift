import CRabbitMQ

#if canImport(Glibc)
    import Glibc
#endif

/// The AMQP 0-9-1 frames of one `basic.publish`, and of a `basic.ack` after it, written to the
/// socket with one `sendmsg`.
///
/// rabbitmq-c writes each frame with a `send` of its own: three for a publish, a fourth for
/// the ack of the request it answers. Here the frames' small parts (method and header frames,
/// the head and end of each body frame) are laid out in one buffer, the body stays where it
/// is, and all of it leaves in one system call, in as few TCP segments as its size allows.
/// rabbitmq-c's own encoders (`amqp_encode_method`, `amqp_encode_properties`) write the
/// methods' arguments and the properties, so the bytes are those `amqp_basic_publish` and
/// `amqp_basic_ack` send. Measured: about 10 µs less server CPU per echo; get-by-key and
/// find-50 within the machine's spread (docs/performance.md).
///
/// rabbitmq-c keeps no output buffer: between its calls the socket holds only whole frames,
/// so frames written here never interleave with its own (heartbeats, RPCs), which run under
/// the same session lock. Its heartbeat timer does not see these writes, so it sends a
/// heartbeat on its schedule even while messages flow: a few bytes a heartbeat interval.
struct AMQPFrames {
    /// The small parts, in order.
    private var control: [UInt8] = []
    /// What to send, in order: a range of ``control`` or of the body.
    private var pieces: [Piece] = []
    /// How much of ``control`` the pieces hold so far.
    private var covered = 0
    /// The message's body, which the body frames carry.
    private let body: [UInt8]

    private enum Piece {
        case control(Range<Int>)
        case body(Range<Int>)
    }

    /// The largest encoded arguments of a `basic.publish`: a short, two short strings, a bit.
    private static let publishArguments = 2 + 256 + 256 + 1
    /// The largest encoded arguments of a `basic.ack`: a long long and a bit.
    private static let ackArguments = 8 + 1
    /// The largest encoded properties: flags and four short strings.
    private static let propertyBytes = 2 + 4 * 256
    /// The type, channel and size that start every frame.
    private static let frameHead = 7
    private static let frameEnd = UInt8(AMQP_FRAME_END)

    /// The frames of `message` on `channel`, its body cut into frames of at most `frameMax`
    /// bytes (rabbitmq-c's `amqp_get_frame_max`), and then of a `basic.ack` of `ack`.
    /// Throws when rabbitmq-c cannot encode a field (a name over 255 bytes).
    init(
        publishing message: AMQPOutgoing?, ack deliveryTag: UInt64?, channel: amqp_channel_t, frameMax: Int
    ) throws(AMQPFailure) {
        body = message?.body ?? []
        // Sized once: a reply is built on every request's path.
        let bodyFrames = body.isEmpty ? 0 : (body.count - 1) / Self.bodyFrameSize(frameMax) + 1
        let publishBytes = 2 * (Self.frameHead + 1) + 4 + Self.publishArguments + 12 + Self.propertyBytes
        control.reserveCapacity(
            (message == nil ? 0 : publishBytes) + bodyFrames * (Self.frameHead + 1)
                + (deliveryTag == nil ? 0 : Self.frameHead + 1 + 4 + Self.ackArguments))
        pieces.reserveCapacity(2 * bodyFrames + 2)
        if let message { try addPublish(message, channel: channel, frameMax: frameMax) }
        if let deliveryTag {
            var ack = amqp_basic_ack_t(delivery_tag: deliveryTag, multiple: 0)
            let status = addMethod(AMQPMethod.basicAck, channel: channel, capacity: Self.ackArguments, &ack)
            guard status >= 0 else { throw Self.failure("basic.ack", status) }
        }
        coverControl()
    }

    /// Sends every frame on `fd`, waiting while the socket's buffer is full, as rabbitmq-c
    /// does; throws when the socket fails.
    func send(on fd: Int32) throws(AMQPFailure) {
        let failed: Int32 = control.withUnsafeBytes { control in
            body.withUnsafeBytes { body in
                var vectors = pieces.map { piece -> iovec in
                    let (base, range): (UnsafeRawPointer?, Range<Int>)
                    switch piece {
                    case .control(let r): (base, range) = (control.baseAddress, r)
                    case .body(let r): (base, range) = (body.baseAddress, r)
                    }
                    return iovec(
                        iov_base: base.map { UnsafeMutableRawPointer(mutating: $0.advanced(by: range.lowerBound)) },
                        iov_len: range.count)
                }
                return vectors.withUnsafeMutableBufferPointer { Self.sendAll(fd, $0) }
            }
        }
        if failed != 0 {
            throw AMQPFailure(description: "send to RabbitMQ: \(String(cString: strerror(failed)))")
        }
    }

    // MARK: Encoding

    private mutating func addPublish(_ message: AMQPOutgoing, channel: amqp_channel_t, frameMax: Int)
        throws(AMQPFailure)
    {
        let strings = [
            message.exchange, message.routingKey, AMQPOutgoing.contentType, AMQPOutgoing.contentEncoding,
            message.correlationID ?? "", message.replyTo ?? "",
        ]
        let status = Self.withBytes(strings) { b in
            var publish = amqp_basic_publish_t(
                ticket: 0, exchange: b[0], routing_key: b[1], mandatory: message.mandatory ? 1 : 0, immediate: 0)
            let method = addMethod(AMQPMethod.basicPublish, channel: channel, capacity: Self.publishArguments, &publish)
            guard method >= 0 else { return method }
            var props = amqp_basic_properties_t()
            props._flags = amqp_flags_t(AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_CONTENT_ENCODING_FLAG)
            props.content_type = b[2]
            props.content_encoding = b[3]
            if message.correlationID != nil {
                props._flags |= amqp_flags_t(AMQP_BASIC_CORRELATION_ID_FLAG)
                props.correlation_id = b[4]
            }
            if message.replyTo != nil {
                props._flags |= amqp_flags_t(AMQP_BASIC_REPLY_TO_FLAG)
                props.reply_to = b[5]
            }
            return addHeader(&props, bodySize: message.body.count, channel: channel)
        }
        guard status >= 0 else { throw Self.failure("a message to '\(message.routingKey)'", status) }
        let most = Self.bodyFrameSize(frameMax)
        var offset = 0
        while offset < message.body.count {
            let size = min(most, message.body.count - offset)
            appendFrameHead(type: AMQP_FRAME_BODY, channel: channel, size: size)
            coverControl()
            pieces.append(.body(offset..<offset + size))
            control.append(Self.frameEnd)
            offset += size
        }
    }

    /// The most body bytes one frame carries: `frameMax` less the frame's head and end.
    private static func bodyFrameSize(_ frameMax: Int) -> Int {
        frameMax > frameHead + 1 ? frameMax - frameHead - 1 : Int.max
    }

    /// Adds a content header frame; returns rabbitmq-c's status (negative) or the frame's size.
    private mutating func addHeader(
        _ props: inout amqp_basic_properties_t, bodySize: Int, channel: amqp_channel_t
    ) -> Int32 {
        let start = control.count
        appendFrameHead(type: AMQP_FRAME_HEADER, channel: channel, size: 0)
        appendBigEndian(UInt16(AMQP_BASIC_CLASS))
        appendBigEndian(UInt16(0))
        appendBigEndian(UInt64(bodySize))
        let encoded = withUnsafeMutablePointer(to: &props) { p in
            encode(capacity: Self.propertyBytes) { amqp_encode_properties(UInt16(AMQP_BASIC_CLASS), p, $0) }
        }
        guard encoded >= 0 else { return encoded }
        return finish(frameAt: start)
    }

    /// Adds a method frame; returns rabbitmq-c's status (negative) or the frame's size.
    private mutating func addMethod<T>(
        _ id: amqp_method_number_t, channel: amqp_channel_t, capacity: Int, _ arguments: inout T
    ) -> Int32 {
        let start = control.count
        appendFrameHead(type: AMQP_FRAME_METHOD, channel: channel, size: 0)
        appendBigEndian(UInt32(id))
        let encoded = withUnsafeMutablePointer(to: &arguments) { p in
            encode(capacity: capacity) { amqp_encode_method(id, p, $0) }
        }
        guard encoded >= 0 else { return encoded }
        return finish(frameAt: start)
    }

    /// Appends what a rabbitmq-c encoder writes into `capacity` bytes; returns its status.
    private mutating func encode(capacity: Int, _ encoder: (amqp_bytes_t) -> Int32) -> Int32 {
        let at = control.count
        control.append(contentsOf: repeatElement(0, count: capacity))
        let encoded = control.withUnsafeMutableBytes { buffer in
            guard let base = buffer.baseAddress else { return AMQP_STATUS_BAD_AMQP_DATA.rawValue }
            return encoder(amqp_bytes_t(len: capacity, bytes: base.advanced(by: at)))
        }
        control.removeLast(capacity - max(0, min(Int(encoded), capacity)))
        return encoded
    }

    /// Sets the size of the frame that starts at `start` and ends the frame; returns its size.
    private mutating func finish(frameAt start: Int) -> Int32 {
        let size = control.count - start - Self.frameHead
        withUnsafeBytes(of: UInt32(size).bigEndian) { bytes in
            for (i, byte) in bytes.enumerated() { control[start + 3 + i] = byte }
        }
        control.append(Self.frameEnd)
        return Int32(size)
    }

    /// Makes what ``control`` gained since the last piece a piece.
    private mutating func coverControl() {
        if covered < control.count { pieces.append(.control(covered..<control.count)) }
        covered = control.count
    }

    private mutating func appendFrameHead(type: Int32, channel: amqp_channel_t, size: Int) {
        control.append(UInt8(type))
        appendBigEndian(UInt16(channel))
        appendBigEndian(UInt32(size))
    }

    private mutating func appendBigEndian<I: FixedWidthInteger>(_ value: I) {
        withUnsafeBytes(of: value.bigEndian) { control.append(contentsOf: $0) }
    }

    /// Runs `body` with `strings` as rabbitmq-c bytes, valid only inside it.
    private static func withBytes<R>(_ strings: [String], _ body: ([amqp_bytes_t]) -> R) -> R {
        var joined: [UInt8] = []
        joined.reserveCapacity(strings.reduce(0) { $0 + $1.utf8.count })
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(strings.count)
        for s in strings {
            let start = joined.count
            joined.append(contentsOf: s.utf8)
            ranges.append(start..<joined.count)
        }
        return joined.withUnsafeMutableBytes { buffer in
            body(ranges.map { r in amqp_bytes_t(len: r.count, bytes: buffer.baseAddress?.advanced(by: r.lowerBound)) })
        }
    }

    private static func failure(_ what: String, _ status: Int32) -> AMQPFailure {
        AMQPFailure(description: "cannot encode \(what): \(AMQPSession.statusText(status))")
    }

    // MARK: Sending

    /// `IOV_MAX` on Linux: the most vectors one `sendmsg` takes.
    private static let mostVectors = 1024

    /// `sendmsg` until every vector is sent (at most `IOV_MAX` at a time); returns 0 or the
    /// `errno` that stopped it.
    private static func sendAll(_ fd: Int32, _ vectors: UnsafeMutableBufferPointer<iovec>) -> Int32 {
        guard let first = vectors.baseAddress else { return 0 }
        var index = 0
        while index < vectors.count {
            var header = msghdr()
            header.msg_iov = first.advanced(by: index)
            header.msg_iovlen = min(vectors.count - index, Self.mostVectors)
            let sent = sendmsg(fd, &header, Int32(MSG_NOSIGNAL))
            if sent < 0 {
                switch errno {
                case EINTR: continue
                case EAGAIN, EWOULDBLOCK:
                    var waiting = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&waiting, 1, -1)
                    continue
                default: return errno
                }
            }
            var left = sent
            while left > 0, index < vectors.count {
                if left >= vectors[index].iov_len {
                    left -= vectors[index].iov_len
                    index += 1
                } else {
                    vectors[index].iov_base = vectors[index].iov_base.map { $0.advanced(by: left) }
                    vectors[index].iov_len -= left
                    left = 0
                }
            }
            while index < vectors.count, vectors[index].iov_len == 0 { index += 1 }
        }
        return 0
    }
}
