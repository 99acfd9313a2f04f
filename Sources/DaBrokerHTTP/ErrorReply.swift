import DaBrokerCore

/// The protocol's error reply, built by the transport for requests it turns away before
/// they reach the broker (bad token, wrong content type, oversize or malformed body,
/// overload): `{"error":{"_o":"exc","_t":TYPE,"_r":MESSAGE}}`.
enum ErrorReply {
    /// The encoded error message for `kind` with the human-readable `message`.
    static func encode(_ kind: BrokerError.Kind, _ message: String) -> [UInt8] {
        var out = Array(#"{"error":{"_o":"exc","_t":""#.utf8)
        out += kind.rawValue.utf8
        out += #"","_r":"#.utf8
        appendString(message, to: &out)
        out += "}}".utf8
        return out
    }

    /// Appends `string` as a JSON string literal.
    static func appendString(_ string: String, to out: inout [UInt8]) {
        JSONString.append(string, to: &out)
    }
}
