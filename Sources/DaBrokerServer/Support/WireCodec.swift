import DaBrokerCore

/// The server's use of the JSON codec: requests in, replies and broadcasts out, and the
/// canonical bytes of a key for access codes.
enum WireCodec {
    static let codec = JSONCodec()

    static func decode(_ bytes: [UInt8]) throws -> Message {
        try codec.decode(bytes)
    }

    /// Replies and broadcasts, with decimals as the configuration says
    /// (``BrokerServerConfiguration/decimals``); a reply's refs get their access codes from
    /// `codes` as they are written.
    static func encode(_ message: Message, decimals: DecimalEncoding, codes: RefCodes? = nil) throws -> [UInt8] {
        let codec = JSONCodec(decimals: decimals)
        guard let codes else { return codec.encode(message) }
        return codec.encode(message, codes: codes)
    }

    /// The codec's encoding of the key as a list (deterministic, and the same whatever
    /// ``BrokerServerConfiguration/decimals`` says, so that codes do not depend on it); the
    /// encoder hands ``RefCodes`` the same bytes.
    @Sendable static func canonicalKeyBytes(_ key: ObjectKey) -> [UInt8] {
        codec.encode(value: .list(key.parts))
    }
}
