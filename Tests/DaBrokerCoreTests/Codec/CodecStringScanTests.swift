import Testing

@testable import DaBrokerCore

/// The eight-bytes-at-a-time string scan (`JSONString.plainEnd`) and the one-pass member
/// lookup of typed values, against what they replace: byte-by-byte checks and lookups by
/// unescaped key text.
@Suite("Codec: string scan and typed members")
struct CodecStringScanTests {
    let codec = JSONCodec()

    /// The bytes that end a plain run, and some that do not, around the tested ranges' edges.
    static let interesting: [UInt8] = [0x00, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x5B, 0x5C, 0x5D, 0x7F, 0x80, 0xC3, 0xFF]

    @Test("plainEnd finds the first special byte at every position of runs of 0 to 40 bytes")
    func plainEndMatchesByteScan() {
        var generator = SplitMix64(seed: 22)
        for length in 0...40 {
            for _ in 0..<60 {
                var bytes = (0..<length).map { _ in UInt8.random(in: 0x23...0x5B, using: &generator) }
                // Zero to two interesting bytes at random places.
                for _ in 0..<Int.random(in: 0...2, using: &generator) where length > 0 {
                    bytes[Int.random(in: 0..<length, using: &generator)] =
                        Self.interesting.randomElement(using: &generator) ?? 0
                }
                for stopAtNonASCII in [false, true] {
                    let expected =
                        bytes.firstIndex { c in
                            c < 0x20 || c == 0x22 || c == 0x5C || (stopAtNonASCII && c >= 0x80)
                        } ?? length
                    let start = length > 0 ? Int.random(in: 0...min(expected, length), using: &generator) : 0
                    let found = bytes.withUnsafeBufferPointer { buffer in
                        guard let base = buffer.baseAddress else { return 0 }
                        return JSONString.plainEnd(base, from: start, to: length, stopAtNonASCII: stopAtNonASCII)
                    }
                    #expect(found == expected, "bytes \(bytes) from \(start), stopAtNonASCII \(stopAtNonASCII)")
                }
            }
        }
    }

    @Test("strings with a special character at every position survive encode → decode")
    func specialCharacterAtEveryPosition() throws {
        let specials = ["\"", "\\", "\n", "\u{1F}", "\u{7F}", "é", "€", "😀", "\u{0}"]
        for length in 0...24 {
            for position in 0...length {
                for special in specials {
                    let plain = String(repeating: "a", count: length)
                    var text = plain
                    text.insert(contentsOf: special, at: text.index(text.startIndex, offsetBy: position))
                    let message = Message(data: .string(text))
                    #expect(try codec.decode(codec.encode(message)) == message, "\(length) \(position) \(special)")
                }
            }
        }
    }

    @Test("a raw control character or bad UTF-8 byte is refused at every position of a string")
    func rawBadByteAtEveryPosition() {
        for length in 1...24 {
            for position in 0..<length {
                for (bad, says) in [(UInt8(0x01), "control character"), (UInt8(0xFF), "invalid UTF-8")] {
                    var text = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                    text[position] = bad
                    let bytes = Array(#"{"data":""#.utf8) + text + Array(#""}"#.utf8)
                    do {
                        _ = try codec.decode(bytes)
                        Issue.record("accepted a string with byte \(bad) at \(position) of \(length)")
                    } catch {
                        #expect(error.kind == .badRequest && error.message.contains(says), "\(error)")
                        #expect(error.message.contains("at byte \(9 + position)"), "\(error)")
                    }
                }
            }
        }
    }

    @Test("members of LIST, Ref and Obj may be written with escapes")
    func escapedMemberNames() throws {
        let list = try codec.decode(Array(#"{"data":{"_o":"LIST","\u005fd":[1,2]}}"#.utf8))
        #expect(list.data == .list([.int(1), .int(2)]))
        let ref = try codec.decode(Array(#"{"data":{"_o":"Ref","\u006b":["a",1],"\u0063":"xyz"}}"#.utf8))
        #expect(ref.data == .ref(Ref(key: ObjectKey(["a", 1]), code: "xyz")))
        let object = try codec.decode(
            Array(#"{"data":{"_o":"Obj","k":["a",1],"c":"xyz","\u0066":{"n":5},"\u0072":{}}}"#.utf8))
        guard case .object(let o) = object.data else {
            Issue.record("not an object: \(object.data)")
            return
        }
        #expect(o.ref == Ref(key: ObjectKey(["a", 1]), code: "xyz"))
        #expect(o.fields["n"] == .int(5))
        #expect(o.refs.isEmpty)
    }
}
