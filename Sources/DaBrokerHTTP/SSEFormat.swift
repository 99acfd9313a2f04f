import NIOCore

/// Server-sent event framing for the `GET /events` stream.
enum SSEFormat {
    /// One broadcast: `id: <msgid>` and the message JSON as a single `data:` line.
    static func event(id: Int64, data: [UInt8]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(data.count + 32)
        buffer.writeString("id: \(id)\ndata: ")
        // JSON has raw line breaks only as whitespace between tokens: blank them so the
        // message stays on one `data:` line.
        if data.contains(where: { $0 == 0x0A || $0 == 0x0D }) {
            buffer.writeBytes(data.map { $0 == 0x0A || $0 == 0x0D ? 0x20 : $0 })
        } else {
            buffer.writeBytes(data)
        }
        buffer.writeString("\n\n")
        return buffer
    }

    /// A control event (`ready` or `resync`) carrying the last broadcast id.
    static func control(_ name: String, id: Int64, instance: String, reason: String? = nil) -> ByteBuffer {
        var json = Array(#"{"instance":"#.utf8)
        ErrorReply.appendString(instance, to: &json)
        json += #","last":\#(id)"#.utf8
        if let reason {
            json += #","reason":"#.utf8
            ErrorReply.appendString(reason, to: &json)
        }
        json.append(UInt8(ascii: "}"))
        var buffer = ByteBuffer(string: "event: \(name)\nid: \(id)\ndata: ")
        buffer.writeBytes(json)
        buffer.writeString("\n\n")
        return buffer
    }
}
