import DaBrokerCore
import Foundation
import OrderedCollections
import Testing

/// The exact wire form of each value kind, and the decoding of forms only other peers send.
@Suite("Codec: value mapping")
struct CodecValueMappingTests {
    let codec = JSONCodec()

    func json(_ v: Value) -> String { String(decoding: codec.encode(value: v), as: UTF8.self) }
    func value(_ text: String) throws -> Value { try codec.decode(value: Array(text.utf8)) }

    @Test("the test's JSON comparison tells booleans, integers and doubles apart")
    func treeComparison() throws {
        #expect(try JSONTree(parsing: Array("true".utf8)) != JSONTree(parsing: Array("1".utf8)))
        #expect(try JSONTree(parsing: Array("1".utf8)) != JSONTree(parsing: Array("1.5".utf8)))
        #expect(try JSONTree(parsing: Array("{\"a\":1}".utf8)) == JSONTree(parsing: Array("{ \"a\" : 1 }".utf8)))
    }

    @Test("scalars, lists and dicts")
    func plain() throws {
        #expect(json(nil) == "null")
        #expect(json(.int(-9_223_372_036_854_775_808)) == "-9223372036854775808")
        #expect(json(1.5) == "1.5")
        #expect(json(2.0) == "2.0")
        #expect(json(.double(.nan)) == #"{"_o":"Flt","s":"NaN"}"#)
        #expect(json(.double(-.infinity)) == #"{"_o":"Flt","s":"-Infinity"}"#)
        #expect(json("a\"b\\\n\u{1}é") == #""a\"b\\\n\u0001é""#)
        #expect(json([1, "x"]) == #"{"_o":"LIST","_d":[1,"x"]}"#)
        #expect(json(.dict(["_o": 1, "_oi": 2, "_o_": 3, "o": 4])) == #"{"_o_":1,"_o_i":2,"_o__":3,"o":4}"#)
        #expect(try value(#"{"_o_":1,"_o_i":2,"_o__":3}"#) == .dict(["_o": 1, "_oi": 2, "_o_": 3]))
        #expect(try value("[1,[2]]") == [1, [2]])
        #expect(try value("1E2") == .double(100))
        #expect(try value("-0") == .int(0))
        #expect(try value(#""\ud83d\ude00\u00e9\/""#) == "😀é/")
        guard case .double(let nan) = try value(#"{"_o":"Flt","s":"NaN"}"#) else {
            Issue.record("Flt NaN")
            return
        }
        #expect(nan.isNaN)
    }

    @Test("SQL additions: Dec, bin, uuid, json")
    func sqlAdditions() throws {
        #expect(json(.decimal("-12.50")) == #"{"_o":"Dec","s":"-12.50"}"#)
        #expect(json(.bytes([0, 255, 1])) == #"{"_o":"bin","b":"AP8B"}"#)
        let u = try #require(UUID(uuidString: "6BA7B810-9DAD-11D1-80B4-00C04FD430C8"))
        #expect(json(.uuid(u)) == #"{"_o":"uuid","s":"6ba7b810-9dad-11d1-80b4-00c04fd430c8"}"#)
        #expect(try value(#"{"_o":"uuid","s":"6BA7B810-9DAD-11D1-80B4-00C04FD430C8"}"#) == .uuid(u))
        #expect(json(.json(#" {"a": [1, {"_o": 2}]} "#)) == #"{"_o":"json","v":{"a": [1, {"_o": 2}]}}"#)
        #expect(try value(#"{"v":{"_o":"x","_or":5},"_o":"json"}"#) == .json(#"{"_o":"x","_or":5}"#))
        #expect(json(.json("not json")) == #"{"_o":"json","s":"not json"}"#)
        #expect(try value(#"{"_o":"json","s":"not json"}"#) == .json("not json"))
        #expect(try value(#"{"_o":"bin","b":""}"#) == .bytes([]))
        #expect(try value(#"{"_o":"bin","b":"AP8\/"}"#) == .bytes([0, 255, 63]))
    }

    @Test("date: Python ordinal d and ISO s")
    func date() throws {
        #expect(json(.date(DateValue(year: 2024, month: 2, day: 29))) == #"{"_o":"date","d":738945,"s":"2024-02-29"}"#)
        #expect(json(.date(DateValue(year: 1, month: 1, day: 1))) == #"{"_o":"date","d":1,"s":"0001-01-01"}"#)
        #expect(try value(#"{"_o":"date","d":719163}"#) == .date(DateValue(year: 1970, month: 1, day: 1)))
    }

    @Test("datetime: exact unix seconds t, o for a zone")
    func datetime() throws {
        let naive = TimestampValue(microsecondsSinceEpoch: 1_700_000_000_123_456)
        #expect(json(.timestamp(naive)) == #"{"_o":"datetime","t":1700000000.123456,"s":"2023-11-14 22:13:20.123456"}"#)
        let zoned = TimestampValue(microsecondsSinceEpoch: 1_700_000_000_000_000, utcOffset: 3600)
        #expect(
            json(.timestamp(zoned)) == #"{"_o":"datetime","t":1700000000.0,"s":"2023-11-14 23:13:20+01:00","o":3600}"#)
        let before1970 = TimestampValue(microsecondsSinceEpoch: -1_500_000)
        #expect(json(.timestamp(before1970)) == #"{"_o":"datetime","t":-1.5,"s":"1969-12-31 23:59:58.500000"}"#)
        // The original sends floats from mktime(); integers and exponents are read exactly too.
        #expect(
            try value(#"{"t":1417000000.0,"s":"x","_o":"datetime"}"#)
                == .timestamp(.init(microsecondsSinceEpoch: 1_417_000_000_000_000)))
        #expect(
            try value(#"{"_o":"datetime","t":17e8}"#)
                == .timestamp(.init(microsecondsSinceEpoch: 1_700_000_000_000_000)))
        #expect(try value(#"{"_o":"datetime","t":0.0000005}"#) == .timestamp(.init(microsecondsSinceEpoch: 1)))
    }

    @Test("time and timedelta")
    func timeAndInterval() throws {
        #expect(json(.time(TimeValue(hour: 1, minute: 2, second: 3))) == #"{"_o":"time","t":3723,"s":"01:02:03"}"#)
        let tz = TimeValue(hour: 23, minute: 0, second: 0, microsecond: 5, utcOffset: -19800)
        #expect(json(.time(tz)) == #"{"_o":"time","t":82800.000005,"s":"23:00:00.000005-05:30","o":-19800}"#)
        #expect(
            json(.interval(IntervalValue(microseconds: 90_000_000))) == #"{"_o":"timedelta","t":90.0,"s":"00:01:30"}"#)
        let mixed = IntervalValue(months: 1, days: -2, microseconds: -500_000)
        #expect(
            json(.interval(mixed))
                == #"{"_o":"timedelta","t":2419199.5,"s":"1 month, -2 days, -00:00:00.500000","m":1,"d":-2}"#)
        #expect(
            try value(#"{"_o":"timedelta","t":86400.0,"s":"1 day, 0:00:00"}"#)
                == .interval(.init(microseconds: 86_400_000_000)))
        #expect(try value(json(.interval(mixed))) == .interval(mixed))
    }

    @Test("Ref, _ROOT, Obj with a null ref, Info with flagged calls")
    func objects() throws {
        #expect(
            json(.ref(Ref(key: ObjectKey(["sql", "t", 1]), code: "x")))
                == #"{"_o":"Ref","k":{"_o":"LIST","_d":["sql","t",1]},"c":"x"}"#)
        #expect(
            json(.ref(Ref(key: ObjectKey(["sql", "t", 1])))) == #"{"_o":"Ref","k":{"_o":"LIST","_d":["sql","t",1]}}"#)
        #expect(json(.ref(Ref(key: .metaRoot))) == #"{"_o":"_ROOT"}"#)
        let o = ObjectValue(
            ref: Ref(key: ObjectKey(["s", 1])), fields: ["a": 1], refs: ["_meta": Ref(key: .metaRoot), "b": nil])
        #expect(
            json(.object(o))
                == #"{"_o":"Obj","k":{"_o":"LIST","_d":["s",1]},"f":{"a":1},"r":{"_meta":{"_o":"_ROOT"},"b":null}}"#)
        // Bare arrays are accepted for keys and lists; a null c means no code.
        #expect(try value(#"{"_o":"Ref","k":["s",1],"c":null}"#) == .ref(Ref(key: ObjectKey(["s", 1]))))
        let info = InfoValue(
            ref: Ref(key: ObjectKey(["s"])),
            info: BrokeredInfo(name: "T", calls: [Callable("go", cached: true, meta: true)]),
            meta: Ref(key: .metaRoot))
        #expect(
            json(.info(info))
                == #"{"_o":"Info","k":{"_o":"LIST","_d":["s"]},"f":{"name":"T","_dab_cached":null,"fields":{},"refs":{"_meta":{"_o":"_R","name":"_meta"}},"backrefs":{},"calls":{"go":{"_o":"_C","name":"go","cached":true,"meta":true}}},"r":{"_meta":{"_o":"_ROOT"}}}"#
        )
    }

    @Test("a field's column facts are extra keys of its _F descriptor")
    func fieldColumnFacts() throws {
        let info = InfoValue(
            ref: Ref(key: ObjectKey(["sql", "item"])),
            info: BrokeredInfo(
                name: "item",
                fields: [
                    Field("qty", type: "smallint", nullable: false, default: "0", writable: true),
                    Field("mood", type: "mood", nullable: true, writable: true, enumValues: ["happy", "sad"]),
                    Field("tags", type: "text[]", nullable: true, writable: false, elementType: "text"),
                    Field("plain"),
                ]),
            meta: Ref(key: .metaRoot))
        let text = json(.info(info))
        #expect(
            text.contains(
                #""fields":{"qty":{"_o":"_F","name":"qty","type":"smallint","nullable":false,"default":"0","writable":true},"mood":{"_o":"_F","name":"mood","type":"mood","nullable":true,"writable":true,"enum_values":["happy","sad"]},"tags":{"_o":"_F","name":"tags","type":"text[]","nullable":true,"writable":false,"element_type":"text"},"plain":{"_o":"_F","name":"plain"}}"#
            ), "\(text)")
        #expect(try value(text) == .info(info))
        // Descriptors without facts (the original server, static objects) decode with none.
        let bare = try value(
            #"{"_o":"Info","k":["s"],"f":{"name":"T","fields":{"a":{"_o":"_F","name":"a"}}},"r":{"_meta":{"_o":"_ROOT"}}}"#
        )
        guard case .info(let bareInfo) = bare else { throw BrokerError.badRequest("not an Info: \(bare)") }
        #expect(bareInfo.info.fields["a"] == Field("a"))
        // A fact of the wrong type is refused, not guessed at.
        #expect(throws: BrokerError.self) {
            try value(
                #"{"_o":"Info","k":["s"],"f":{"name":"T","fields":{"a":{"_o":"_F","name":"a","nullable":"no"}}},"r":{"_meta":{"_o":"_ROOT"}}}"#
            )
        }
        #expect(throws: BrokerError.self) {
            try value(
                #"{"_o":"Info","k":["s"],"f":{"name":"T","fields":{"a":{"_o":"_F","name":"a","enum_values":[1]}}},"r":{"_meta":{"_o":"_ROOT"}}}"#
            )
        }
    }

    @Test("sharing as the original sends it: cache entries, forward references and cycles")
    func originalSharing() throws {
        let obj =
            #"{"k":{"_o":"LIST","_d":["sql","P",1]},"c":"C","f":{"n":1},"r":{"_meta":{"_o":"_ROOT"}},"_o":"Obj","_oi":1}"#
        let cached = try codec.decode(
            Array(#"{"data":{"_o":"LIST","_d":[{"_or":1},{"_or":1}]},"cache":[\#(obj)]}"#.utf8))
        let p = Value.object(
            ObjectValue(
                ref: Ref(key: ObjectKey(["sql", "P", 1]), code: "C"), fields: ["n": 1],
                refs: ["_meta": Ref(key: .metaRoot)]))
        #expect(cached.data == [p, p])
        // Forward reference inside data, to a shared LIST and a shared dict.
        let forward = try value(#"[{"_or":2},{"_o":"LIST","_oi":2,"_d":[1,{"_oi":3,"a":"b"}]},{"_or":3}]"#)
        #expect(forward == [[1, .dict(["a": "b"])], [1, .dict(["a": "b"])], .dict(["a": "b"])])
        // A cycle through an object decodes to a ref to it.
        let cyclic = try value(
            #"{"_o":"Obj","_oi":1,"k":["x",1],"c":"C","f":{"me":{"_or":1},"l":{"_o":"LIST","_d":[{"_or":1}]}},"r":{"_meta":{"_or":1}}}"#
        )
        let me = Ref(key: ObjectKey(["x", 1]), code: "C")
        #expect(
            cyclic == .object(ObjectValue(ref: me, fields: ["me": .ref(me), "l": [.ref(me)]], refs: ["_meta": me])))
    }

    @Test("errors: stable types, details, foreign types kept")
    func errors() throws {
        let e = BrokerError(.staleData, "person 3: name changed", details: ["field": "name"])
        let bytes = codec.encode(Message(msgid: 4, error: e))
        #expect(
            String(decoding: bytes, as: UTF8.self)
                == #"{"msgid":4,"error":{"_o":"exc","_t":"StaleData","_r":"person 3: name changed","field":"name"}}"#)
        let foreign = try codec.decode(
            Array(#"{"error":{"_t":"IndexError","_r":"IndexError('x',)","_o":"exc"},"tb":["line 1"]}"#.utf8))
        #expect(foreign.error == BrokerError(.internal, "IndexError('x',)", details: ["_t": "IndexError"]))
        #expect(foreign.extras == ["tb": ["line 1"]])
        let unknown = try codec.decode(
            Array(#"{"error":{"_o":"exc","_t":"UnknownCommandError","_r":"x","cmd":"('a',)"}}"#.utf8))
        #expect(unknown.error?.kind == .unknownCommand && unknown.error?.details == ["cmd": "('a',)"])
    }

    @Test("sid: a field of the envelope, written last, byte for byte as before")
    func sid() throws {
        let broadcast = #"{"data":{"_m":"invalid_key"},"msgid":7,"include":null,"sid":"s1"}"#
        let decoded = try codec.decode(Array(broadcast.utf8))
        #expect(decoded.sid == "s1" && decoded.msgid == 7 && decoded.extras == ["include": .null])
        #expect(String(decoding: codec.encode(decoded), as: UTF8.self) == broadcast)
        let reply = Message(msgid: 2, sid: "s2", error: BrokerError(.noData, "gone"))
        #expect(
            String(decoding: codec.encode(reply), as: UTF8.self)
                == #"{"msgid":2,"error":{"_o":"exc","_t":"NoData","_r":"gone"},"sid":"s2"}"#)
        #expect(try codec.decode(codec.encode(reply)) == reply)
        // The original's messages have none; a sid that is not a string stays an extra.
        #expect(try codec.decode(Array(#"{"data":1,"msgid":0}"#.utf8)).sid == nil)
        let odd = try codec.decode(Array(#"{"data":1,"sid":5}"#.utf8))
        #expect(odd.sid == nil && odd.extras == ["sid": 5])
        #expect(String(decoding: codec.encode(odd), as: UTF8.self) == #"{"data":1,"sid":5}"#)
    }

    @Test("Request and invalid_key helpers build the wire data")
    func helpers() throws {
        let target = Ref(key: ObjectKey(["sql", "Person"]), code: "c")
        let r = Request(method: "_dab_search", target: target, named: ["id": 1, "_limit": 2])
        #expect(
            json(r.value)
                == #"{"_m":"_dab_search","_o_":{"_o":"Ref","k":{"_o":"LIST","_d":["sql","Person"]},"c":"c"},"id":1,"_limit":2}"#
        )
        #expect(try Request(from: r.value) == r)
        let classCall = Request(method: "new", target: target, args: [1], classLevel: true)
        #expect(try Request(from: value(json(classCall.value))) == classCall)
        #expect(throws: BrokerError.self) { try Request(from: .dict(["_m": 1])) }
        #expect(throws: BrokerError.self) { try Request(from: .dict(["_m": "x", "_a": 1])) }

        let created = InvalidKeyBroadcast.created(meta: target, values: ["name": "Fred"])
        #expect(
            json(created.value)
                == #"{"_meta":{"_o":"Ref","k":{"_o":"LIST","_d":["sql","Person"]}},"name":{"_o":"LIST","_d":["Fred"]},"_m":"invalid_key"}"#
        )
        let deleted = InvalidKeyBroadcast.deleted(
            key: Ref(key: ObjectKey(["sql", "Person", 1]), code: "x"), meta: target, values: ["name": "Fred"])
        #expect(try InvalidKeyBroadcast(from: deleted.value).key == Ref(key: ObjectKey(["sql", "Person", 1])))
        let updated = InvalidKeyBroadcast.updated(
            key: Ref(key: ObjectKey(["sql", "Person", 1])), meta: target.withoutCode, changes: ["name": ("a", "b")])
        #expect(try InvalidKeyBroadcast(from: updated.value) == updated)
        #expect(throws: BrokerError.self) { try InvalidKeyBroadcast(from: .dict(["_m": "invalid_key"])) }
    }
}
