import CRabbitMQ
import Foundation
import Synchronization
import Testing

@testable import DaBrokerAMQP

/// The frames ``AMQPFrames`` writes, read back from a socket pair and decoded with
/// rabbitmq-c's own decoders: what `amqp_basic_publish` and `amqp_basic_ack` would send.
@Suite struct AMQPFramesTests {
    /// One frame as read: its type, channel and payload.
    struct Frame {
        var type: Int32
        var channel: UInt16
        var payload: [UInt8]
    }

    @Test func aPublishAndItsAckDecodeAsRabbitMQCReadsThem() async throws {
        let body = (0..<1000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let message = AMQPOutgoing(
            exchange: "dab_alert", routingKey: "dab_queue", body: body, correlationID: "42",
            replyTo: "amq.rabbitmq.reply-to",
            mandatory: true)
        let frames = try await Self.roundTrip(message, ack: 9_000_000_001, frameMax: 131_072)
        try #require(frames.map(\.type) == [AMQP_FRAME_METHOD, AMQP_FRAME_HEADER, AMQP_FRAME_BODY, AMQP_FRAME_METHOD])
        #expect(frames.allSatisfy { $0.channel == 1 })

        #expect(
            Self.publish(frames[0])
                == Publish(exchange: "dab_alert", routingKey: "dab_queue", mandatory: true, immediate: false))

        let header = frames[1].payload
        #expect(Self.bigEndian(header[0..<2]) == UInt64(AMQP_BASIC_CLASS))
        #expect(Self.bigEndian(header[4..<12]) == UInt64(body.count))
        let props = try #require(Self.properties(frames[1]))
        #expect(props.contentType == AMQPOutgoing.contentType)
        #expect(props.contentEncoding == AMQPOutgoing.contentEncoding)
        #expect(props.correlationID == "42")
        #expect(props.replyTo == "amq.rabbitmq.reply-to")

        #expect(frames[2].payload == body)
        let ack = try #require(Self.ack(frames[3]))
        #expect(ack.tag == 9_000_000_001 && !ack.multiple)
    }

    /// A body longer than a frame is cut as rabbitmq-c cuts it (`frameMax` − 8 bytes a
    /// frame); thousands of frames need several `sendmsg` calls, and a small socket buffer
    /// makes them wait for the reader.
    @Test func aLongBodyIsCutIntoFramesAndSentWhole() async throws {
        let body = (0..<50_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 3) }
        let message = AMQPOutgoing(exchange: "", routingKey: "q", body: body)
        let frames = try await Self.roundTrip(message, ack: nil, frameMax: 24)
        let bodies = frames.dropFirst(2)
        #expect(bodies.count == (body.count + 15) / 16)
        #expect(bodies.allSatisfy { $0.type == AMQP_FRAME_BODY && $0.payload.count <= 16 })
        #expect(bodies.flatMap(\.payload) == body)
        let props = try #require(Self.properties(frames[1]))
        #expect(props.contentType == AMQPOutgoing.contentType && props.correlationID == nil && props.replyTo == nil)
        #expect(Self.publish(frames[0])?.mandatory == false)
    }

    @Test func anEmptyBodyHasNoBodyFrameAndAnAckAlone() async throws {
        let empty = try await Self.roundTrip(
            AMQPOutgoing(exchange: "", routingKey: "q", body: []), ack: nil, frameMax: 131_072)
        #expect(empty.map(\.type) == [AMQP_FRAME_METHOD, AMQP_FRAME_HEADER])
        #expect(Self.bigEndian(empty[1].payload[4..<12]) == 0)
        let ack = try await Self.roundTrip(nil, ack: 7, frameMax: 131_072)
        #expect(ack.map(\.type) == [AMQP_FRAME_METHOD])
        #expect(Self.ack(ack[0])?.tag == 7)
    }

    /// AMQP short strings hold at most 255 bytes: rabbitmq-c refuses to encode a longer
    /// name, and nothing is sent.
    @Test func aNameTooLongForAShortStringIsRefused() throws {
        let message = AMQPOutgoing(exchange: "", routingKey: String(repeating: "q", count: 256), body: [1])
        #expect(throws: AMQPFailure.self) {
            _ = try AMQPFrames(publishing: message, ack: nil, channel: 1, frameMax: 131_072)
        }
        let correlation = AMQPOutgoing(
            exchange: "", routingKey: "q", body: [1], correlationID: String(repeating: "c", count: 300))
        #expect(throws: AMQPFailure.self) {
            _ = try AMQPFrames(publishing: correlation, ack: nil, channel: 1, frameMax: 131_072)
        }
    }

    // MARK: Helpers

    /// Sends the frames on one end of a socket pair (non-blocking, with a small buffer) from
    /// a thread, reads them on another, and splits what came into frames, checking each one's
    /// end byte.
    static func roundTrip(_ message: AMQPOutgoing?, ack: UInt64?, frameMax: Int) async throws -> [Frame] {
        let frames = try AMQPFrames(publishing: message, ack: ack, channel: 1, frameMax: frameMax)
        var fds: [Int32] = [0, 0]
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        let (reader, writer) = (fds[0], fds[1])
        var small: Int32 = 4096
        _ = setsockopt(writer, SOL_SOCKET, SO_SNDBUF, &small, socklen_t(MemoryLayout<Int32>.size))
        _ = fcntl(writer, F_SETFL, fcntl(writer, F_GETFL) | O_NONBLOCK)
        let sendFailure = Mutex<AMQPFailure?>(nil)
        Thread {
            do throws(AMQPFailure) {
                try frames.send(on: writer)
            } catch {
                sendFailure.withLock { $0 = error }
            }
            close(writer)
        }.start()
        let bytes: [UInt8] = await withCheckedContinuation { done in
            Thread {
                var all: [UInt8] = []
                var buffer = [UInt8](repeating: 0, count: 1024)
                while true {
                    let n = read(reader, &buffer, buffer.count)
                    if n <= 0 { break }
                    all += buffer[0..<n]
                }
                close(reader)
                done.resume(returning: all)
            }.start()
        }
        try #require(sendFailure.withLock { $0 } == nil)
        var out: [Frame] = []
        var at = 0
        while at < bytes.count {
            try #require(bytes.count - at >= 8)
            let size = Int(bigEndian(bytes[at + 3..<at + 7]))
            try #require(at + 7 + size < bytes.count)
            #expect(bytes[at + 7 + size] == UInt8(AMQP_FRAME_END))
            out.append(
                Frame(
                    type: Int32(bytes[at]), channel: UInt16(bigEndian(bytes[at + 1..<at + 3])),
                    payload: Array(bytes[at + 7..<at + 7 + size])))
            at += 8 + size
        }
        return out
    }

    static func bigEndian(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }

    struct Publish: Equatable {
        var exchange: String
        var routingKey: String
        var mandatory: Bool
        var immediate: Bool
    }

    struct Properties: Equatable {
        var flags: amqp_flags_t
        var contentType: String?
        var contentEncoding: String?
        var correlationID: String?
        var replyTo: String?
    }

    /// The arguments of a `basic.publish` frame.
    static func publish(_ frame: Frame) -> Publish? {
        method(frame, AMQPMethod.basicPublish) { raw in
            let p = raw.assumingMemoryBound(to: amqp_basic_publish_t.self).pointee
            return Publish(
                exchange: AMQPSession.string(p.exchange), routingKey: AMQPSession.string(p.routing_key),
                mandatory: p.mandatory != 0, immediate: p.immediate != 0)
        }
    }

    /// The delivery tag and `multiple` bit of a `basic.ack` frame.
    static func ack(_ frame: Frame) -> (tag: UInt64, multiple: Bool)? {
        method(frame, AMQPMethod.basicAck) { raw in
            let a = raw.assumingMemoryBound(to: amqp_basic_ack_t.self).pointee
            return (a.delivery_tag, a.multiple != 0)
        }
    }

    /// The basic properties of a content header frame.
    static func properties(_ frame: Frame) -> Properties? {
        guard frame.type == AMQP_FRAME_HEADER, frame.payload.count >= 12 else { return nil }
        return decode(Array(frame.payload[12...])) { pool, bytes, out in
            amqp_decode_properties(UInt16(AMQP_BASIC_CLASS), pool, bytes, out)
        } read: { raw in
            let p = raw.assumingMemoryBound(to: amqp_basic_properties_t.self).pointee
            func text(_ flag: Int32, _ bytes: amqp_bytes_t) -> String? {
                p._flags & amqp_flags_t(flag) != 0 ? AMQPSession.string(bytes) : nil
            }
            return Properties(
                flags: p._flags, contentType: text(AMQP_BASIC_CONTENT_TYPE_FLAG, p.content_type),
                contentEncoding: text(AMQP_BASIC_CONTENT_ENCODING_FLAG, p.content_encoding),
                correlationID: text(AMQP_BASIC_CORRELATION_ID_FLAG, p.correlation_id),
                replyTo: text(AMQP_BASIC_REPLY_TO_FLAG, p.reply_to))
        }
    }

    private static func method<R>(
        _ frame: Frame, _ id: amqp_method_number_t, read: (UnsafeMutableRawPointer) -> R
    ) -> R? {
        guard frame.type == AMQP_FRAME_METHOD, frame.payload.count >= 4,
            bigEndian(frame.payload[0..<4]) == UInt64(id)
        else { return nil }
        return decode(
            Array(frame.payload[4...]), { pool, bytes, out in amqp_decode_method(id, pool, bytes, out) }, read: read)
    }

    /// Runs a rabbitmq-c decoder on `bytes` and `read` on what it decoded, while its pool lives.
    private static func decode<R>(
        _ bytes: [UInt8],
        _ decoder: (UnsafeMutablePointer<amqp_pool_t>, amqp_bytes_t, UnsafeMutablePointer<UnsafeMutableRawPointer?>)
            -> Int32,
        read: (UnsafeMutableRawPointer) -> R
    ) -> R? {
        var pool = amqp_pool_t()
        init_amqp_pool(&pool, 4096)
        defer { empty_amqp_pool(&pool) }
        var bytes = bytes
        var out: UnsafeMutableRawPointer?
        let status = bytes.withUnsafeMutableBytes { raw in
            decoder(&pool, amqp_bytes_t(len: raw.count, bytes: raw.baseAddress), &out)
        }
        guard status == 0, let out else { return nil }
        return read(out)
    }
}
