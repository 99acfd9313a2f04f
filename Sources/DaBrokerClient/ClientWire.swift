import DaBrokerCore

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

        /// Reads an `invalid_key` payload; `nil` for any other broadcast.
        init?(_ data: Value) {
            guard case .dict(let d) = data, d["_m"] == .string("invalid_key") else { return nil }
            key = Self.key(d["_key"])
            meta = Self.key(d["_meta"])
        }

        private static func key(_ value: Value?) -> ObjectKey? {
            switch value {
            case .ref(let ref): return ref.key
            case .object(let object): return object.ref.key
            case .info(let info): return info.ref.key
            case .list(let parts): return ObjectKey(parts)
            default: return nil
            }
        }
    }

    /// Builds a request payload: method, optional target, positional and named arguments.
    static func request(
        _ method: String, target: Ref? = nil, arguments: [Value] = [], named: [String: Value] = [:],
        classLevel: Bool = false
    ) -> Value {
        var d: OrderedDictionaryOfValues = [:]
        d["_m"] = .string(method)
        if let target { d["_o"] = .ref(target) }
        if !arguments.isEmpty { d["_a"] = .list(arguments) }
        if classLevel { d["_mt"] = .bool(true) }
        for name in named.keys.sorted() {
            if let value = named[name] { d[name] = value }
        }
        return .dict(d)
    }

    static func encode(request: Value) throws -> [UInt8] {
        try WireCodecBridge.encode(Message(data: request))
    }

    static func decodeReply(_ bytes: [UInt8]) throws -> Reply {
        let (message, sid) = try WireCodecBridge.decode(bytes)
        return Reply(data: message.data, error: message.error, msgid: message.msgid, sid: sid)
    }

    static func decodeBroadcast(_ bytes: [UInt8]) throws -> Broadcast {
        let (message, sid) = try WireCodecBridge.decode(bytes)
        return Broadcast(invalidation: Invalidation(message.data), msgid: message.msgid, sid: sid)
    }
}
