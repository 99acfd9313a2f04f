import OrderedCollections

/// Builds the model (`Message`, `Value`) from a validated token tape.
///
/// Recursion follows the JSON nesting, which the tokenizer bounded; `_or` references add
/// to the same depth budget, and every value built (shared copies included) counts against
/// the element budget, so no input can overflow the stack or blow up memory.
struct WireDecoder {
    /// What is known about one `_oi` id.
    enum Shared {
        /// Defined by the object at this token, not decoded yet.
        case pending(Int)
        /// Being decoded; an `_or` to it is a cycle, allowed only through an object whose
        /// ref is already known.
        case inProgress(Ref?)
        /// Decoded, with the number of values it holds.
        case done(Value, Int)
    }

    let bytes: UnsafeBufferPointer<UInt8>
    let tokens: [JSONToken]
    let maxDepth: Int
    let maxElements: Int
    var budget: Int
    var shared: [Int64: Shared] = [:]
    /// What was decoded last, in a box: a debug build copies the decoder into many of the
    /// frames of each level of nesting, and the depth cap is tested on a task's stack.
    let recent = Recent()

    /// The last values of three kinds a message repeats (each object of a find carries the
    /// same `_meta` ref, field names and ref names): a repeat written with the same text is
    /// decoded from them.
    final class Recent {
        /// The last `Ref`: its object token, the depth it was decoded at, the budget it
        /// took, and the ref.
        var ref: (token: Int, depth: Int, cost: Int, ref: Ref)?
        /// The last plain dict decoded with no key skipped: its object token and the dict.
        var dict: (token: Int, dict: OrderedDictionary<String, Value>)?
        /// The refs (`r`) of the last object or info read directly: their object token and
        /// the refs.
        var refs: (token: Int, refs: OrderedDictionary<String, Ref?>)?
    }

    init(bytes: UnsafeBufferPointer<UInt8>, tokens: [JSONToken], limits: CodecLimits) {
        self.bytes = bytes
        self.tokens = tokens
        self.maxDepth = limits.effectiveDepth
        self.maxElements = max(1, limits.maxElements)
        self.budget = max(1, limits.maxElements)
    }

    // MARK: - Envelope

    mutating func decodeMessage(sharing: Bool) throws(BrokerError) -> Message {
        guard tokens[0].kind == .object else {
            throw BrokerError.badRequest("a message must be a JSON object, not \(kindName(0))")
        }
        try checkUniqueKeys(0)
        if sharing { try collectDefinitions() }
        var message = Message()
        var cacheIndex = -1
        var m = 1
        for _ in 0..<tokens[0].count {
            let k = m
            let v = m + 1
            m = next(v)
            let key = string(k)
            switch key {
            case "data":
                message.data = try decodeValue(v, depth: 1)
            case "msgid":
                if tokens[v].kind == .null { continue }
                guard tokens[v].kind == .int else { throw fail(v, "msgid must be an integer, not \(kindName(v))") }
                message.msgid = try int(v, what: "msgid")
            case "sid" where tokens[v].kind == .string:
                message.sid = string(v)
            case "error":
                message.error = try decodeError(v)
            case "cache":
                guard tokens[v].kind == .array else { throw fail(v, "cache must be an array of shared objects") }
                cacheIndex = v
            default:
                message.extras[key] = try decodeValue(v, depth: 1)
            }
        }
        if cacheIndex >= 0 {
            var e = cacheIndex + 1
            for _ in 0..<tokens[cacheIndex].count {
                guard tokens[e].kind == .object, member(e, "_oi") != nil else {
                    throw fail(e, "every cache entry must be an object with an _oi id")
                }
                _ = try decodeValue(e, depth: 1)
                e = next(e)
            }
        }
        return message
    }

    /// A reply's `error`: `{"_o":"exc","_t":TYPE,"_r":message, …details}`.
    mutating func decodeError(_ i: Int) throws(BrokerError) -> BrokerError? {
        if tokens[i].kind == .null { return nil }
        guard tokens[i].kind == .object, let tag = member(i, "_o"), stringEquals(tag, "exc") else {
            throw fail(i, "error must be an object with \"_o\": \"exc\"")
        }
        try checkUniqueKeys(i)
        var type = ""
        var text: String?
        var details: [String: String] = [:]
        var m = i + 1
        for _ in 0..<tokens[i].count {
            let k = m
            let v = m + 1
            m = next(v)
            if keyEquals(k, "_o") || keyEquals(k, "_oi") { continue }
            guard tokens[v].kind == .string else {
                throw fail(v, "error attribute '\(clip(string(k)))' must be a string, not \(kindName(v))")
            }
            if keyEquals(k, "_t") {
                type = string(v)
            } else if keyEquals(k, "_r") {
                text = string(v)
            } else {
                details[try unescapeKey(k)] = string(v)
            }
        }
        guard !type.isEmpty else { throw fail(i, "error without its type _t") }
        var kind = BrokerError.Kind(rawValue: type)
        if kind == nil, type == "UnknownCommandError" { kind = .unknownCommand }
        if kind == nil { details["_t"] = type }
        return BrokerError(kind ?? .internal, text ?? type, details: details)
    }

    // MARK: - Values

    mutating func decodeValue(_ i: Int, depth: Int) throws(BrokerError) -> Value {
        budget -= 1
        guard budget >= 0 else { throw fail(i, "more than the limit of \(maxElements) values") }
        switch tokens[i].kind {
        case .null: return .null
        case .true: return .bool(true)
        case .false: return .bool(false)
        case .int: return .int(try int(i, what: "integer"))
        case .float: return .double(try double(i))
        case .string: return .string(string(i))
        case .array:
            guard depth <= maxDepth else { throw depthError(i) }
            return .list(try decodeElements(i, depth: depth))
        case .object:
            guard depth <= maxDepth else { throw depthError(i) }
            return try decodeObject(i, depth: depth)
        }
    }

    mutating func decodeElements(_ i: Int, depth: Int) throws(BrokerError) -> [Value] {
        var list: [Value] = []
        list.reserveCapacity(Int(tokens[i].count))
        var e = i + 1
        for _ in 0..<tokens[i].count {
            list.append(try decodeValue(e, depth: depth + 1))
            e = next(e)
        }
        return list
    }

    mutating func decodeObject(_ i: Int, depth: Int) throws(BrokerError) -> Value {
        var tag = -1
        var oi = -1
        var or = -1
        var m = i + 1
        for _ in 0..<tokens[i].count {
            let k = m
            let v = m + 1
            m = next(v)
            guard maybeMetaKey(k) else { continue }
            if keyEquals(k, "_o") {
                guard tag < 0 else { throw fail(k, "duplicate key '_o'") }
                tag = v
            } else if keyEquals(k, "_oi") {
                guard oi < 0 else { throw fail(k, "duplicate key '_oi'") }
                oi = v
            } else if keyEquals(k, "_or") {
                guard or < 0 else { throw fail(k, "duplicate key '_or'") }
                or = v
            }
        }
        if or >= 0 {
            guard tokens[i].count == 1 else { throw fail(i, "an _or reference must have no other keys") }
            guard tokens[or].kind == .int else { throw fail(or, "_or must be an integer id, not \(kindName(or))") }
            return try resolve(try int(or, what: "_or id"), at: or, depth: depth)
        }
        var oid: Int64?
        if oi >= 0 {
            guard tokens[oi].kind == .int else { throw fail(oi, "_oi must be an integer id, not \(kindName(oi))") }
            let id = try int(oi, what: "_oi id")
            switch shared[id] {
            case .done(let value, let size)?:
                try consume(size - 1, at: i)
                return value
            case .inProgress?:
                throw fail(i, "object with _oi \(id) contains itself")
            case .pending(let at)?:
                guard at == i else { throw fail(oi, "duplicate _oi \(id)") }
            case nil:
                break
            }
            shared[id] = .inProgress(nil)
            oid = id
        }
        let before = budget
        let value: Value
        if tag >= 0 {
            guard tokens[tag].kind == .string else {
                throw fail(tag, "_o must be a string naming the type, not \(kindName(tag))")
            }
            value = try decodeTyped(i, tag: tag, oid: oid, depth: depth)
        } else {
            value = .dict(try decodeDict(i, depth: depth))
        }
        if let oid { shared[oid] = .done(value, before - budget + 1) }
        return value
    }

    /// A plain dict (or the members of an `adict`): keys unescaped, meta keys skipped.
    mutating func decodeDict(_ i: Int, depth: Int) throws(BrokerError) -> OrderedDictionary<String, Value> {
        if let last = recent.dict, sameKeys(i, last.token) {
            // Written with the same key texts as the last dict: the same keys, in the same
            // order, none skipped and none repeated. Its keys are shared; values set by position.
            var dict = last.dict
            var v = i + 2
            for position in 0..<dict.count {
                dict.values[position] = try decodeValue(v, depth: depth + 1)
                v = next(v) + 1
            }
            return dict
        }
        var dict = OrderedDictionary<String, Value>(minimumCapacity: Int(tokens[i].count))
        var m = i + 1
        for _ in 0..<tokens[i].count {
            let k = m
            let v = m + 1
            m = next(v)
            if maybeMetaKey(k), keyEquals(k, "_oi") || keyEquals(k, "_o") { continue }
            let key = try unescapeKey(k)
            let value = try decodeValue(v, depth: depth + 1)
            guard dict.updateValue(value, forKey: key) == nil else {
                throw fail(k, "duplicate key '\(clip(key))'")
            }
        }
        if dict.count == Int(tokens[i].count) { recent.dict = (i, dict) }
        return dict
    }

    /// Whether objects `a` and `b` have the same number of members and their keys are
    /// written with the same bytes, in order.
    func sameKeys(_ a: Int, _ b: Int) -> Bool {
        guard tokens[a].count == tokens[b].count else { return false }
        var x = a + 1
        var y = b + 1
        for _ in 0..<tokens[a].count {
            guard sameText(x, y) else { return false }
            x = next(x + 1)
            y = next(y + 1)
        }
        return true
    }

    /// The value an `_or` reference stands for.
    mutating func resolve(_ id: Int64, at i: Int, depth: Int) throws(BrokerError) -> Value {
        switch shared[id] {
        case nil:
            throw fail(i, "_or refers to the unknown id \(id)")
        case .pending(let definition)?:
            budget += 1  // the definition counts itself
            return try decodeValue(definition, depth: depth)
        case .inProgress(let ref)?:
            guard let ref else {
                throw fail(
                    i, "_or \(id) refers to a value that contains it: cycles are only supported through Obj or Info")
            }
            return .ref(ref)
        case .done(let value, let size)?:
            try consume(size - 1, at: i)
            return value
        }
    }

    /// Marks an object being decoded as known by its ref, so that cycles back to it decode
    /// to that ref.
    mutating func register(_ oid: Int64?, _ ref: Ref) {
        if let oid { shared[oid] = .inProgress(ref) }
    }

    mutating func consume(_ count: Int, at i: Int) throws(BrokerError) {
        budget -= count
        guard budget >= 0 else { throw fail(i, "more than the limit of \(maxElements) values") }
    }

    // MARK: - Sharing

    /// Finds every `_oi` definition (outside `json` documents) before decoding, so that
    /// `_or` may refer forward.
    mutating func collectDefinitions() throws(BrokerError) {
        var skips: [(from: Int, to: Int)] = []
        var i = 0
        while i < tokens.count {
            while let s = skips.last, i >= s.from {
                i = max(i, s.to)
                skips.removeLast()
            }
            guard i < tokens.count else { break }
            if tokens[i].kind == .object {
                var isJSON = false
                var document = -1
                var m = i + 1
                for _ in 0..<tokens[i].count {
                    let k = m
                    let v = m + 1
                    m = next(v)
                    if keyEquals(k, "_oi") {
                        guard tokens[v].kind == .int else {
                            throw fail(v, "_oi must be an integer id, not \(kindName(v))")
                        }
                        let id = try int(v, what: "_oi id")
                        guard shared[id] == nil else { throw fail(v, "duplicate _oi \(id)") }
                        shared[id] = .pending(i)
                    } else if keyEquals(k, "_o") {
                        isJSON = stringEquals(v, "json")
                    } else if keyEquals(k, "v") {
                        document = v
                    }
                }
                if isJSON, document >= 0 { skips.append((document, next(document))) }
            }
            i += 1
        }
    }

    // MARK: - Tokens

    @inline(__always) func next(_ i: Int) -> Int { Int(tokens[i].next) }

    func slice(_ i: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: bytes[Int(tokens[i].start)..<Int(tokens[i].end)])
    }

    /// The text of a string token, escapes resolved.
    func string(_ i: Int) -> String {
        let raw = slice(i)
        if !tokens[i].escaped { return String(decoding: raw, as: UTF8.self) }
        return String(unsafeUninitializedCapacity: raw.count) { out in unescape(raw, into: out) }
    }

    /// Whether the string token equals `literal` (compared after unescaping).
    func stringEquals(_ i: Int, _ literal: StaticString) -> Bool {
        guard tokens[i].kind == .string else { return false }
        if tokens[i].escaped { return string(i) == literal.description }
        let raw = slice(i)
        guard raw.count == literal.utf8CodeUnitCount else { return false }
        let l = literal.utf8Start
        for j in 0..<raw.count where raw[j] != l[j] { return false }
        return true
    }

    @inline(__always) func keyEquals(_ k: Int, _ literal: StaticString) -> Bool { stringEquals(k, literal) }

    /// Whether key token `k` may be `_o`, `_oi` or `_or` (cheap pre-check).
    @inline(__always) func maybeMetaKey(_ k: Int) -> Bool {
        let t = tokens[k]
        if t.escaped { return true }
        let n = t.end - t.start
        return (n == 2 || n == 3) && bytes[Int(t.start)] == UInt8(ascii: "_")
            && bytes[Int(t.start) + 1] == UInt8(ascii: "o")
    }

    /// The value token of member `name` of object `i`.
    func member(_ i: Int, _ name: StaticString) -> Int? {
        var m = i + 1
        for _ in 0..<tokens[i].count {
            if keyEquals(m, name) { return m + 1 }
            m = next(m + 1)
        }
        return nil
    }

    /// A dict key with the `_o` escape undone (`_o_x` → `_ox`).
    func unescapeKey(_ k: Int) throws(BrokerError) -> String {
        // Most keys neither start with `_o` nor hold escapes: made straight from the bytes.
        let t = tokens[k]
        if !t.escaped
            && (t.end - t.start < 2 || bytes[Int(t.start)] != UInt8(ascii: "_")
                || bytes[Int(t.start) + 1] != UInt8(ascii: "o"))
        {
            return string(k)
        }
        let key = string(k)
        let u = Array(key.utf8)
        guard u.count >= 2, u[0] == UInt8(ascii: "_"), u[1] == UInt8(ascii: "o") else { return key }
        guard u.count >= 3, u[2] == UInt8(ascii: "_") else {
            throw fail(k, "key '\(clip(key))' starts with _o but is not escaped (expected _o_…)")
        }
        return String(decoding: u[0..<2] + u[3...], as: UTF8.self)
    }

    /// The value tokens of the members a `LIST`, `Ref`, `Obj` or `Info` is made of.
    struct Slots {
        var k: Int?
        var c: Int?
        var f: Int?
        var r: Int?
        var d: Int?
    }

    /// The members `k`, `c`, `f`, `r` and `_d` of object `i`, found in one pass that also
    /// throws unless every key is distinct (as ``checkUniqueKeys(_:)``, which it calls when
    /// the object has other keys or escaped ones). `_o`, `_oi` and `_or` are skipped: the
    /// caller has checked them.
    func slots(_ i: Int) throws(BrokerError) -> Slots {
        var s = Slots()
        var others = false
        var m = i + 1
        for _ in 0..<tokens[i].count {
            let t = tokens[m]
            let v = m + 1
            m = next(v)
            let n = t.end - t.start
            if t.escaped {
                // Rare: compared by its text once unescaped.
                others = true
                switch string(v - 1) {
                case "k": try fill(&s.k, v, "k")
                case "c": try fill(&s.c, v, "c")
                case "f": try fill(&s.f, v, "f")
                case "r": try fill(&s.r, v, "r")
                case "_d": try fill(&s.d, v, "_d")
                default: break
                }
                continue
            }
            guard n >= 1, n <= 3 else {
                others = true
                continue
            }
            let start = Int(t.start)
            let first = bytes[start]
            if n == 1 {
                switch first {
                case UInt8(ascii: "k"): try fill(&s.k, v, "k")
                case UInt8(ascii: "c"): try fill(&s.c, v, "c")
                case UInt8(ascii: "f"): try fill(&s.f, v, "f")
                case UInt8(ascii: "r"): try fill(&s.r, v, "r")
                default: others = true
                }
            } else if first == UInt8(ascii: "_"), n == 2, bytes[start + 1] == UInt8(ascii: "d") {
                try fill(&s.d, v, "_d")
            } else if !isMetaKey(v - 1) {
                others = true
            }
        }
        if others { try checkUniqueKeys(i) }
        return s
    }

    /// Sets `slot` to value token `v` of key `name`, unless the key came before.
    private func fill(_ slot: inout Int?, _ v: Int, _ name: StaticString) throws(BrokerError) {
        guard slot == nil else { throw fail(v - 1, "duplicate key '\(name)'") }
        slot = v
    }

    /// Whether object `i` has an `_o`, `_oi` or `_or` key.
    func hasMetaKey(_ i: Int) -> Bool {
        var m = i + 1
        for _ in 0..<tokens[i].count {
            if isMetaKey(m) { return true }
            m = next(m + 1)
        }
        return false
    }

    /// Whether key token `k` is `_o`, `_oi` or `_or`.
    func isMetaKey(_ k: Int) -> Bool {
        maybeMetaKey(k) && (keyEquals(k, "_o") || keyEquals(k, "_oi") || keyEquals(k, "_or"))
    }

    /// Throws unless every key of object `i` is distinct.
    func checkUniqueKeys(_ i: Int) throws(BrokerError) {
        let count = Int(tokens[i].count)
        guard count > 1 else { return }
        if count <= 16 {
            var a = i + 1
            for x in 0..<(count - 1) {
                var b = next(a + 1)
                for _ in (x + 1)..<count {
                    if keysEqual(a, b) { throw fail(b, "duplicate key '\(clip(string(b)))'") }
                    b = next(b + 1)
                }
                a = next(a + 1)
            }
        } else {
            var seen: Set<String> = []
            var m = i + 1
            for _ in 0..<count {
                guard seen.insert(string(m)).inserted else { throw fail(m, "duplicate key '\(clip(string(m)))'") }
                m = next(m + 1)
            }
        }
    }

    /// Whether tokens `a` and `b` span the same bytes of text.
    func sameText(_ a: Int, _ b: Int) -> Bool {
        let x = slice(a)
        let y = slice(b)
        return x.count == y.count && (x.count == 0 || memcmpEqual(x, y))
    }

    func keysEqual(_ a: Int, _ b: Int) -> Bool {
        if tokens[a].escaped || tokens[b].escaped { return string(a) == string(b) }
        return sameText(a, b)
    }

    func int(_ i: Int, what: String) throws(BrokerError) -> Int64 {
        let raw = slice(i)
        var j = 0
        let negative = raw[0] == UInt8(ascii: "-")
        if negative { j = 1 }
        var v: Int64 = 0
        while j < raw.count {
            let d = Int64(raw[j] &- UInt8(ascii: "0"))
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (s, o2) = negative ? m.subtractingReportingOverflow(d) : m.addingReportingOverflow(d)
            guard !o1 && !o2 else {
                throw fail(
                    i, "\(what) \(clip(String(decoding: raw, as: UTF8.self))) is outside the 64-bit integer range")
            }
            v = s
            j += 1
        }
        return v
    }

    func double(_ i: Int) throws(BrokerError) -> Double {
        let text = String(decoding: slice(i), as: UTF8.self)
        guard let d = Double(text), d.isFinite else {
            throw fail(i, "number \(clip(text)) is outside the range of a double")
        }
        return d
    }

    func kindName(_ i: Int) -> String {
        switch tokens[i].kind {
        case .null: return "null"
        case .true, .false: return "a boolean"
        case .int, .float: return "a number"
        case .string: return "a string"
        case .object: return "an object"
        case .array: return "an array"
        }
    }

    func depthError(_ i: Int) -> BrokerError {
        fail(i, "nesting (including _or references) deeper than the limit of \(maxDepth) levels")
    }

    func fail(_ i: Int, _ what: String) -> BrokerError {
        BrokerError.badRequest("bad message at byte \(tokens[i].start): \(what)")
    }
}

private func memcmpEqual(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>) -> Bool {
    for j in 0..<x.count where x[j] != y[j] { return false }
    return true
}

/// Shortens untrusted text quoted in an error message.
func clip(_ s: String) -> String { BrokerError.excerpt(s) }

/// Resolves the escapes of a validated JSON string body into `out` (which is large
/// enough: unescaping never grows a string); returns the number of bytes written.
func unescape(_ raw: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>) -> Int {
    var i = 0
    var o = 0
    let n = raw.count
    while i < n {
        let c = raw[i]
        guard c == UInt8(ascii: "\\") else {
            out[o] = c
            o += 1
            i += 1
            continue
        }
        let e = raw[i + 1]
        i += 2
        var scalar: UInt32
        switch e {
        case UInt8(ascii: "b"): scalar = 0x08
        case UInt8(ascii: "f"): scalar = 0x0C
        case UInt8(ascii: "n"): scalar = 0x0A
        case UInt8(ascii: "r"): scalar = 0x0D
        case UInt8(ascii: "t"): scalar = 0x09
        case UInt8(ascii: "u"):
            scalar = hex4(raw, i)
            i += 4
            if scalar >= 0xD800 && scalar <= 0xDBFF {
                let low = hex4(raw, i + 2)
                i += 6
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
        default: scalar = UInt32(e)
        }
        if scalar < 0x80 {
            out[o] = UInt8(scalar)
            o += 1
        } else if scalar < 0x800 {
            out[o] = UInt8(0xC0 | scalar >> 6)
            out[o + 1] = UInt8(0x80 | scalar & 0x3F)
            o += 2
        } else if scalar < 0x10000 {
            out[o] = UInt8(0xE0 | scalar >> 12)
            out[o + 1] = UInt8(0x80 | scalar >> 6 & 0x3F)
            out[o + 2] = UInt8(0x80 | scalar & 0x3F)
            o += 3
        } else {
            out[o] = UInt8(0xF0 | scalar >> 18)
            out[o + 1] = UInt8(0x80 | scalar >> 12 & 0x3F)
            out[o + 2] = UInt8(0x80 | scalar >> 6 & 0x3F)
            out[o + 3] = UInt8(0x80 | scalar & 0x3F)
            o += 4
        }
    }
    return o
}

private func hex4(_ raw: UnsafeBufferPointer<UInt8>, _ i: Int) -> UInt32 {
    var v: UInt32 = 0
    for j in i..<(i + 4) { v = v << 4 | (hexValue(raw[j]) ?? 0) }
    return v
}
