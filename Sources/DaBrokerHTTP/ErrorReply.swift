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
        out.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += #"\""#.utf8
            case UInt8(ascii: "\\"): out += #"\\"#.utf8
            case 0x0A: out += #"\n"#.utf8
            case 0x0D: out += #"\r"#.utf8
            case 0x09: out += #"\t"#.utf8
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out += #"\u00"#.utf8
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
