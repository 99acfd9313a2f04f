import DaBrokerCore

/// Parser of `amqp://user:pass@host:port/vhost` URLs (RabbitMQ's URI spec, without TLS).
enum AMQPURL {
    struct Parts: Equatable {
        var host = "localhost"
        var port = 5672
        var user = "guest"
        var password = "guest"
        var vhost = "/"
    }

    static func parse(_ url: String) throws(BrokerError) -> Parts {
        let scheme = "amqp://"
        guard url.lowercased().hasPrefix(scheme) else {
            throw .badRequest("AMQP URL '\(URLRedaction.redacted(url))' must start with amqp://")
        }
        var rest = Substring(url.dropFirst(scheme.count))
        var parts = Parts()
        if let q = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) { rest = rest[..<q] }
        var authority = rest
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            parts.vhost = try decode(rest[rest.index(after: slash)...], what: "vhost", url: url)
        }
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            authority = authority[authority.index(after: at)...]
            if let colon = userInfo.firstIndex(of: ":") {
                parts.user = try decode(userInfo[..<colon], what: "user", url: url)
                parts.password = try decode(userInfo[userInfo.index(after: colon)...], what: "password", url: url)
            } else {
                parts.user = try decode(userInfo, what: "user", url: url)
            }
        }
        var hostPart = authority
        if hostPart.hasPrefix("["), let close = hostPart.firstIndex(of: "]") {
            parts.host = String(hostPart[hostPart.index(after: hostPart.startIndex)..<close])
            hostPart = hostPart[hostPart.index(after: close)...]
            if hostPart.hasPrefix(":") { try parsePort(hostPart.dropFirst(), into: &parts, url: url) }
        } else if let colon = hostPart.lastIndex(of: ":") {
            if !hostPart[..<colon].isEmpty { parts.host = String(hostPart[..<colon]) }
            try parsePort(hostPart[hostPart.index(after: colon)...], into: &parts, url: url)
        } else if !hostPart.isEmpty {
            parts.host = try decode(hostPart, what: "host", url: url)
        }
        return parts
    }

    private static func parsePort(_ text: Substring, into parts: inout Parts, url: String) throws(BrokerError) {
        if text.isEmpty { return }
        guard let port = Int(text), (1...65535).contains(port) else {
            throw .badRequest("AMQP URL '\(URLRedaction.redacted(url))': port '\(text)' is not a number in 1...65535")
        }
        parts.port = port
    }

    /// Percent-decodes one URL component.
    static func decode(_ text: Substring, what: String, url: String) throws(BrokerError) -> String {
        var bytes: [UInt8] = []
        let utf8 = Array(text.utf8)
        var i = 0
        while i < utf8.count {
            let b = utf8[i]
            guard b == UInt8(ascii: "%") else {
                bytes.append(b)
                i += 1
                continue
            }
            guard i + 2 < utf8.count, let hi = hex(utf8[i + 1]), let lo = hex(utf8[i + 2])
            else {
                throw .badRequest("AMQP URL '\(URLRedaction.redacted(url))': bad percent escape in the \(what)")
            }
            bytes.append(hi << 4 | lo)
            i += 3
        }
        guard let s = String(validating: bytes, as: UTF8.self) else {
            throw .badRequest("AMQP URL '\(URLRedaction.redacted(url))': the \(what) is not UTF-8 once decoded")
        }
        return s
    }

    private static func hex(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): b - UInt8(ascii: "A") + 10
        default: nil
        }
    }

}
