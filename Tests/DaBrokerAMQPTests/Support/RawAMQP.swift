import CRabbitMQ
import Foundation

@testable import DaBrokerAMQP

/// A message as a raw librabbitmq consumer sees it: where it was published and its properties.
struct RawMessage: Sendable {
    var exchange: String
    var routingKey: String
    var properties: [String: String]
    var body: [UInt8]
}

/// Raw librabbitmq helpers for the interop tests (no transport code on the receiving side).
enum RawAMQP {
    /// The next message on the session's consumers, or `nil` after `timeout` seconds.
    static func next(_ session: borrowing AMQPSession, timeout: Int = 5) -> RawMessage? {
        var envelope = amqp_envelope_t()
        var tv = timeval(tv_sec: timeout, tv_usec: 0)
        amqp_maybe_release_buffers(session.state)
        let reply = amqp_consume_message(session.state, &envelope, &tv, 0)
        guard reply.reply_type == AMQP_RESPONSE_NORMAL else { return nil }
        defer { amqp_destroy_envelope(&envelope) }
        let p = envelope.message.properties
        var props: [String: String] = [:]
        func take(_ flag: Int32, _ name: String, _ value: amqp_bytes_t) {
            if p._flags & amqp_flags_t(flag) != 0 { props[name] = AMQPSession.string(value) }
        }
        take(AMQP_BASIC_CONTENT_TYPE_FLAG, "content_type", p.content_type)
        take(AMQP_BASIC_CONTENT_ENCODING_FLAG, "content_encoding", p.content_encoding)
        take(AMQP_BASIC_CORRELATION_ID_FLAG, "correlation_id", p.correlation_id)
        take(AMQP_BASIC_REPLY_TO_FLAG, "reply_to", p.reply_to)
        if p._flags & amqp_flags_t(AMQP_BASIC_DELIVERY_MODE_FLAG) != 0 { props["delivery_mode"] = "\(p.delivery_mode)" }
        if p._flags & amqp_flags_t(AMQP_BASIC_HEADERS_FLAG) != 0 { props["headers"] = "present" }
        return RawMessage(
            exchange: AMQPSession.string(envelope.exchange), routingKey: AMQPSession.string(envelope.routing_key),
            properties: props, body: AMQPSession.array(envelope.message.body))
    }
}

/// The captured messages of the original DaBroker (`shared/protocol/dabroker-wire-examples.json`,
/// found by walking up from this file, or under `DABROKER_SHARED_DIR`).
enum CapturedWire {
    struct RPC: Sendable {
        var step: String
        var requestBody: [UInt8]
        var requestProperties: [String: String]
        var replyProperties: [String: String]
        var replyBody: [UInt8]
    }

    static func path() -> String? {
        let name = "protocol/dabroker-wire-examples.json"
        if let dir = ProcessInfo.processInfo.environment["DABROKER_SHARED_DIR"] { return dir + "/" + name }
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("shared/" + name).path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            dir.deleteLastPathComponent()
        }
        return nil
    }

    /// Every captured RPC and the broadcast properties.
    static func load() throws -> (rpcs: [RPC], broadcast: [String: String], broadcastExchange: String, key: String) {
        guard let path = path(), let data = FileManager.default.contents(atPath: path),
            let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let steps = root["steps"] as? [[String: Any]]
        else { throw AMQPFailure(description: "wire examples not found") }
        var rpcs: [RPC] = []
        var broadcast: [String: String] = [:]
        var exchange = ""
        var key = ""
        for step in steps {
            let name = step["step"] as? String ?? "?"
            for rpc in step["rpcs"] as? [[String: Any]] ?? [] {
                guard let request = rpc["request"] as? [String: Any], let reply = rpc["reply"] as? [String: Any]
                else { continue }
                rpcs.append(
                    RPC(
                        step: name, requestBody: Array((request["body"] as? String ?? "").utf8),
                        requestProperties: request["properties"] as? [String: String] ?? [:],
                        replyProperties: reply["properties"] as? [String: String] ?? [:],
                        replyBody: Array((reply["body"] as? String ?? "").utf8)))
            }
            for b in step["broadcasts"] as? [[String: Any]] ?? [] {
                broadcast = b["properties"] as? [String: String] ?? [:]
                exchange = b["exchange"] as? String ?? ""
                key = b["routing_key"] as? String ?? ""
            }
        }
        return (rpcs, broadcast, exchange, key)
    }
}
