/// Syntax-only looks at a message, for transports that move bytes and must not decode them:
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

    /// The integer value of the top-level key `key` of a JSON object, or nil when the key is
    /// absent, not an integer, or the text is not a JSON object.
    package func topLevelInteger(_ key: String, in bytes: [UInt8]) -> Int64? {
        bytes.withUnsafeBufferPointer { buffer -> Int64? in
            var tokenizer = JSONTokenizer(bytes: buffer, limits: limits)
            guard (try? tokenizer.run()) != nil else { return nil }
            let tokens = tokenizer.tokens
            guard let top = tokens.first, top.kind == .object else { return nil }
            let wanted = Array(key.utf8)
            var i = 1
            for _ in 0..<Int(top.count) {
                guard i + 1 < tokens.count else { return nil }
                let k = tokens[i]
                let v = tokens[i + 1]
                let name = buffer[Int(k.start)..<Int(k.end)]
                if !k.escaped, name.elementsEqual(wanted) {
                    guard v.kind == .int else { return nil }
                    return Int64(String(decoding: buffer[Int(v.start)..<Int(v.end)], as: UTF8.self))
                }
                i = Int(v.next)
            }
            return nil
        }
    }
}
