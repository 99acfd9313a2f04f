import DaBrokerCore

/// The one place where the client touches the JSON codec's API.
enum WireCodecBridge {
    static let codec = JSONCodec()

    static func encode(_ message: Message) -> [UInt8] {
        codec.encode(message)
    }

    static func decode(_ bytes: [UInt8]) throws -> Message {
        try codec.decode(bytes)
    }
}
