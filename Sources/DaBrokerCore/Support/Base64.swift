/// The package's one base64: standard (RFC 4648 §4, with padding), as the `bin` wire type
/// uses it, and URL-safe (RFC 4648 §5, without padding), as access codes use it.
package enum Base64 {
    private static let alphabet: [UInt8] = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let urlSafeAlphabet: [UInt8] = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    private static let reverse: [UInt8] = {
        var r = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in alphabet.enumerated() { r[Int(c)] = UInt8(i) }
        return r
    }()

    /// The base64 text of `data`: standard with padding, or URL-safe without padding.
    package static func string(_ data: [UInt8], urlSafe: Bool = false) -> String {
        data.withUnsafeBytes { string($0, urlSafe: urlSafe) }
    }

    /// The base64 text of the bytes in `data` (an access code's MAC, without copying it out;
    /// its 12 characters fit a String without a heap allocation).
    package static func string(_ data: UnsafeRawBufferPointer, urlSafe: Bool = false) -> String {
        String(unsafeUninitializedCapacity: (data.count + 2) / 3 * 4) { write(data, into: $0, urlSafe: urlSafe) }
    }

    /// Appends the base64 text of `data` to `out`: standard with padding, or URL-safe without
    /// padding.
    package static func encode(_ data: [UInt8], into out: inout [UInt8], urlSafe: Bool = false) {
        data.withUnsafeBytes { encode($0, into: &out, urlSafe: urlSafe) }
    }

    /// Appends the base64 text of `data` to `out`: standard with padding, or URL-safe without
    /// padding.
    package static func encode(_ data: UnsafeRawBufferPointer, into out: inout [UInt8], urlSafe: Bool = false) {
        let start = out.count
        let room = (data.count + 2) / 3 * 4
        out.append(contentsOf: repeatElement(0, count: room))
        let written = out.withUnsafeMutableBufferPointer {
            write(data, into: UnsafeMutableBufferPointer(rebasing: $0[start...]), urlSafe: urlSafe)
        }
        out.removeLast(room - written)
    }

    /// Writes the base64 text of `data` at the start of `out` (room for `(count + 2) / 3 * 4`
    /// bytes); returns how many bytes it wrote.
    private static func write(
        _ data: UnsafeRawBufferPointer, into out: UnsafeMutableBufferPointer<UInt8>, urlSafe: Bool
    ) -> Int {
        let pad = !urlSafe
        return (urlSafe ? urlSafeAlphabet : alphabet).withUnsafeBufferPointer { a in
            var i = 0
            var o = 0
            let n = data.count
            func put(_ v: UInt32) {
                out[o] = a[Int(v & 63)]
                o += 1
            }
            while i + 3 <= n {
                let v = UInt32(data[i]) << 16 | UInt32(data[i + 1]) << 8 | UInt32(data[i + 2])
                put(v >> 18)
                put(v >> 12)
                put(v >> 6)
                put(v)
                i += 3
            }
            if n - i == 1 {
                let v = UInt32(data[i]) << 16
                put(v >> 18)
                put(v >> 12)
                if pad {
                    out[o] = UInt8(ascii: "=")
                    out[o + 1] = UInt8(ascii: "=")
                    o += 2
                }
            } else if n - i == 2 {
                let v = UInt32(data[i]) << 16 | UInt32(data[i + 1]) << 8
                put(v >> 18)
                put(v >> 12)
                put(v >> 6)
                if pad {
                    out[o] = UInt8(ascii: "=")
                    o += 1
                }
            }
            return o
        }
    }

    /// Decodes padded standard base64 text; `nil` if it is not valid.
    package static func decode(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let n = text.count
        guard n % 4 == 0 else { return nil }
        if n == 0 { return [] }
        var pad = 0
        if text[n - 1] == UInt8(ascii: "=") { pad += 1 }
        if text[n - 2] == UInt8(ascii: "=") { pad += 1 }
        var out = [UInt8]()
        out.reserveCapacity(n / 4 * 3)
        return reverse.withUnsafeBufferPointer { r -> [UInt8]? in
            var i = 0
            while i < n {
                let last = i + 4 == n
                let c0 = r[Int(text[i])]
                let c1 = r[Int(text[i + 1])]
                let c2 = last && pad == 2 ? 0 : r[Int(text[i + 2])]
                let c3 = last && pad >= 1 ? 0 : r[Int(text[i + 3])]
                if (c0 | c1 | c2 | c3) & 0xC0 != 0 { return nil }
                let v = UInt32(c0) << 18 | UInt32(c1) << 12 | UInt32(c2) << 6 | UInt32(c3)
                out.append(UInt8(v >> 16 & 0xFF))
                if !(last && pad == 2) { out.append(UInt8(v >> 8 & 0xFF)) }
                if !(last && pad >= 1) { out.append(UInt8(v & 0xFF)) }
                i += 4
            }
            return out
        }
    }
}
