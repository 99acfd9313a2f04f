import DaBrokerCore
import OrderedCollections

/// The client's view of the wire: requests out, replies and broadcasts in, through the
/// JSON codec of `DaBrokerCore`.
enum ClientWire {
    /// A decoded reply envelope.
    struct Reply: Sendable {
        var data: Value
        var error: BrokerError?
        /// The id of the last broadcast the server had sent when it answered.
        var msgid: Int64?
        /// The answering server instance; `nil` from servers that do not send it.
        var sid: String?
    }

    /// A decoded broadcast envelope.
    struct Broadcast: Sendable {
        /// The invalidation it carries, if it is an `invalid_key` broadcast.
        var invalidation: Invalidation?
        var msgid: Int64?
        var sid: String?
    }

    /// What an `invalid_key` broadcast invalidates.
    struct Invalidation: Sendable, Hashable {
        /// The changed object; `nil` when an object was created.
        var key: ObjectKey?
        /// The changed object's info (its table).
        var meta: ObjectKey?
        /// Whether changes were missed: every cached row of the table must go.
        var resync = false

        /// Reads a broadcast's data: `nil` for a broadcast other than `invalid_key`; throws
        /// `BadRequest` for a malformed `invalid_key`.
        init?(_ data: Value) throws {
            guard case .dict(let d) = data, d["_m"] == .string(InvalidKeyBroadcast.method) else { return nil }
            let broadcast = try InvalidKeyBroadcast(from: data)
            key = broadcast.key?.key
            meta = broadcast.meta.key
            resync = broadcast.resync
        }
    }

    /// Builds a request payload: method, optional target, positional and named arguments
    /// (named ones in name order, so equal requests encode equally).
    static func request(
        _ method: String, target: Ref? = nil, arguments: [Value] = [], named: [String: Value] = [:],
        classLevel: Bool = false
    ) -> Value {
        var ordered = OrderedDictionary<String, Value>(minimumCapacity: named.count)
        for name in named.keys.sorted() { ordered[name] = named[name] }
        return Request(method: method, target: target, args: arguments, named: ordered, classLevel: classLevel).value
    }

    static func encode(request: Value) -> [UInt8] {
        WireCodecBridge.encode(Message(data: request))
    }

    static func decodeReply(_ bytes: [UInt8]) throws -> Reply {
        let message = try WireCodecBridge.decode(bytes)
        return Reply(data: message.data, error: message.error, msgid: message.msgid, sid: message.sid)
    }

    static func decodeBroadcast(_ bytes: [UInt8]) throws -> Broadcast {
        let message = try WireCodecBridge.decode(bytes)
        return Broadcast(invalidation: try Invalidation(message.data), msgid: message.msgid, sid: message.sid)
    }
}
