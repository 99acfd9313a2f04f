/// A small, allocation-free JSON syntax checker for message bodies.
///
/// The HTTP transport moves bytes and leaves decoding to the broker, but it must turn away
/// bodies that are not a JSON object at all (with HTTP 400) and find a broadcast's top-level
/// `msgid` without decoding the whole message. Both need only a syntax walk, done here.
struct JSONScanner {
    /// What was wrong with a body, with the byte offset where the walk stopped.
    struct SyntaxError: Error, CustomStringConvertible {
        var reason: String
        var offset: Int
        var description: String { "\(reason) at byte \(offset)" }
    }

    private let bytes: [UInt8]
    private var index = 0
    private let maxDepth: Int

    init(_ bytes: [UInt8], maxDepth: Int = 256) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    /// Checks that `bytes` holds exactly one JSON object (surrounding whitespace allowed).
    static func validateObject(_ bytes: [UInt8]) throws(SyntaxError) {
        var scanner = JSONScanner(bytes)
        scanner.skipWhitespace()
        guard scanner.peek == UInt8(ascii: "{") else {
            throw scanner.fail("expected a JSON object ('{')")
        }
        try scanner.skipValue(depth: 0)
        scanner.skipWhitespace()
        guard scanner.index == bytes.count else { throw scanner.fail("unexpected data after the JSON object") }
    }

    /// The integer value of the top-level key `key` of a JSON object, or nil when the key is
    /// absent, not an integer, or the text is not a JSON object.
    static func topLevelInteger(_ key: String, in bytes: [UInt8]) -> Int64? {
        var scanner = JSONScanner(bytes)
        return try? scanner.findTopLevelInteger(Array(key.utf8))
    }

    private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    private func fail(_ reason: String) -> SyntaxError { SyntaxError(reason: reason, offset: index) }

    private mutating func skipWhitespace() {
        while let b = peek, b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { index += 1 }
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws(SyntaxError) {
        skipWhitespace()
        guard peek == byte else { throw fail("expected \(what)") }
        index += 1
    }

    private mutating func findTopLevelInteger(_ key: [UInt8]) throws(SyntaxError) -> Int64? {
        try expect(UInt8(ascii: "{"), "'{'")
        skipWhitespace()
        if peek == UInt8(ascii: "}") { return nil }
        while true {
            skipWhitespace()
            let keyStart = index + 1
            try skipString()
            let matches = bytes[keyStart..<(index - 1)].elementsEqual(key)
            try expect(UInt8(ascii: ":"), "':'")
            skipWhitespace()
            let valueStart = index
            try skipValue(depth: 1)
            if matches {
                return Int64(String(decoding: bytes[valueStart..<index], as: UTF8.self))
            }
            skipWhitespace()
            guard let b = peek else { throw fail("unterminated object") }
            index += 1
            if b == UInt8(ascii: "}") { return nil }
            guard b == UInt8(ascii: ",") else { throw fail("expected ',' or '}'") }
        }
    }

    private mutating func skipValue(depth: Int) throws(SyntaxError) {
        skipWhitespace()
        guard let b = peek else { throw fail("unexpected end of data") }
        switch b {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            guard depth < maxDepth else { throw fail("nesting deeper than \(maxDepth)") }
            try skipContainer(isObject: b == UInt8(ascii: "{"), depth: depth + 1)
        case UInt8(ascii: "\""):
            try skipString()
        case UInt8(ascii: "t"): try skipLiteral("true")
        case UInt8(ascii: "f"): try skipLiteral("false")
        case UInt8(ascii: "n"): try skipLiteral("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            try skipNumber()
        default:
            throw fail("unexpected character")
        }
    }

    private mutating func skipContainer(isObject: Bool, depth: Int) throws(SyntaxError) {
        let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
        index += 1
        skipWhitespace()
        if peek == close {
            index += 1
            return
        }
        while true {
            if isObject {
                skipWhitespace()
                guard peek == UInt8(ascii: "\"") else { throw fail("expected a string key") }
                try skipString()
                try expect(UInt8(ascii: ":"), "':'")
            }
            try skipValue(depth: depth)
            skipWhitespace()
            guard let b = peek else { throw fail("unterminated \(isObject ? "object" : "array")") }
            index += 1
            if b == close { return }
            guard b == UInt8(ascii: ",") else { throw fail("expected ',' or '\(Character(Unicode.Scalar(close)))'") }
        }
    }

    private mutating func skipString() throws(SyntaxError) {
        guard peek == UInt8(ascii: "\"") else { throw fail("expected a string") }
        index += 1
        while let b = peek {
            index += 1
            if b == UInt8(ascii: "\"") { return }
            if b < 0x20 { throw fail("control character in string") }
            if b == UInt8(ascii: "\\") {
                guard peek != nil else { break }
                index += 1
            }
        }
        throw fail("unterminated string")
    }

    private mutating func skipLiteral(_ literal: StaticString) throws(SyntaxError) {
        let count = literal.utf8CodeUnitCount
        let matches = literal.withUTF8Buffer { lit in
            index + count <= bytes.count && bytes[index..<(index + count)].elementsEqual(lit)
        }
        guard matches else { throw fail("invalid literal") }
        index += count
    }

    private mutating func skipNumber() throws(SyntaxError) {
        let start = index
        if peek == UInt8(ascii: "-") { index += 1 }
        var digits = 0
        while let b = peek,
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) || b == UInt8(ascii: ".")
                || b == UInt8(ascii: "e") || b == UInt8(ascii: "E") || b == UInt8(ascii: "+") || b == UInt8(ascii: "-")
        {
            if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) { digits += 1 }
            index += 1
        }
        if digits == 0 {
            index = start
            throw fail("invalid number")
        }
    }
}
