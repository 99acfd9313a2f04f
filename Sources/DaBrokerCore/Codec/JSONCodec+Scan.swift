/// A syntax-only look at a message, for transports that move bytes and must not decode them:
/// the same tokenizer as the decoder (RFC 8259, UTF-8 checked, bounded by `CodecLimits`).
extension JSONCodec {
    /// Checks that `bytes` holds exactly one JSON object; throws `BadRequest` naming the byte
    /// offset and what was wrong.
    package func validateObject(_ bytes: [UInt8]) throws(BrokerError) {
        try bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(BrokerError) in
                let maxBytes = min(limits.maxMessageBytes, Int(Int32.max) - 1)
                guard buffer.count <= maxBytes else {
                    throw BrokerError.badRequest(
                        "message of \(buffer.count) bytes exceeds the limit of \(maxBytes) bytes")
                }
                var tokenizer = JSONTokenizer(bytes: buffer, limits: limits)
                try tokenizer.run()
                guard tokenizer.tokens.first?.kind == .object else {
                    throw BrokerError.badRequest("expected a JSON object ('{') at byte 0")
                }
            }
        }.get()
    }
}
