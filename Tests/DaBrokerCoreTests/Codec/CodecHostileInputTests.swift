import DaBrokerCore
import Foundation
import Testing

/// Malformed and hostile inputs: each must give `BadRequest` with a specific message, and
/// nothing worse (no crash, no hang, no unbounded allocation).
@Suite("Codec: hostile input")
struct CodecHostileInputTests {
    struct Case: CustomStringConvertible, Sendable {
        var name: String
        var bytes: [UInt8]
        /// A fragment the error message must contain.
        var says: String
        var limits = CodecLimits.default
        var description: String { name }
    }

    static func c(_ name: String, _ text: String, _ says: String) -> Case {
        Case(name: name, bytes: Array(text.utf8), says: says)
    }

    static func data(_ name: String, _ value: String, _ says: String) -> Case {
        c(name, #"{"data":"# + value + "}", says)
    }

    static func b(_ name: String, _ bytes: [UInt8], _ says: String) -> Case {
        Case(name: name, bytes: bytes, says: says)
    }

    /// A message exercising every construct, whose every proper prefix is invalid.
    static let rich: [UInt8] = {
        let obj = ObjectValue(
            ref: Ref(key: ObjectKey(["sql", "t", 1]), code: "c"),
            fields: [
                "s": "é\"\n😀", "d": .decimal("1.5"), "b": .bytes([1, 2]), "n": nil, "x": 1.25, "j": .json("[1]"),
            ],
            refs: ["_meta": Ref(key: ObjectKey(["sql", "t"])), "o": nil])
        let info = InfoValue(
            ref: Ref(key: ObjectKey(["sql", "t"])),
            info: BrokeredInfo(name: "t", fields: [Field("s")], calls: [Callable("go", cached: true)]),
            meta: Ref(key: .metaRoot))
        let value: Value = [
            .object(obj), .object(obj), .info(info), .date(DateValue(year: 2020, month: 1, day: 2)),
            .timestamp(TimestampValue(microsecondsSinceEpoch: 5, utcOffset: 60)), .uuid(UUID()),
            .interval(IntervalValue(months: 1)), .time(TimeValue(hour: 1, minute: 2, second: 3)), true, false,
        ]
        return JSONCodec().encode(Message(data: value, msgid: 7))
    }()

    static let corpus: [Case] = {
        var cases: [Case] = []
        // Truncated JSON: many prefixes of a rich message.
        let step = max(1, rich.count / 90)
        for n in stride(from: 1, to: rich.count, by: step) {
            cases.append(b("prefix of \(n) bytes", Array(rich[0..<n]), "invalid JSON"))
        }
        cases += [
            c("empty input", "", "empty message"),
            c("only whitespace", " \n\t ", "empty message"),
            b("byte order mark", [0xEF, 0xBB, 0xBF] + Array("{}".utf8), "unexpected byte 0xEF"),
            c("top-level array", "[1]", "must be a JSON object"),
            c("top-level string", #""x""#, "must be a JSON object"),
            c("top-level null", "null", "must be a JSON object"),
            c("trailing garbage", #"{"data":1} x"#, "after the end"),
            c("two objects", #"{"data":1}{}"#, "after the end"),
            c("unclosed object", #"{"data":1"#, "end of input"),
            c("unclosed array", #"{"data":[1,2"#, "end of input"),
            c("missing colon", #"{"data" 1}"#, "expected ':'"),
            c("missing comma", #"{"data":1 "msgid":2}"#, "expected ','"),
            c("trailing comma in object", #"{"data":1,}"#, "expected a string as object key"),
            c("trailing comma in array", #"{"data":[1,]}"#, "expected a value"),
            c("single quotes", "{'data':1}", "expected a string as object key"),
            c("unquoted key", "{data:1}", "expected a string as object key"),
            c("bare word", #"{"data":hello}"#, "expected a value"),
            c("True", #"{"data":True}"#, "expected a value"),
            c("truncated true", #"{"data":tru"#, "literal"),
            c("misspelt null", #"{"data":nul}"#, "literal"),
            c("comment", #"{"data":1 /* x */}"#, "expected ','"),
            // Numbers.
            c("NaN", #"{"data":NaN}"#, "NaN and Infinity"),
            c("Infinity", #"{"data":Infinity}"#, "NaN and Infinity"),
            c("-Infinity", #"{"data":-Infinity}"#, "NaN and Infinity"),
            c("leading zero", #"{"data":01}"#, "leading zero"),
            c("plus sign", #"{"data":+1}"#, "expected a value"),
            c("lone minus", #"{"data":-}"#, "expected a digit"),
            c("dot without digits", #"{"data":1.}"#, "after '.'"),
            c("leading dot", #"{"data":.5}"#, "expected a value"),
            c("empty exponent", #"{"data":1e}"#, "exponent"),
            c("hex number", #"{"data":0x10}"#, "expected ','"),
            c("Int64.max + 1", #"{"data":9223372036854775808}"#, "outside the 64-bit integer range"),
            c("Int64.min - 1", #"{"data":-9223372036854775809}"#, "outside the 64-bit integer range"),
            c("huge integer", #"{"data":123456789012345678901234567890}"#, "outside the 64-bit integer range"),
            c("big msgid", #"{"data":1,"msgid":99999999999999999999}"#, "outside the 64-bit integer range"),
            c("double overflow", #"{"data":1e400}"#, "outside the range of a double"),
            c("negative double overflow", #"{"data":-1.5e309}"#, "outside the range of a double"),
            c("600-digit number", #"{"data":"# + String(repeating: "7", count: 600) + "}", "longer than 512"),
            // Strings and escapes.
            c("unterminated string", #"{"data":"abc"#, "unterminated string"),
            c("raw newline in string", "{\"data\":\"a\nb\"}", "control character"),
            c("raw tab in string", "{\"data\":\"a\tb\"}", "control character"),
            c("invalid escape", #"{"data":"\x41"}"#, "invalid escape"),
            c("short unicode escape", #"{"data":"\u12"}"#, "invalid hex digit"),
            c("non-hex unicode escape", #"{"data":"\uZZZZ"}"#, "invalid hex digit"),
            c("escape at end", #"{"data":"\"#, "unterminated"),
            c("lone high surrogate", #"{"data":"\ud800"}"#, "lone high surrogate"),
            c("lone low surrogate", #"{"data":"\udc00"}"#, "lone low surrogate"),
            c("high surrogate then letter", #"{"data":"\ud800\u0041"}"#, "lone high surrogate"),
            c("high surrogate then text", #"{"data":"\ud83dxxxxxx"}"#, "lone high surrogate"),
            c("two high surrogates", #"{"data":"\ud83d\ud83d"}"#, "lone high surrogate"),
            c("surrogate in key", #"{"\udfff":1}"#, "lone low surrogate"),
        ]
        // Invalid UTF-8, inside strings and outside.
        let badUTF8: [(String, [UInt8])] = [
            ("continuation byte", [0x80]), ("overlong slash", [0xC0, 0xAF]), ("overlong 2-byte", [0xC1, 0xBF]),
            ("overlong 3-byte", [0xE0, 0x80, 0xAF]), ("encoded surrogate", [0xED, 0xA0, 0x80]),
            ("overlong 4-byte", [0xF0, 0x80, 0x80, 0xAF]), ("above U+10FFFF", [0xF4, 0x90, 0x80, 0x80]),
            ("F5 lead byte", [0xF5, 0x80, 0x80, 0x80]), ("FF byte", [0xFF]), ("FE byte", [0xFE]),
            ("truncated 2-byte", [0xC3]), ("truncated 3-byte", [0xE2, 0x82]), ("truncated 4-byte", [0xF0, 0x9F, 0x98]),
            ("bad second byte", [0xC3, 0x28]), ("bad third byte", [0xE2, 0x82, 0x28]),
        ]
        for (name, seq) in badUTF8 {
            cases.append(
                b("invalid UTF-8 in string: \(name)", Array(#"{"data":"a"#.utf8) + seq + Array(#"b"}"#.utf8), "UTF-8"))
            cases.append(b("invalid UTF-8 in key: \(name)", Array(#"{""#.utf8) + seq + Array(#"":1}"#.utf8), "UTF-8"))
        }
        cases.append(
            b(
                "invalid UTF-8 outside strings", Array(#"{"data":"#.utf8) + [0xC3, 0xA9] + [0x7D],
                "unexpected byte 0xC3"))
        cases += [
            // Envelope.
            c("duplicate envelope key", #"{"data":1,"data":2}"#, "duplicate key 'data'"),
            c("msgid as string", #"{"data":1,"msgid":"1"}"#, "msgid must be an integer"),
            c("msgid as float", #"{"data":1,"msgid":1.5}"#, "msgid must be an integer"),
            c("error as string", #"{"error":"boom"}"#, "error must be an object"),
            c("error without exc tag", #"{"error":{"_t":"NoData","_r":"x"}}"#, "error must be an object"),
            c("error without type", #"{"error":{"_o":"exc","_r":"x"}}"#, "without its type"),
            c("error type not a string", #"{"error":{"_o":"exc","_t":5}}"#, "must be a string"),
            c("error detail not a string", #"{"error":{"_o":"exc","_t":"NoData","k":[1]}}"#, "must be a string"),
            c("duplicate error key", #"{"error":{"_o":"exc","_t":"NoData","_t":"X"}}"#, "duplicate key '_t'"),
            c("cache not an array", #"{"data":1,"cache":{}}"#, "cache must be an array"),
            c("cache entry without _oi", #"{"data":1,"cache":[{"a":1}]}"#, "cache entry"),
            c("cache entry scalar", #"{"data":1,"cache":[1]}"#, "cache entry"),
            // Duplicate keys.
            c("duplicate key in dict", #"{"data":{"a":1,"a":2}}"#, "duplicate key 'a'"),
            c("duplicate key via escape", #"{"data":{"a":1,"\u0061":2}}"#, "duplicate key 'a'"),
            c("duplicate escaped _o key", #"{"data":{"_o_":1,"_o_":2}}"#, "duplicate key '_o'"),
            c("duplicate key in Ref", #"{"data":{"_o":"Ref","k":["a"],"k":["b"]}}"#, "duplicate key 'k'"),
            c("duplicate _o", #"{"data":{"_o":"Ref","_o":"Obj","k":["a"]}}"#, "duplicate key '_o'"),
            c("duplicate key in Obj", #"{"data":{"_o":"Obj","k":["a"],"f":{},"f":{}}}"#, "duplicate key 'f'"),
            c("duplicate escaped key in Ref", #"{"data":{"_o":"Ref","k":["a"],"\u006b":["b"]}}"#, "duplicate key 'k'"),
            c("duplicate _d in LIST", #"{"data":{"_o":"LIST","_d":[1],"_d":[2]}}"#, "duplicate key '_d'"),
            c("duplicate other key in Obj", #"{"data":{"_o":"Obj","k":["a"],"x":1,"x":2}}"#, "duplicate key 'x'"),
            c("duplicate key in nested dict", #"{"data":{"x":{"y":{"b":1,"b":1}}}}"#, "duplicate key 'b'"),
            c(
                "duplicate descriptor", infoData(#""fields":{"a":{"_o":"_F","name":"a"},"a":{"_o":"_F","name":"a"}}"#),
                "duplicate key 'a'"),
            c("duplicate in Info f", infoData(#""name":"T""#), "duplicate key 'name'"),
            // Unescaped _o keys and unknown tags.
            data("unescaped _o key", #"{"_ox":1}"#, "not escaped"),
            data("unknown tag", #"{"_o":"Foo"}"#, "unknown _o tag 'Foo'"),
            data("lower-case list tag", #"{"_o":"list","_d":[]}"#, "unknown _o tag 'list'"),
            data("empty tag", #"{"_o":""}"#, "unknown _o tag ''"),
            data("tag is a number", #"{"_o":5}"#, "_o must be a string"),
            data("tag is null", #"{"_o":null}"#, "_o must be a string"),
            data("exc inside data", #"{"_o":"exc","_t":"X"}"#, "only allowed as a message's error"),
            data("field descriptor inside data", #"{"_o":"_F","name":"x"}"#, "only allowed inside an Info"),
            data("call descriptor inside data", #"{"_o":"_C","name":"x"}"#, "only allowed inside an Info"),
            // Wrong types for _o fields.
            data("LIST without _d", #"{"_o":"LIST"}"#, "LIST without"),
            data("LIST _d object", #"{"_o":"LIST","_d":{}}"#, "LIST _d must be an array"),
            data("LIST _d string", #"{"_o":"LIST","_d":"abc"}"#, "LIST _d must be an array"),
            data("Ref without k", #"{"_o":"Ref","c":"x"}"#, "Ref without its key"),
            data("Ref k number", #"{"_o":"Ref","k":5}"#, "key k must be a LIST"),
            data("Ref k string", #"{"_o":"Ref","k":"sql"}"#, "key k must be a LIST"),
            data("Ref k dict", #"{"_o":"Ref","k":{"a":1}}"#, "key k must be a LIST"),
            data("Ref k nested list", #"{"_o":"Ref","k":[["a"]]}"#, "only scalars"),
            data("Ref k holding a Ref", #"{"_o":"Ref","k":[{"_o":"_ROOT"}]}"#, "only scalars"),
            data("Ref c number", #"{"_o":"Ref","k":["a"],"c":5}"#, "access code c must be a string"),
            data("Ref c list", #"{"_o":"Ref","k":["a"],"c":["x"]}"#, "access code c must be a string"),
            data("Obj without k", #"{"_o":"Obj","f":{}}"#, "Obj without its key"),
            data("Obj f list", #"{"_o":"Obj","k":["a"],"f":[1]}"#, "fields f must be a dict"),
            data("Obj f string", #"{"_o":"Obj","k":["a"],"f":"x"}"#, "fields f must be a dict"),
            data("Obj r list", #"{"_o":"Obj","k":["a"],"r":[]}"#, "refs r must be a dict"),
            data("Obj r value string", #"{"_o":"Obj","k":["a"],"r":{"_meta":"x"}}"#, "must be a Ref or null"),
            data(
                "Obj r value Obj", #"{"_o":"Obj","k":["a"],"r":{"p":{"_o":"Obj","k":["b"]}}}"#, "must be a Ref or null"),
            data("Info without f", #"{"_o":"Info","k":["a"],"r":{"_meta":{"_o":"_ROOT"}}}"#, "description f"),
            data("Info f list", #"{"_o":"Info","k":["a"],"f":[],"r":{"_meta":{"_o":"_ROOT"}}}"#, "description f"),
            data(
                "Info without name", #"{"_o":"Info","k":["a"],"f":{},"r":{"_meta":{"_o":"_ROOT"}}}"#, "name as a string"
            ),
            data(
                "Info name number", #"{"_o":"Info","k":["a"],"f":{"name":1},"r":{"_meta":{"_o":"_ROOT"}}}"#,
                "name as a string"),
            data("Info without r", #"{"_o":"Info","k":["a"],"f":{"name":"T"}}"#, "without its refs"),
            data("Info r without _meta", #"{"_o":"Info","k":["a"],"f":{"name":"T"},"r":{}}"#, "_meta Ref"),
            data("Info r _meta null", #"{"_o":"Info","k":["a"],"f":{"name":"T"},"r":{"_meta":null}}"#, "_meta Ref"),
            c("Info fields list", infoData(#""fields":[]"#), "fields must be an object"),
            c("Info field not a descriptor", infoData(#""fields":{"a":1}"#), "must be a _F descriptor"),
            c(
                "Info field with wrong tag", infoData(#""fields":{"a":{"_o":"_C","name":"a"}}"#),
                "must be a _F descriptor"),
            c(
                "Info call with wrong tag", infoData(#""calls":{"a":{"_o":"_F","name":"a"}}"#),
                "must be a _C descriptor"),
            c("Info descriptor name mismatch", infoData(#""refs":{"a":{"_o":"_R","name":"b"}}"#), "same name"),
            c("Info descriptor without name", infoData(#""backrefs":{"a":{"_o":"_B"}}"#), "same name"),
            c(
                "Info call flag string", infoData(#""calls":{"a":{"_o":"_C","name":"a","cached":"yes"}}"#),
                "must be a boolean"),
            c(
                "Info call flag number", infoData(#""calls":{"a":{"_o":"_C","name":"a","meta":1}}"#),
                "must be a boolean"),
            data("date without d", #"{"_o":"date","s":"2020-01-01"}"#, "day number d"),
            data("date d string", #"{"_o":"date","d":"738000"}"#, "day number d"),
            data("date d float", #"{"_o":"date","d":738000.5}"#, "day number d"),
            data("date d huge", #"{"_o":"date","d":9000000000000}"#, "out of range"),
            data("datetime without t", #"{"_o":"datetime","s":"x"}"#, "seconds t"),
            data("datetime t string", #"{"_o":"datetime","t":"1700000000"}"#, "seconds t"),
            data("datetime t huge", #"{"_o":"datetime","t":1e300}"#, "out of range"),
            data("datetime t beyond microseconds", #"{"_o":"datetime","t":9223372036855}"#, "out of range"),
            data("datetime o string", #"{"_o":"datetime","t":1,"o":"+01:00"}"#, "offset o must be an integer"),
            data("datetime o too large", #"{"_o":"datetime","t":1,"o":90000}"#, "less than a day"),
            data("time negative", #"{"_o":"time","t":-1}"#, "between 0 and 86400"),
            data("time past midnight", #"{"_o":"time","t":86401}"#, "between 0 and 86400"),
            data("time t null", #"{"_o":"time","t":null}"#, "seconds t"),
            data("timedelta t list", #"{"_o":"timedelta","t":[1]}"#, "seconds t"),
            data("timedelta m float", #"{"_o":"timedelta","t":1,"m":1.5}"#, "m must be an integer"),
            data("timedelta d too large", #"{"_o":"timedelta","t":1,"d":9999999999}"#, "32-bit range"),
            data("timedelta t overflow", #"{"_o":"timedelta","t":1e19}"#, "out of range"),
            data("Dec without s", #"{"_o":"Dec"}"#, "Dec needs s"),
            data("Dec s number", #"{"_o":"Dec","s":1.5}"#, "Dec needs s"),
            data("Dec s text", #"{"_o":"Dec","s":"abc"}"#, "not a decimal"),
            data("Dec s empty", #"{"_o":"Dec","s":""}"#, "not a decimal"),
            data("Dec s two dots", #"{"_o":"Dec","s":"1.2.3"}"#, "not a decimal"),
            data("Dec s with space", #"{"_o":"Dec","s":" 1"}"#, "not a decimal"),
            data("bin without b", #"{"_o":"bin"}"#, "base64 text b"),
            data("bin b number", #"{"_o":"bin","b":5}"#, "base64 text b"),
            data("bin b bad characters", #"{"_o":"bin","b":"!!!!"}"#, "not valid base64"),
            data("bin b bad length", #"{"_o":"bin","b":"AAA"}"#, "not valid base64"),
            data("bin b padding inside", #"{"_o":"bin","b":"A=AA"}"#, "not valid base64"),
            data("uuid s short", #"{"_o":"uuid","s":"1234"}"#, "is not a UUID"),
            data("uuid s not hex", #"{"_o":"uuid","s":"zzzzzzzz-9dad-11d1-80b4-00c04fd430c8"}"#, "is not a UUID"),
            data("uuid s number", #"{"_o":"uuid","s":1}"#, "uuid needs s"),
            data("json without v or s", #"{"_o":"json"}"#, "json needs s"),
            data("Flt s other", #"{"_o":"Flt","s":"1.5"}"#, "not NaN"),
            // Sharing.
            data("_or to unknown id", #"{"_or":1}"#, "unknown id 1"),
            data("_or to unknown id in list", #"[1,{"_or":42}]"#, "unknown id 42"),
            data("_or string", #"{"_or":"1"}"#, "_or must be an integer"),
            data("_or float", #"{"_or":1.0}"#, "_or must be an integer"),
            data("_or with other keys", #"{"_or":1,"a":2}"#, "no other keys"),
            data("_oi string", #"{"_oi":"1","a":2}"#, "_oi must be an integer"),
            data("duplicate _oi", #"[{"_oi":1,"a":1},{"_oi":1,"a":2}]"#, "duplicate _oi 1"),
            data("_oi huge", #"{"_oi":99999999999999999999,"a":1}"#, "outside the 64-bit integer range"),
            data("cyclic LIST", #"{"_o":"LIST","_oi":1,"_d":[{"_or":1}]}"#, "cycles are only supported"),
            data("cyclic dict", #"{"_oi":1,"self":{"_or":1}}"#, "cycles are only supported"),
            data("cycle before the object's key", #"{"_o":"Obj","_oi":1,"k":{"_or":1}}"#, "cycles are only supported"),
            c(
                "cache entries referring in a circle",
                #"{"data":{"_or":1},"cache":[{"_oi":1,"a":{"_or":2}},{"_oi":2,"b":{"_or":1}}]}"#,
                "cycles are only supported"),
        ]
        // Deep nesting, long chains and blow-ups.
        cases.append(c("10,000 nested arrays", #"{"data":"# + String(repeating: "[", count: 10_000), "nesting deeper"))
        cases.append(
            c(
                "10,000 nested arrays, closed",
                #"{"data":"# + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "}",
                "nesting deeper"))
        cases.append(c("10,000 nested objects", String(repeating: #"{"a":"#, count: 10_000), "nesting deeper"))
        cases.append(
            c(
                "200 nested LISTs",
                #"{"data":"# + String(repeating: #"{"_o":"LIST","_d":["#, count: 200)
                    + String(repeating: "]}", count: 200) + "}", "nesting deeper"))
        var chain = #"{"data":{"_or":1},"cache":["#
        chain += (1...2000).map { #"{"_oi":\#($0),"n":{"_or":\#($0 + 1)}}"# }.joined(separator: ",")
        chain += #",{"_oi":2001,"n":0}]}"#
        cases.append(c("2,000 chained _or references", chain, "deeper than the limit"))
        var laughs = #"{"data":{"_or":40},"cache":[{"_oi":1,"_o":"LIST","_d":[1,2]}"#
        for i in 2...40 { laughs += #",{"_oi":\#(i),"_o":"LIST","_d":[{"_or":\#(i - 1)},{"_or":\#(i - 1)}]}"# }
        laughs += "]}"
        cases.append(c("billion laughs through _or", laughs, "more than the limit"))
        // Size limits.
        var small = CodecLimits()
        small.maxMessageBytes = 10
        cases.append(
            Case(
                name: "message over the size limit", bytes: Array(#"{"data":12345}"#.utf8),
                says: "exceeds the limit of 10 bytes", limits: small))
        var few = CodecLimits()
        few.maxElements = 100
        cases.append(
            Case(
                name: "too many elements",
                bytes: Array(("{\"data\":[" + Array(repeating: "1", count: 200).joined(separator: ",") + "]}").utf8),
                says: "more than the limit of 100", limits: few))
        var shallow = CodecLimits()
        shallow.maxDepth = 3
        cases.append(
            Case(
                name: "nesting over a low depth limit", bytes: Array(#"{"data":[[[1]]]}"#.utf8),
                says: "nesting deeper than the limit of 3", limits: shallow))
        return cases
    }()

    static func infoData(_ f: String) -> String {
        #"{"data":{"_o":"Info","k":["a"],"f":{"name":"T","# + f + #"},"r":{"_meta":{"_o":"_ROOT"}}}}"#
    }

    @Test("the hostile corpus has at least 200 inputs")
    func corpusSize() {
        #expect(Self.corpus.count >= 200)
    }

    @Test("each hostile input gives a specific BadRequest", arguments: Self.corpus)
    func hostile(_ input: Case) {
        let codec = JSONCodec(limits: input.limits)
        do {
            let message = try codec.decode(input.bytes)
            Issue.record("decoded to \(message)")
        } catch {
            #expect(error.kind == .badRequest)
            #expect(!error.message.isEmpty)
            #expect(error.message.contains(input.says), "\(error.message)")
        }
    }

    @Test("a 50 MB string is refused by the string limit, and by the size limit by default")
    func hugeString() {
        let head = Array(#"{"data":""#.utf8)
        var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: head.count + 50_000_000 + 2)
        bytes.replaceSubrange(0..<head.count, with: head)
        bytes[bytes.count - 2] = UInt8(ascii: "\"")
        bytes[bytes.count - 1] = UInt8(ascii: "}")
        let clock = ContinuousClock()
        let start = clock.now
        var limits = CodecLimits(maxMessageBytes: 64 << 20)
        limits.maxStringBytes = 1 << 20
        let limited = #expect(throws: BrokerError.self) { try JSONCodec(limits: limits).decode(bytes) }
        #expect(limited?.message.contains("string longer than the limit of 1048576 bytes") == true)
        let byDefault = #expect(throws: BrokerError.self) { try JSONCodec().decode(bytes) }
        #expect(byDefault?.message.contains("exceeds the limit of 16777216 bytes") == true)
        #expect(clock.now - start < .seconds(10))
    }

    @Test("deep nesting and _or blow-ups are refused quickly")
    func fastRefusals() {
        let clock = ContinuousClock()
        for name in ["10,000 nested arrays", "2,000 chained _or references", "billion laughs through _or"] {
            guard let input = Self.corpus.first(where: { $0.name == name }) else {
                Issue.record("missing \(name)")
                continue
            }
            let start = clock.now
            #expect(throws: BrokerError.self) { try JSONCodec().decode(input.bytes) }
            #expect(clock.now - start < .seconds(10), "\(name)")  // a blow-up would take hours
        }
    }

    @Test("nesting up to the depth limit decodes")
    func depthLimitItself() throws {
        let depth = CodecLimits.default.maxDepth - 1
        let text = #"{"data":"# + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}"
        var value = try JSONCodec().decode(Array(text.utf8)).data
        var levels = 0
        while case .list(let l) = value, let first = l.first {
            value = first
            levels += 1
        }
        #expect(levels == depth - 1)
    }

    @Test("the largest depth (512, the cap) decodes on a task's stack, for dicts, LISTs and Objs")
    func capDepth() throws {
        let codec = JSONCodec(limits: CodecLimits(maxDepth: 100_000))
        let dicts = #"{"data":"# + String(repeating: #"{"a":"#, count: 510) + "1" + String(repeating: "}", count: 511)
        #expect(throws: Never.self) { try codec.decode(Array(dicts.utf8)) }
        let lists =
            #"{"data":"# + String(repeating: #"{"_o":"LIST","_d":["#, count: 255) + String(repeating: "]}", count: 255)
            + "}"
        #expect(throws: Never.self) { try codec.decode(Array(lists.utf8)) }
        let obj = #"{"_o":"Obj","k":["k"],"f":{"x":"#
        let objs = #"{"data":"# + String(repeating: obj, count: 255) + "1" + String(repeating: "}}", count: 255) + "}"
        #expect(throws: Never.self) { try codec.decode(Array(objs.utf8)) }
        let tooDeep = #"{"data":"# + String(repeating: "[", count: 512) + String(repeating: "]", count: 512) + "}"
        let error = #expect(throws: BrokerError.self) { try codec.decode(Array(tooDeep.utf8)) }
        #expect(error?.message.contains("limit of 512 levels") == true)
    }

    /// The decoder reuses the last ref decoded when the same text comes again: the reuse must
    /// give equal refs, and copies still count against the limits. (A deeper copy is decoded
    /// afresh; the tokenizer's depth check catches too deep a text before that.)
    @Test("a repeated ref decodes to the same ref, within the same budget and depth limits")
    func repeatedRefs() throws {
        let ref = #"{"_o":"Ref","k":{"_o":"LIST","_d":["sql","t"]},"c":"abc"}"#
        let three = #"{"data":{"_o":"LIST","_d":["# + [ref, ref, ref].joined(separator: ",") + "]}}"
        let expected = Value.ref(Ref(key: ObjectKey(["sql", "t"]), code: "abc"))
        #expect(try JSONCodec().decode(Array(three.utf8)).data == .list([expected, expected, expected]))
        // Each copy counts again: 40 copies do not fit in 100 elements.
        var few = CodecLimits()
        few.maxElements = 100
        let many = #"{"data":{"_o":"LIST","_d":["# + Array(repeating: ref, count: 40).joined(separator: ",") + "]}}"
        let error = #expect(throws: BrokerError.self) { try JSONCodec(limits: few).decode(Array(many.utf8)) }
        #expect(error?.message.contains("more than the limit of 100") == true, "\(String(describing: error))")
        // The depth limit holds around copies.
        var shallow = CodecLimits()
        shallow.maxDepth = 6
        let deeper = #"{"data":{"_o":"LIST","_d":["# + ref + #",[[["# + ref + "]]]]}}"
        let deep = #expect(throws: BrokerError.self) { try JSONCodec(limits: shallow).decode(Array(deeper.utf8)) }
        #expect(deep?.message.contains("limit of 6") == true)
        #expect(throws: Never.self) { try JSONCodec(limits: shallow).decode(Array(three.utf8)) }
    }

    @Test("random mutations of valid messages never crash the decoder")
    func mutations() {
        var rng = SplitMix64(seed: 2024)
        let codec = JSONCodec()
        var refused = 0
        for n in 0..<20_000 {
            var bytes = Self.rich
            for _ in 0...Int.random(in: 0...3, using: &rng) {
                let i = Int.random(in: 0..<bytes.count, using: &rng)
                switch n % 3 {
                case 0: bytes[i] = UInt8.random(in: 0...255, using: &rng)
                case 1: bytes.remove(at: i)
                default: bytes.insert(Array(#"{}[]",:\_o0"#.utf8).randomElement(using: &rng) ?? 0, at: i)
                }
            }
            do {
                _ = try codec.decode(bytes)
            } catch {
                refused += 1
                #expect(error.kind == .badRequest && !error.message.isEmpty)
            }
        }
        #expect(refused > 10_000)
    }
}
