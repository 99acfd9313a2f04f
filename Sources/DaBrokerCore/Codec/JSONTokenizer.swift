/// Validates a JSON text (RFC 8259, UTF-8) and turns it into a flat token tape, without
/// recursion.
///
/// Strings are checked completely here (UTF-8, escapes, surrogate pairs, control
/// characters), numbers against the JSON grammar; the nesting depth, string length and
/// element count are bounded by `CodecLimits`. Errors are `BadRequest`s that name the byte
/// offset and what was expected.
struct JSONTokenizer {
    let bytes: UnsafeBufferPointer<UInt8>
    let maxDepth: Int
    let maxStringBytes: Int
    let maxTokens: Int
    private(set) var tokens: [JSONToken] = []
    /// Whether some object key may be `_oi` or `_or` (sharing is in use).
    private(set) var sawSharing = false
    private var pos = 0

    init(bytes: UnsafeBufferPointer<UInt8>, limits: CodecLimits) {
        self.bytes = bytes
        self.maxDepth = limits.effectiveDepth
        self.maxStringBytes = max(0, limits.maxStringBytes)
        self.maxTokens = max(1, limits.maxElements)
        tokens.reserveCapacity(min(bytes.count / 6 + 4, 1 << 16))
    }

    /// Tokenizes the whole input, which must hold exactly one JSON value.
    mutating func run() throws(BrokerError) {
        let n = bytes.count
        skipWhitespace()
        guard pos < n else { throw BrokerError.badRequest("empty message: expected a JSON object") }
        var stack: [Int] = []
        stack.reserveCapacity(16)
        outer: while true {
            guard pos < n else { throw fail("unexpected end of input, expected a value") }
            let b = bytes[pos]
            switch b {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let isObject = b == UInt8(ascii: "{")
                guard stack.count < maxDepth else {
                    throw fail("nesting deeper than the limit of \(maxDepth) levels")
                }
                let index = tokens.count
                try add(JSONToken(isObject ? .object : .array, start: pos, end: 0, next: 0))
                pos += 1
                skipWhitespace()
                if pos < n, bytes[pos] == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    pos += 1
                    close(index)
                } else {
                    stack.append(index)
                    if isObject { try key() }
                    continue outer
                }
            case UInt8(ascii: "\""):
                try string()
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                try number()
            case UInt8(ascii: "t"):
                try literal("true", .true)
            case UInt8(ascii: "f"):
                try literal("false", .false)
            case UInt8(ascii: "n"):
                try literal("null", .null)
            case UInt8(ascii: "N"), UInt8(ascii: "I"):
                throw fail("NaN and Infinity are not JSON numbers")
            default:
                throw fail("unexpected \(describe(b)), expected a value")
            }
            // A value is complete: it belongs to the innermost open container, if any.
            while let top = stack.last {
                tokens[top].count += 1
                skipWhitespace()
                guard pos < n else {
                    throw fail(
                        "unexpected end of input inside the \(kindName(top)) opened at byte \(tokens[top].start)")
                }
                let c = bytes[pos]
                let isObject = tokens[top].kind == .object
                if c == UInt8(ascii: ",") {
                    pos += 1
                    skipWhitespace()
                    if isObject { try key() }
                    continue outer
                }
                if c == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    pos += 1
                    close(top)
                    stack.removeLast()
                    continue
                }
                throw fail("unexpected \(describe(c)), expected ',' or '\(isObject ? "}" : "]")'")
            }
            break
        }
        skipWhitespace()
        guard pos == n else { throw fail("unexpected data after the end of the JSON value") }
    }

    // MARK: - Pieces

    @inline(__always) private mutating func add(_ token: JSONToken) throws(BrokerError) {
        guard tokens.count < maxTokens else {
            throw fail("more than the limit of \(maxTokens) elements")
        }
        tokens.append(token)
    }

    private mutating func close(_ index: Int) {
        tokens[index].end = Int32(truncatingIfNeeded: pos)
        tokens[index].next = Int32(truncatingIfNeeded: tokens.count)
    }

    /// An object key and its colon; leaves `pos` at the value.
    @inline(__always) private mutating func key() throws(BrokerError) {
        guard pos < bytes.count else { throw fail("unexpected end of input, expected an object key") }
        guard bytes[pos] == UInt8(ascii: "\"") else {
            throw fail("unexpected \(describe(bytes[pos])), expected a string as object key")
        }
        let t = try string()
        if t.escaped {
            sawSharing = true
        } else if t.end - t.start == 3, bytes[Int(t.start)] == UInt8(ascii: "_"),
            bytes[Int(t.start) + 1] == UInt8(ascii: "o")
        {
            let c = bytes[Int(t.start) + 2]
            if c == UInt8(ascii: "i") || c == UInt8(ascii: "r") { sawSharing = true }
        }
        skipWhitespace()
        guard pos < bytes.count, bytes[pos] == UInt8(ascii: ":") else {
            throw fail(
                pos < bytes.count
                    ? "unexpected \(describe(bytes[pos])), expected ':'" : "unexpected end of input, expected ':'")
        }
        pos += 1
        skipWhitespace()
    }

    private mutating func literal(_ word: StaticString, _ kind: JSONToken.Kind) throws(BrokerError) {
        let count = word.utf8CodeUnitCount
        guard pos + count <= bytes.count else { throw fail("truncated literal, expected '\(word)'") }
        let w = word.utf8Start
        for i in 0..<count where bytes[pos + i] != w[i] {
            throw fail("invalid literal, expected '\(word)'")
        }
        try add(JSONToken(kind, start: pos, end: pos + count, next: tokens.count + 1))
        pos += count
    }

    private mutating func number() throws(BrokerError) {
        let start = pos
        let n = bytes.count
        var isFloat = false
        if bytes[pos] == UInt8(ascii: "-") { pos += 1 }
        guard pos < n else { throw fail("truncated number") }
        if bytes[pos] == UInt8(ascii: "0") {
            pos += 1
            if pos < n, isDigit(bytes[pos]) { throw fail("number with a leading zero") }
        } else if isDigit(bytes[pos]) {
            while pos < n, isDigit(bytes[pos]) { pos += 1 }
        } else if bytes[pos] == UInt8(ascii: "I") {
            throw fail("NaN and Infinity are not JSON numbers")
        } else {
            throw fail("invalid number: expected a digit, found \(describe(bytes[pos]))")
        }
        if pos < n, bytes[pos] == UInt8(ascii: ".") {
            isFloat = true
            pos += 1
            guard pos < n, isDigit(bytes[pos]) else { throw fail("invalid number: expected a digit after '.'") }
            while pos < n, isDigit(bytes[pos]) { pos += 1 }
        }
        if pos < n, bytes[pos] | 0x20 == UInt8(ascii: "e") {
            isFloat = true
            pos += 1
            if pos < n, bytes[pos] == UInt8(ascii: "+") || bytes[pos] == UInt8(ascii: "-") { pos += 1 }
            guard pos < n, isDigit(bytes[pos]) else { throw fail("invalid number: expected a digit in the exponent") }
            while pos < n, isDigit(bytes[pos]) { pos += 1 }
        }
        guard pos - start <= 512 else {
            pos = start
            throw fail("number longer than 512 characters")
        }
        try add(JSONToken(isFloat ? .float : .int, start: start, end: pos, next: tokens.count + 1))
    }

    /// A string starting at the opening quote at `pos`; returns its token.
    @discardableResult
    @inline(__always) private mutating func string() throws(BrokerError) -> JSONToken {
        let open = pos
        let start = pos + 1
        let n = bytes.count
        let limit = maxStringBytes >= n - start ? n : start + maxStringBytes + 1
        var i = start
        var escaped = false
        while true {
            if let base = bytes.baseAddress { i = JSONString.plainEnd(base, from: i, to: limit, stopAtNonASCII: true) }
            guard i < limit else {
                pos = open
                if limit < n { throw fail("string longer than the limit of \(maxStringBytes) bytes") }
                throw fail("unterminated string")
            }
            let c = bytes[i]
            if c == UInt8(ascii: "\"") { break }
            if c == UInt8(ascii: "\\") {
                escaped = true
                i = try escape(at: i)
            } else if c < 0x20 {
                pos = i
                throw fail("control character \(describe(c)) inside a string (it must be escaped)")
            } else if c < 0x80 {
                i += 1
            } else {
                i = try utf8Sequence(at: i)
            }
        }
        let token = JSONToken(.string, start: start, end: i, next: tokens.count + 1, escaped: escaped)
        try add(token)
        pos = i + 1
        return token
    }

    /// Validates the escape sequence at `i` (a backslash); returns the index after it.
    private mutating func escape(at i: Int) throws(BrokerError) -> Int {
        guard i + 1 < bytes.count else {
            pos = i
            throw fail("unterminated escape sequence")
        }
        switch bytes[i + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return i + 2
        case UInt8(ascii: "u"):
            let unit = try hex4(at: i + 2)
            if unit >= 0xDC00 && unit <= 0xDFFF {
                pos = i
                throw fail("lone low surrogate \\u\(hexString(unit)) in a string")
            }
            if unit >= 0xD800 && unit <= 0xDBFF {
                var paired = false
                if i + 11 < bytes.count, bytes[i + 6] == UInt8(ascii: "\\"), bytes[i + 7] == UInt8(ascii: "u") {
                    let low = try hex4(at: i + 8)
                    paired = low >= 0xDC00 && low <= 0xDFFF
                }
                guard paired else {
                    pos = i
                    throw fail("lone high surrogate \\u\(hexString(unit)) in a string")
                }
                return i + 12
            }
            return i + 6
        default:
            pos = i
            throw fail("invalid escape sequence \\\(describeChar(bytes[i + 1])) in a string")
        }
    }

    private mutating func hex4(at i: Int) throws(BrokerError) -> UInt32 {
        guard i + 4 <= bytes.count else {
            pos = i
            throw fail("truncated \\u escape")
        }
        var v: UInt32 = 0
        for j in i..<(i + 4) {
            guard let d = hexValue(bytes[j]) else {
                pos = j
                throw fail("invalid hex digit \(describe(bytes[j])) in a \\u escape")
            }
            v = v << 4 | d
        }
        return v
    }

    /// Validates one multi-byte UTF-8 sequence at `i`; returns the index after it.
    private mutating func utf8Sequence(at i: Int) throws(BrokerError) -> Int {
        let b0 = bytes[i]
        let n = bytes.count
        var need: Int
        var lo: UInt8 = 0x80
        var hi: UInt8 = 0xBF
        switch b0 {
        case 0xC2...0xDF: need = 1
        case 0xE0:
            need = 2
            lo = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: need = 2
        case 0xED:
            need = 2
            hi = 0x9F
        case 0xF0:
            need = 3
            lo = 0x90
        case 0xF1...0xF3: need = 3
        case 0xF4:
            need = 3
            hi = 0x8F
        default:
            pos = i
            throw fail("invalid UTF-8 byte \(describe(b0)) in a string")
        }
        guard i + need < n else {
            pos = i
            throw fail("truncated UTF-8 sequence in a string")
        }
        var j = i + 1
        while need > 0 {
            let c = bytes[j]
            guard c >= lo && c <= hi else {
                pos = j
                throw fail("invalid UTF-8 sequence in a string (byte \(describe(c)))")
            }
            lo = 0x80
            hi = 0xBF
            j += 1
            need -= 1
        }
        return j
    }

    private mutating func skipWhitespace() {
        let n = bytes.count
        while pos < n {
            switch bytes[pos] {
            case 0x20, 0x0A, 0x0D, 0x09: pos += 1
            default: return
            }
        }
    }

    private func kindName(_ index: Int) -> String { tokens[index].kind == .object ? "object" : "array" }

    private func fail(_ what: String) -> BrokerError {
        BrokerError.badRequest("invalid JSON at byte \(pos): \(what)")
    }
}

@inline(__always) func isDigit(_ b: UInt8) -> Bool { b &- UInt8(ascii: "0") < 10 }

@inline(__always) func hexValue(_ b: UInt8) -> UInt32? {
    switch b {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(b &- UInt8(ascii: "0"))
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(b &- UInt8(ascii: "a") &+ 10)
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(b &- UInt8(ascii: "A") &+ 10)
    default: return nil
    }
}

func hexString(_ v: UInt32) -> String {
    let s = String(v, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, 4 - s.count)) + s
}

/// A byte as an error message shows it: `'x'` when printable ASCII, else `0xNN`.
func describe(_ b: UInt8) -> String {
    if b >= 0x21 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
    return "byte 0x" + String(b, radix: 16, uppercase: true)
}

private func describeChar(_ b: UInt8) -> String {
    if b >= 0x21 && b < 0x7F { return String(Character(Unicode.Scalar(b))) }
    return "(0x" + String(b, radix: 16, uppercase: true) + ")"
}
