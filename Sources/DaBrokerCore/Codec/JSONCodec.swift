/// The DaBroker JSON wire codec: `Message` ⇄ bytes, compatible with the original Python
/// DaBroker's JSON codec (see `docs/protocol.md`).
///
/// Encoding cannot fail. Decoding is total: any byte string yields a `Message` or a
/// `BadRequest` error saying what was wrong and where; it never crashes, hangs or allocates
/// without bound (see `CodecLimits`). Both directions work on bytes directly, without
/// Foundation's JSON support.
public struct JSONCodec: Sendable {
    public var limits: CodecLimits
    /// How decimals are written (decoding reads both forms).
    public var decimals: DecimalEncoding

    public init(limits: CodecLimits = .default, decimals: DecimalEncoding = .exact) {
        self.limits = limits
        self.decimals = decimals
    }

    /// The wire bytes of a message (compact UTF-8 JSON).
    public func encode(_ message: Message) -> [UInt8] {
        encode(message, codes: nil)
    }

    /// The wire bytes of a message whose data's refs (objects' and infos' own refs included)
    /// are written with the access codes `codes` gives, in place of any they carry; the values
    /// an info caches travel as they are.
    public func encode(_ message: Message, codes: RefCodes) -> [UInt8] {
        encode(message, codes: .some(codes))
    }

    private func encode(_ message: Message, codes: RefCodes?) -> [UInt8] {
        var encoder = WireEncoder(decimals: decimals)
        encoder.codes = codes
        encoder.encode(message: message)
        return encoder.finish()
    }

    /// The wire JSON of a single value, as it appears in a message's `data`.
    public func encode(value: Value) -> [UInt8] {
        var encoder = WireEncoder(decimals: decimals)
        encoder.encode(value)
        return encoder.finish()
    }

    /// Decodes one message; throws `BadRequest` naming what was wrong.
    public func decode(_ bytes: [UInt8]) throws(BrokerError) -> Message {
        try bytes.withUnsafeBufferPointer { buf in Result { () throws(BrokerError) in try decode(buffer: buf) } }.get()
    }

    /// Decodes one message from a byte buffer; throws `BadRequest` naming what was wrong.
    public func decode(buffer: UnsafeBufferPointer<UInt8>) throws(BrokerError) -> Message {
        let tokenizer = try tokenize(buffer)
        var decoder = WireDecoder(bytes: buffer, tokens: tokenizer.tokens, limits: limits)
        return try decoder.decodeMessage(sharing: tokenizer.sawSharing)
    }

    /// Decodes the wire JSON of a single value (no envelope; `_oi`/`_or` within the value
    /// are honoured).
    public func decode(value bytes: [UInt8]) throws(BrokerError) -> Value {
        try bytes.withUnsafeBufferPointer { buf in
            Result { () throws(BrokerError) -> Value in
                let tokenizer = try tokenize(buf)
                var decoder = WireDecoder(bytes: buf, tokens: tokenizer.tokens, limits: limits)
                if tokenizer.sawSharing { try decoder.collectDefinitions() }
                return try decoder.decodeValue(0, depth: 1)
            }
        }.get()
    }

    private func tokenize(_ buffer: UnsafeBufferPointer<UInt8>) throws(BrokerError) -> JSONTokenizer {
        let maxBytes = min(limits.maxMessageBytes, Int(Int32.max) - 1)
        guard buffer.count <= maxBytes else {
            throw BrokerError.badRequest(
                "message of \(buffer.count) bytes exceeds the limit of \(maxBytes) bytes")
        }
        var tokenizer = JSONTokenizer(bytes: buffer, limits: limits)
        try tokenizer.run()
        return tokenizer
    }
}
