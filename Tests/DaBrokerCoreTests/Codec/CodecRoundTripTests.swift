import DaBrokerCore
import OrderedCollections
import Testing

@Suite("Codec: property-based round trips")
struct CodecRoundTripTests {
    let codec = JSONCodec()

    @Test("random Value trees survive encode → decode", arguments: [1, 2, 3, 4] as [UInt64])
    func randomValues(seed: UInt64) throws {
        var gen = ValueGenerator(seed: seed)
        for n in 0..<1000 {
            let value = gen.value(depth: 4)
            let message = Message(data: value, msgid: gen.chance(50) ? Int64(n) : nil)
            let bytes = codec.encode(message)
            let decoded = try codec.decode(bytes)
            #expect(decoded == message, "seed \(seed) case \(n): \(String(decoding: bytes, as: UTF8.self))")
            if decoded != message { return }
        }
    }

    @Test("random errors and envelope extras survive encode → decode")
    func randomErrors() throws {
        var gen = ValueGenerator(seed: 99)
        for n in 0..<300 {
            var details: [String: String] = [:]
            for _ in 0..<gen.int(0...3) {
                let k = gen.key()
                if k != "_t" && k != "_r" && k != "_o" && k != "_oi" { details[k] = gen.string() }
            }
            let kind = BrokerError.Kind.allCases[gen.int(0...(BrokerError.Kind.allCases.count - 1))]
            let error = BrokerError(kind, gen.string(), details: details)
            let message = Message(
                msgid: Int64(n), error: error, extras: gen.chance(50) ? ["include": .null, "tb": ["a", "b"]] : [:])
            #expect(try codec.decode(codec.encode(message)) == message)
        }
    }

    @Test("an object occurring twice is sent once with _oi and referenced by _or")
    func sharedObjects() throws {
        var gen = ValueGenerator(seed: 7)
        for _ in 0..<200 {
            var object = gen.object(depth: 1)
            object.ref.key = ObjectKey(["sql", "shared", 1])
            object.fields = ["n": .int(Int64(gen.int(0...9))), "s": .string(gen.string()), "_or": .date(gen.date())]
            var description = gen.info()
            description.ref.key = ObjectKey(["sql", "shared"])
            let shared = Value.object(object)
            let info = Value.info(description)
            let value: Value = [shared, .dict(["inner": shared, "info": info]), info, shared]
            let bytes = codec.encode(Message(data: value))
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(text.components(separatedBy: "\"_or\":").count == 4, "\(text)")
            #expect(text.components(separatedBy: "\"_oi\":").count == 3, "\(text)")
            #expect(try codec.decode(bytes).data == value)
        }
    }

    @Test("objects with the same key but different contents are not shared")
    func sameKeyDifferentObjects() throws {
        let a = ObjectValue(ref: Ref(key: ObjectKey(["sql", "t", 1])), fields: ["v": 1], refs: ["_meta": nil])
        var b = a
        b.fields["v"] = 2
        let bytes = codec.encode(Message(data: [.object(a), .object(b)]))
        #expect(!String(decoding: bytes, as: UTF8.self).contains("_or"))
        #expect(try codec.decode(bytes).data == [.object(a), .object(b)])
        // A repeat of the earlier of two versions is still found and shared, the later one
        // is written out whole.
        let repeated = codec.encode(Message(data: [.object(a), .object(b), .object(a), .object(b)]))
        let text = String(decoding: repeated, as: UTF8.self)
        #expect(text.components(separatedBy: "\"_or\":").count == 3, "\(text)")
        #expect(text.components(separatedBy: "\"_oi\":").count == 3, "\(text)")
        #expect(try codec.decode(repeated).data == [.object(a), .object(b), .object(a), .object(b)])
    }

    /// The encoder copies the text of a ref that repeats the last one; keys that Swift
    /// calls equal but that are written differently (Unicode normalisation) must each keep
    /// their own text.
    @Test("repeated refs are written alike; refs equal only up to normalisation are not")
    func repeatedRefText() throws {
        let meta = Ref(key: ObjectKey(["sql", "t"]), code: "abcdefghijkl")
        let composed = Ref(key: ObjectKey(["sql", "t", "\u{E9}"]), code: "c")
        let decomposed = Ref(key: ObjectKey(["sql", "t", "e\u{301}"]), code: "c")
        #expect("\u{E9}" == "e\u{301}")  // Swift's String equality: the reason for the care
        let value: Value = [.ref(meta), .ref(meta), .ref(composed), .ref(decomposed), .ref(Ref(key: meta.key))]
        let text = String(decoding: codec.encode(value: value), as: UTF8.self)
        let metaText = #"{"_o":"Ref","k":{"_o":"LIST","_d":["sql","t"]},"c":"abcdefghijkl"}"#
        #expect(text.components(separatedBy: metaText).count == 3, "\(text)")
        guard case .list(let back) = try codec.decode(value: codec.encode(value: value)) else {
            Issue.record("not a list")
            return
        }
        #expect(back.count == 5)
        let scalars = back[2...3].map { v -> [Unicode.Scalar] in
            guard case .ref(let r) = v, case .string(let s) = r.key.parts[2] else { return [] }
            return Array(s.unicodeScalars)
        }
        #expect(scalars == [["\u{E9}"], ["e", "\u{301}"]])
        #expect(back[4] == .ref(Ref(key: meta.key)))
    }

    /// A dict whose keys are written as the last dict's starts from that dict's keys; every
    /// other dict is decoded key by key. Either way each gets its own values, in its own order,
    /// and a repeated key is still refused.
    @Test("dicts in a row that share their key texts decode to their own values")
    func dictsSharingKeyTexts() throws {
        let text = #"""
            [{"a":1,"b":"x"},{"a":2,"b":"y"},{"b":3,"a":4},{"\u0061":5,"b":6},{"a":7,"b":{"a":8,"b":9}},
             {"a":10,"b":11,"c":12},{"a":13},{"_oi":1,"a":14,"b":15},{"a":16,"b":17},{"_or":1}]
            """#
        let decoded = try codec.decode(value: Array(text.utf8))
        let expected: Value = [
            .dict(["a": 1, "b": "x"]), .dict(["a": 2, "b": "y"]), .dict(["b": 3, "a": 4]), .dict(["a": 5, "b": 6]),
            .dict(["a": 7, "b": .dict(["a": 8, "b": 9])]), .dict(["a": 10, "b": 11, "c": 12]), .dict(["a": 13]),
            .dict(["a": 14, "b": 15]), .dict(["a": 16, "b": 17]), .dict(["a": 14, "b": 15]),
        ]
        #expect(decoded == expected)
        guard case .list(let back) = decoded, case .dict(let third) = back[2] else {
            Issue.record("not a list of dicts")
            return
        }
        #expect(Array(third.keys) == ["b", "a"])
        let repeated = #"[{"a":1,"b":2},{"a":3,"a":4}]"#
        #expect(throws: BrokerError.self) { try codec.decode(value: Array(repeated.utf8)) }
    }

    /// Objects in a row with the same ref names: each gets its own refs (null ones too), and
    /// a value that is not a ref is refused in the second object as in the first.
    @Test("objects in a row with the same ref names decode to their own refs")
    func objectsSharingRefNames() throws {
        let meta = Ref(key: ObjectKey(["sql", "t", "meta"]), code: "m")
        let objects: [Value] = (1...6).map { (n: Int64) -> Value in
            let up = n % 2 == 0 ? nil : Ref(key: ObjectKey(["sql", "u", .int(n * 10)]), code: "u")
            return .object(
                ObjectValue(
                    ref: Ref(key: ObjectKey(["sql", "t", .int(n)]), code: "c\(n)"), fields: ["n": .int(n)],
                    refs: ["_meta": meta, "up": up]))
        }
        let value = Value.list(objects)
        #expect(try codec.decode(value: codec.encode(value: value)) == value)
        let bad = #"""
            [{"_o":"Obj","k":["sql","t",1],"f":{},"r":{"_meta":null,"up":null}},
             {"_o":"Obj","k":["sql","t",2],"f":{},"r":{"_meta":null,"up":5}}]
            """#
        let error = #expect(throws: BrokerError.self) { try codec.decode(value: Array(bad.utf8)) }
        #expect(error?.message.contains("r['up'] must be a Ref or null") == true)
    }

    /// Objects are shared (`_or`) only when written alike: `==` calls strings equal that
    /// differ in Unicode normalisation, and the copy must come back with its own text.
    @Test("objects equal only up to Unicode normalisation are not shared")
    func normalisationIsNotSharing() throws {
        func object(_ keyText: String, _ field: String) -> Value {
            .object(
                ObjectValue(
                    ref: Ref(key: ObjectKey(["sql", "t", .string(keyText)]), code: "c"), fields: ["v": .string(field)],
                    refs: ["_meta": nil]))
        }
        let pairs: [(Value, Value)] = [
            (object("\u{E9}", "x"), object("e\u{301}", "x")),  // keys
            (object("k", "\u{E9}"), object("k", "e\u{301}")),  // a field
        ]
        #expect(Value.string("\u{E9}") == Value.string("e\u{301}"))  // why the encoder compares text
        for (a, b) in pairs {
            let bytes = codec.encode(value: [a, b, b])
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(text.components(separatedBy: "\"_or\":").count == 2, "\(text)")  // b's repeat only
            guard case .list(let back) = try codec.decode(value: bytes), back.count == 3 else {
                Issue.record("not a list of 3: \(text)")
                continue
            }
            #expect(codec.encode(value: back[0]) == codec.encode(value: a))
            #expect(codec.encode(value: back[1]) == codec.encode(value: b))
            #expect(codec.encode(value: back[2]) == codec.encode(value: b))
        }
    }

    @Test("an object holding a ref to itself or an ancestor round-trips as a Ref")
    func ancestorRefs() throws {
        let parentRef = Ref(key: ObjectKey(["sql", "parent", 1]), code: "P")
        let child = ObjectValue(
            ref: Ref(key: ObjectKey(["sql", "child", 2]), code: "C"), fields: ["up": .ref(parentRef)],
            refs: ["_meta": Ref(key: ObjectKey(["sql", "child"])), "parent": parentRef])
        let parent = ObjectValue(
            ref: parentRef, fields: ["self": .ref(parentRef), "child": .object(child)],
            refs: ["_meta": Ref(key: ObjectKey(["sql", "parent"]))])
        let message = Message(data: .object(parent), msgid: 3)
        #expect(try codec.decode(codec.encode(message)) == message)
    }
}
