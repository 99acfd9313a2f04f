import DaBrokerCore

/// The opaque cursor of a keyset page: the last row's order values, signed with the server's
/// secret and bound to the query it came from.
///
/// A cursor is `payload.signature`, both URL-safe base64 without padding: the payload is the
/// JSON codec's encoding of the value list, the signature the first 16 bytes of
/// HMAC-SHA256(secret, purpose ‖ binding ‖ payload), where the binding is the canonical bytes
/// of the table and query (conditions, filters, order; not the limit). So a client can neither
/// forge the values (to reach rows by guessing) nor reuse a cursor with another query.
struct QueryCursor {
    let codes: AccessCodes
    /// The canonical bytes of the query the cursor belongs to.
    let binding: [UInt8]

    private static let purpose = Array("dabroker-cursor-v1\u{0}".utf8)
    private static let codec = JSONCodec()

    /// The cursor after a row whose order values are `values`.
    func token(after values: [Value]) -> String {
        let payload = Self.codec.encode(value: .list(values))
        return Base64.string(payload, urlSafe: true).trimmingPadding + "."
            + Base64.string(signature(payload), urlSafe: true).trimmingPadding
    }

    /// The order values a cursor holds; `BadRequest` when it was not made for this query by
    /// this server (tampered, truncated, another query's).
    func values(_ token: String, count: Int, method: String) throws -> [Value] {
        let refused = BrokerError.badRequest("\(method): the cursor (_after) is not valid for this query")
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let payload = Self.decode(parts[0]), let given = Self.decode(parts[1]),
            ConstantTime.equal(given, signature(payload))
        else { throw refused }
        guard case .list(let values)? = try? Self.codec.decode(value: payload), values.count == count else {
            throw refused
        }
        return values
    }

    private func signature(_ payload: [UInt8]) -> [UInt8] {
        var bytes = Self.purpose
        bytes += Array(String(binding.count).utf8) + [0]
        bytes += binding
        bytes += payload
        return Array(codes.signature(of: bytes).prefix(16))
    }

    /// URL-safe unpadded base64 back to bytes; nil when it is not base64.
    private static func decode(_ text: Substring) -> [UInt8]? {
        guard text.utf8.count < 1 << 16 else { return nil }
        var standard = Array(text.utf8).map { c -> UInt8 in
            switch c {
            case UInt8(ascii: "-"): return UInt8(ascii: "+")
            case UInt8(ascii: "_"): return UInt8(ascii: "/")
            default: return c
            }
        }
        guard !standard.contains(UInt8(ascii: "=")) else { return nil }
        while standard.count % 4 != 0 { standard.append(UInt8(ascii: "=")) }
        return standard.withUnsafeBufferPointer { Base64.decode($0) }
    }
}

extension String {
    /// The text without trailing `=` (base64 padding).
    fileprivate var trimmingPadding: String {
        var s = self
        while s.hasSuffix("=") { s.removeLast() }
        return s
    }
}
