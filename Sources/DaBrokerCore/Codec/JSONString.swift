/// Writes JSON string literals as bytes: the one escaper of the codec, the HTTP transport's
/// own replies and the REST face.
package enum JSONString {
    /// Whether `a` and `b` hold the same UTF-8 bytes (they are then written alike; `==` on
    /// `String` also calls canonically equivalent strings equal).
    package static func sameBytes(_ a: String, _ b: String) -> Bool {
        let result = a.utf8.withContiguousStorageIfAvailable { x in
            b.utf8.withContiguousStorageIfAvailable { y in
                x.count == y.count && x.elementsEqual(y)
            }
        }
        return (result ?? nil) ?? a.utf8.elementsEqual(b.utf8)
    }

    /// Appends `s` as a JSON string literal: quotes, backslashes and control characters
    /// escaped, everything else copied as UTF-8. With `escapingMetaPrefix`, a string starting
    /// with `_o` is written `_o_…` (how the wire escapes dict keys that would read as a type tag).
    package static func append(_ s: String, to out: inout [UInt8], escapingMetaPrefix: Bool = false) {
        if let done: Void = s.utf8.withContiguousStorageIfAvailable({
            append($0, to: &out, escapingMetaPrefix: escapingMetaPrefix)
        }) {
            return done
        }
        var copy = s
        copy.withUTF8 { append($0, to: &out, escapingMetaPrefix: escapingMetaPrefix) }
    }

    private static func append(_ u: UnsafeBufferPointer<UInt8>, to out: inout [UInt8], escapingMetaPrefix: Bool) {
        out.append(UInt8(ascii: "\""))
        var run = 0
        if escapingMetaPrefix, u.count >= 2, u[0] == UInt8(ascii: "_"), u[1] == UInt8(ascii: "o") {
            out += "_o_".utf8
            run = 2
        }
        var i = run
        while let base = u.baseAddress, i < u.count {
            i = plainEnd(base, from: i, to: u.count, stopAtNonASCII: false)
            guard i < u.count else { break }
            let c = u[i]
            if i > run { out.append(contentsOf: UnsafeBufferPointer(rebasing: u[run..<i])) }
            switch c {
            case UInt8(ascii: "\""): out += #"\""#.utf8
            case UInt8(ascii: "\\"): out += #"\\"#.utf8
            case 0x0A: out += #"\n"#.utf8
            case 0x0D: out += #"\r"#.utf8
            case 0x09: out += #"\t"#.utf8
            case 0x08: out += #"\b"#.utf8
            case 0x0C: out += #"\f"#.utf8
            default:
                out += #"\u00"#.utf8
                out.append(hexDigit(c >> 4))
                out.append(hexDigit(c & 0xF))
            }
            i += 1
            run = i
        }
        if u.count > run { out.append(contentsOf: UnsafeBufferPointer(rebasing: u[run..<u.count])) }
        out.append(UInt8(ascii: "\""))
    }

    /// The index of the first byte of `base[i..<end]` that a JSON string cannot hold as it
    /// is (a quote, a backslash or a control character; with `stopAtNonASCII`, also any byte
    /// of a multi-byte UTF-8 sequence), or `end`. Looks at eight bytes at a time: most text
    /// has none of these bytes.
    @inline(__always)
    package static func plainEnd(
        _ base: UnsafePointer<UInt8>, from start: Int, to end: Int, stopAtNonASCII: Bool
    ) -> Int {
        let raw = UnsafeRawPointer(base)
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        var i = start
        while i &+ 8 <= end {
            let x = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            // The high bit of a byte is set here if that byte, or one before it in the word,
            // is below 0x20, a quote or a backslash (the classic "has zero byte" test, which
            // never misses one), or, with stopAtNonASCII, if the byte is 0x80 or above.
            let quote = x ^ (ones &* 0x22)
            let backslash = x ^ (ones &* 0x5C)
            var special = (x &- ones &* 0x20) & ~x
            special |= (quote &- ones) & ~quote
            special |= (backslash &- ones) & ~backslash
            if stopAtNonASCII { special |= x }
            if special & highs != 0 { break }
            i &+= 8
        }
        while i < end {
            let c = base[i]
            if c < 0x20 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") || (stopAtNonASCII && c >= 0x80) {
                return i
            }
            i &+= 1
        }
        return end
    }

    /// The lowercase hexadecimal digit of `v` (0–15).
    @inline(__always) package static func hexDigit(_ v: UInt8) -> UInt8 {
        v < 10 ? UInt8(ascii: "0") + v : UInt8(ascii: "a") + v - 10
    }
}
