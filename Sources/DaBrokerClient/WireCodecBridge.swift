import DaBrokerCore

/// The one place where the client touches the JSON codec's API.
enum WireCodecBridge {
    static let codec = JSONCodec()

    static func encode(_ message: Message) -> [UInt8] {
        codec.encode(message)
    }

    /// The message and the `sid` of its envelope (absent from original DaBroker servers).
    static func decode(_ bytes: [UInt8]) throws -> (Message, sid: String?) {
        let message = try codec.decode(bytes)
        if case .string(let sid)? = message.extras["sid"] { return (message, sid) }
        return (message, nil)
    }
}
