import DaBrokerCore
import Foundation
import OrderedCollections

/// A small, seedable random number generator (SplitMix64), so failures reproduce.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random `Value` trees for property tests: every case, hostile keys (`_o`, `_oi`, …),
/// any Unicode, shared objects and refs to ancestors.
struct ValueGenerator {
    var rng: SplitMix64

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
    mutating func chance(_ percent: Int) -> Bool { int(0...99) < percent }

    mutating func value(depth: Int) -> Value {
        let pick = depth <= 0 ? int(0...13) : int(0...19)
        switch pick {
        case 0: return .null
        case 1: return .bool(chance(50))
        case 2: return .int(Int64.random(in: .min ... .max, using: &rng))
        case 3: return .int(Int64(int(-1000...1000)))
        case 4: return .double(double())
        case 5: return .decimal(decimal())
        case 6, 7: return .string(string())
        case 8: return .bytes((0..<int(0...20)).map { _ in UInt8.random(in: 0...255, using: &rng) })
        case 9: return .date(date())
        case 10: return .time(time())
        case 11: return .timestamp(timestamp())
        case 12: return .interval(interval())
        case 13: return chance(50) ? .uuid(uuid()) : .json(json(depth: 2))
        case 14, 15: return .list((0..<int(0...4)).map { _ in value(depth: depth - 1) })
        case 16: return .dict(dict(depth: depth - 1))
        case 17: return .ref(ref())
        case 18: return .object(object(depth: depth - 1))
        default: return .info(info())
        }
    }

    mutating func double() -> Double {
        switch int(0...3) {
        case 0: return Double(int(-1000...1000)) / 8
        case 1: return Double.random(in: -1e6...1e6, using: &rng)
        default:
            var d: Double
            repeat { d = Double(bitPattern: rng.next()) } while !d.isFinite
            return d
        }
    }

    mutating func decimal() -> String {
        var s = chance(30) ? "-" : ""
        s += String(int(0...999_999_999))
        if chance(70) { s += "." + String(repeating: "0", count: int(0...3)) + String(int(0...99999)) }
        return s
    }

    mutating func string() -> String {
        let pools: [ClosedRange<UInt32>] = [0x20...0x7E, 0...0x1F, 0xA0...0x2FF, 0x4E00...0x4FFF, 0x1F600...0x1F64F]
        var s = ""
        for _ in 0..<int(0...12) {
            let pool = pools[int(0...(pools.count - 1))]
            if let scalar = Unicode.Scalar(UInt32.random(in: pool, using: &rng)) { s.unicodeScalars.append(scalar) }
            if chance(10) { s += ["\"", "\\", "/", "\u{2028}", "\u{0}"][int(0...4)] }
        }
        return s
    }

    mutating func key() -> String {
        if chance(25) { return ["_o", "_oi", "_or", "_o_", "_o_x", "_ox", "_m", "k", "_", "o", ""][int(0...10)] }
        return string()
    }

    mutating func dict(depth: Int) -> OrderedDictionary<String, Value> {
        var d = OrderedDictionary<String, Value>()
        for _ in 0..<int(0...4) { d[key()] = value(depth: depth) }
        return d
    }

    mutating func date() -> DateValue {
        let year = chance(90) ? int(1...9999) : int(-5000...300_000)
        let month = int(1...12)
        let length = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return DateValue(year: year, month: month, day: int(1...length))
    }

    mutating func time() -> TimeValue {
        TimeValue(
            hour: int(0...23), minute: int(0...59), second: int(0...59),
            microsecond: chance(50) ? 0 : int(0...999_999), utcOffset: chance(50) ? nil : int(-57599...57599))
    }

    mutating func timestamp() -> TimestampValue {
        TimestampValue(
            microsecondsSinceEpoch: Int64.random(in: -(1 << 55)...(1 << 55), using: &rng),
            utcOffset: chance(50) ? nil : int(-50400...50400))
    }

    mutating func interval() -> IntervalValue {
        IntervalValue(
            months: Int32(chance(50) ? 0 : int(-1000...1000)), days: Int32(chance(50) ? 0 : int(-100_000...100_000)),
            microseconds: Int64.random(in: -10_000_000_000_000...10_000_000_000_000, using: &rng))
    }

    mutating func uuid() -> UUID {
        var b = [UInt8](repeating: 0, count: 16)
        for i in 0..<16 { b[i] = UInt8.random(in: 0...255, using: &rng) }
        return UUID(
            uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15])
        )
    }

    /// Compact JSON text (it travels verbatim), including keys that look like wire tags.
    mutating func json(depth: Int) -> String {
        switch depth <= 0 ? int(0...3) : int(0...5) {
        case 0: return "null"
        case 1: return String(int(-99...99))
        case 2: return "\"" + ["a", "_o", "\\u00e9", "\\\""][int(0...3)] + "\""
        case 3: return chance(50) ? "true" : "1.5e3"
        case 4: return "[" + (0..<int(0...3)).map { _ in json(depth: depth - 1) }.joined(separator: ",") + "]"
        default:
            let keys = ["_o", "_or", "x", "_oi"].shuffled(using: &rng).prefix(int(0...3))
            return "{" + keys.map { "\"\($0)\":" + json(depth: depth - 1) }.joined(separator: ",") + "}"
        }
    }

    mutating func objectKey() -> ObjectKey {
        var parts: [Value] = [.string(["sql", "static", "_s"][int(0...2)])]
        for _ in 0..<int(0...3) {
            parts.append(chance(60) ? .int(Int64(int(-5...100_000))) : .string(string()))
        }
        return ObjectKey(parts)
    }

    mutating func ref() -> Ref {
        if chance(10) { return Ref(key: .metaRoot) }
        return Ref(key: objectKey(), code: chance(70) ? string() : nil)
    }

    mutating func object(depth: Int) -> ObjectValue {
        var o = ObjectValue(ref: Ref(key: objectKey(), code: chance(80) ? "c0de" : nil))
        o.fields = dict(depth: depth)
        o.refs["_meta"] = ref()
        for _ in 0..<int(0...2) { o.refs[key()] = chance(70) ? ref() : nil }
        if chance(20) { o.fields["me"] = .ref(o.ref) }
        return o
    }

    mutating func info() -> InfoValue {
        var i = BrokeredInfo(name: string(), cached: [.null, true, false, "x"][int(0...3)])
        for _ in 0..<int(0...3) {
            guard chance(50) else {
                i.add(Field(key()))
                continue
            }
            // A SQL table's field, with some of its column facts.
            i.add(
                Field(
                    key(), type: chance(70) ? string() : nil, nullable: chance(70) ? chance(50) : nil,
                    default: chance(30) ? string() : nil, writable: chance(70) ? chance(50) : nil,
                    enumValues: chance(30) ? (0..<int(0...3)).map { _ in string() } : nil,
                    elementType: chance(20) ? string() : nil))
        }
        for _ in 0..<int(0...2) { i.add(RefField(key())) }
        for _ in 0..<int(0...2) { i.add(BackRef(key())) }
        for _ in 0..<int(0...3) { i.add(Callable(key(), cached: chance(50), meta: chance(50))) }
        return InfoValue(ref: Ref(key: objectKey(), code: "c"), info: i, meta: ref())
    }
}
