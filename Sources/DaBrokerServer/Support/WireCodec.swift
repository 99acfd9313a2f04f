import DaBrokerCore

/// The server's use of the JSON codec (DaBrokerCore): requests in, replies and broadcasts
/// out, and the canonical bytes of a key for access codes.
enum WireCodec {
    static func decode(_ bytes: [UInt8]) throws -> Message {
        try InterimJSONCodec.decode(bytes)
    }

    static func encode(_ message: Message, sid: String) throws -> [UInt8] {
        try InterimJSONCodec.encode(message, sid: sid)
    }

    @Sendable static func canonicalKeyBytes(_ key: ObjectKey) -> [UInt8] {
        (try? InterimJSONCodec.encodeValue(.list(key.parts))) ?? []
    }
}
