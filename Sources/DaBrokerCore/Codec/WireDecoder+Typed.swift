import Foundation
import OrderedCollections

extension WireDecoder {
    /// A dict with an `_o` tag: dispatches on the tag.
    mutating func decodeTyped(_ i: Int, tag: Int, oid: Int64?, depth: Int) throws(BrokerError) -> Value {
        // The tags of nearly every value of a reply, told apart from the tag's bytes.
        if stringEquals(tag, "LIST") {
            guard let d = try slots(i).d else { throw fail(i, "LIST without its elements _d") }
            guard tokens[d].kind == .array else { throw fail(d, "LIST _d must be an array, not \(kindName(d))") }
            guard depth + 1 <= maxDepth else { throw depthError(d) }
            return .list(try decodeElements(d, depth: depth + 1))
        }
        if stringEquals(tag, "Obj") { return .object(try decodeObj(i, try slots(i), oid: oid, depth: depth)) }
        if stringEquals(tag, "Ref") { return try refValue(i, depth: depth) }
        try checkUniqueKeys(i)
        switch string(tag) {
        case "_ROOT":
            return .ref(Ref(key: .metaRoot))
        case "Info":
            return .info(try decodeInfo(i, try slots(i), oid: oid, depth: depth))
        case "date":
            return .date(try decodeDate(i))
        case "datetime":
            return .timestamp(try decodeDatetime(i))
        case "time":
            return .time(try decodeTime(i))
        case "timedelta":
            return .interval(try decodeTimedelta(i))
        case "Dec":
            let s = try requiredString(i, "s", in: "Dec")
            guard isDecimal(s) else { throw fail(i, "Dec s '\(clip(s))' is not a decimal number") }
            return .decimal(s)
        case "bin":
            guard let b = member(i, "b"), tokens[b].kind == .string else {
                throw fail(i, "bin needs its base64 text b as a string")
            }
            let decoded: [UInt8]?
            if tokens[b].escaped {
                decoded = Array(string(b).utf8).withUnsafeBufferPointer { Base64.decode($0) }
            } else {
                decoded = Base64.decode(slice(b))
            }
            guard let decoded else { throw fail(b, "bin b is not valid base64") }
            return .bytes(decoded)
        case "uuid":
            let s = try requiredString(i, "s", in: "uuid")
            guard let u = parseUUID(s) else { throw fail(i, "uuid s '\(clip(s))' is not a UUID") }
            return .uuid(u)
        case "json":
            if let v = member(i, "v") {
                var start = Int(tokens[v].start)
                var end = Int(tokens[v].end)
                if tokens[v].kind == .string {
                    start -= 1
                    end += 1
                }
                return .json(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self))
            }
            return .json(try requiredString(i, "s", in: "json"))
        case "Flt":
            switch try requiredString(i, "s", in: "Flt") {
            case "NaN": return .double(.nan)
            case "Infinity": return .double(.infinity)
            case "-Infinity": return .double(-.infinity)
            case let s: throw fail(i, "Flt s '\(clip(s))' is not NaN, Infinity or -Infinity")
            }
        case "adict":
            return .dict(try decodeDict(i, depth: depth))
        case "exc":
            throw fail(i, "an exc value is only allowed as a message's error")
        case "_F", "_R", "_B", "_C":
            throw fail(i, "attribute descriptor \(string(tag)) is only allowed inside an Info's f")
        default:
            throw fail(tag, "unknown _o tag '\(clip(string(tag)))'")
        }
    }

    // MARK: - Objects

    /// A `Ref`. A reply repeats refs (every object of a find carries its table's `_meta`
    /// ref): the same text as the last ref, at no greater depth, is that ref again and costs
    /// the same budget. Kept out of `decodeTyped`, whose frame is on the stack once per level
    /// of nesting (the depth cap is tested on a task's stack in a debug build).
    @inline(never)
    mutating func refValue(_ i: Int, depth: Int) throws(BrokerError) -> Value {
        if let last = recent.ref, depth <= last.depth, sameText(i, last.token) {
            try consume(last.cost, at: i)
            return .ref(last.ref)
        }
        let before = budget
        let ref = try decodeRef(i, try slots(i), depth: depth, tag: "Ref")
        recent.ref = (i, depth, before - budget, ref)
        return .ref(ref)
    }

    /// `k` and `c` of a `Ref`, `Obj` or `Info` whose members are `s`.
    mutating func decodeRef(_ i: Int, _ s: Slots, depth: Int, tag: String) throws(BrokerError) -> Ref {
        guard let k = s.k else { throw fail(i, "\(tag) without its key k") }
        let key = try decodeKey(k, depth: depth, tag: tag)
        var code: String?
        if let c = s.c, tokens[c].kind != .null {
            guard tokens[c].kind == .string else { throw fail(c, "\(tag) access code c must be a string") }
            code = string(c)
        }
        return Ref(key: key, code: code)
    }

    mutating func decodeKey(_ k: Int, depth: Int, tag: String) throws(BrokerError) -> ObjectKey {
        guard case .list(let parts) = try decodeValue(k, depth: depth + 1) else {
            throw fail(k, "\(tag) key k must be a LIST")
        }
        for part in parts {
            switch part {
            case .list, .dict, .ref, .object, .info:
                throw fail(k, "\(tag) key k must hold only scalars (strings, numbers, …)")
            default: continue
            }
        }
        return ObjectKey(parts)
    }

    mutating func decodeObj(_ i: Int, _ s: Slots, oid: Int64?, depth: Int) throws(BrokerError) -> ObjectValue {
        let ref = try decodeRef(i, s, depth: depth, tag: "Obj")
        register(oid, ref)
        var object = ObjectValue(ref: ref)
        if let f = s.f, tokens[f].kind != .null {
            guard case .dict(let fields) = try decodeValue(f, depth: depth + 1) else {
                throw fail(f, "Obj fields f must be a dict")
            }
            object.fields = fields
        }
        if let r = s.r, tokens[r].kind != .null {
            object.refs = try decodeRefs(r, depth: depth, tag: "Obj")
        }
        return object
    }

    mutating func decodeRefs(_ r: Int, depth: Int, tag: String) throws(BrokerError) -> OrderedDictionary<
        String, Ref?
    > {
        var refs = OrderedDictionary<String, Ref?>()
        func ref(_ name: String, _ value: Value, _ at: Int) throws(BrokerError) -> Ref? {
            switch value {
            case .ref(let r): return r
            case .null: return nil
            default: throw fail(at, "\(tag) ref r['\(clip(name))'] must be a Ref or null")
            }
        }
        func add(_ name: String, _ value: Value, _ at: Int) throws(BrokerError) {
            guard refs.updateValue(try ref(name, value, at), forKey: name) == nil else {
                throw fail(at, "duplicate key '\(clip(name))'")
            }
        }
        // The usual case, a plain object of refs, is read directly; anything else (shared
        // through _or, say) goes through the general decoder.
        if tokens[r].kind == .object, !hasMetaKey(r) {
            guard depth + 1 <= maxDepth else { throw depthError(r) }
            budget -= 1
            if let last = recent.refs, sameKeys(r, last.token) {
                // The same key texts as the last object's refs (each object of a find has
                // `_meta` and the same references): its keys are shared, refs set by position.
                refs = last.refs
                var v = r + 2
                for position in 0..<refs.count {
                    refs.values[position] = try ref(refs.keys[position], try decodeValue(v, depth: depth + 2), v)
                    v = next(v) + 1
                }
                return refs
            }
            refs.reserveCapacity(Int(tokens[r].count))
            var m = r + 1
            for _ in 0..<tokens[r].count {
                let v = m + 1
                try add(try unescapeKey(m), try decodeValue(v, depth: depth + 2), v)
                m = next(v)
            }
            recent.refs = (r, refs)
            return refs
        }
        guard case .dict(let dict) = try decodeValue(r, depth: depth + 1) else {
            throw fail(r, "\(tag) refs r must be a dict")
        }
        for (name, value) in dict { try add(name, value, r) }
        return refs
    }

    mutating func decodeInfo(_ i: Int, _ s: Slots, oid: Int64?, depth: Int) throws(BrokerError) -> InfoValue {
        let ref = try decodeRef(i, s, depth: depth, tag: "Info")
        register(oid, ref)
        guard let f = s.f, tokens[f].kind == .object else {
            throw fail(i, "Info needs its description f as an object")
        }
        let info = try decodeDescription(f, depth: depth + 1)
        guard let r = s.r else { throw fail(i, "Info without its refs r") }
        let refs = try decodeRefs(r, depth: depth, tag: "Info")
        guard case .some(.some(let meta)) = refs["_meta"] else { throw fail(r, "Info r must hold its _meta Ref") }
        return InfoValue(ref: ref, info: info, meta: meta)
    }

    /// An Info's `f`: name, `_dab_cached` and the `_F`/`_R`/`_B`/`_C` descriptor maps.
    mutating func decodeDescription(_ f: Int, depth: Int) throws(BrokerError) -> BrokeredInfo {
        guard depth <= maxDepth else { throw depthError(f) }
        try checkUniqueKeys(f)
        guard let n = member(f, "name"), tokens[n].kind == .string else {
            throw fail(f, "Info f needs its name as a string")
        }
        var info = BrokeredInfo(name: string(n))
        if let c = member(f, "_dab_cached") ?? member(f, "cached") {
            info.cached = try decodeValue(c, depth: depth + 1)
        }
        info.fields = try fieldDescriptors(f, depth: depth)
        info.refs = try descriptors(f, "refs", tag: "_R", depth: depth).mapValues { RefField($0.name) }
        info.backrefs = try descriptors(f, "backrefs", tag: "_B", depth: depth).mapValues { BackRef($0.name) }
        info.calls = try descriptors(f, "calls", tag: "_C", depth: depth)
        return info
    }

    /// One descriptor map of an Info's `f` (`fields`, `refs`, …), as `Callable`s (the
    /// richest descriptor; the caller keeps what it needs).
    mutating func descriptors(_ f: Int, _ name: StaticString, tag: StaticString, depth: Int) throws(BrokerError)
        -> OrderedDictionary<String, Callable>
    {
        var result = OrderedDictionary<String, Callable>()
        guard let map = member(f, name), tokens[map].kind != .null else { return result }
        guard tokens[map].kind == .object else { throw fail(map, "Info \(name) must be an object") }
        guard depth + 2 <= maxDepth else { throw depthError(map) }
        try checkUniqueKeys(map)
        var m = map + 1
        for _ in 0..<tokens[map].count {
            let k = m
            let d = m + 1
            m = next(d)
            try consume(1, at: d)
            let key = try unescapeKey(k)
            guard tokens[d].kind == .object, let t = member(d, "_o"), stringEquals(t, tag) else {
                throw fail(d, "Info \(name)['\(clip(key))'] must be a \(tag) descriptor object")
            }
            try checkUniqueKeys(d)
            guard let dn = member(d, "name"), tokens[dn].kind == .string, string(dn) == key else {
                throw fail(d, "Info \(name)['\(clip(key))'] must carry the same name")
            }
            var call = Callable(key)
            call.cached = try flag(d, "cached")
            call.meta = try flag(d, "meta")
            result[key] = call
        }
        return result
    }

    /// An Info's `fields`: `_F` descriptors with the column facts a SQL table's fields carry
    /// (`type`, `nullable`, `default`, `writable`, `enum_values`, `element_type`; each optional).
    mutating func fieldDescriptors(_ f: Int, depth: Int) throws(BrokerError) -> OrderedDictionary<String, Field> {
        var result = OrderedDictionary<String, Field>()
        guard let map = member(f, "fields"), tokens[map].kind != .null else { return result }
        guard tokens[map].kind == .object else { throw fail(map, "Info fields must be an object") }
        guard depth + 3 <= maxDepth else { throw depthError(map) }
        try checkUniqueKeys(map)
        var m = map + 1
        for _ in 0..<tokens[map].count {
            let k = m
            let d = m + 1
            m = next(d)
            try consume(1, at: d)
            let key = try unescapeKey(k)
            guard tokens[d].kind == .object, let t = member(d, "_o"), stringEquals(t, "_F") else {
                throw fail(d, "Info fields['\(clip(key))'] must be a _F descriptor object")
            }
            try checkUniqueKeys(d)
            guard let dn = member(d, "name"), tokens[dn].kind == .string, string(dn) == key else {
                throw fail(d, "Info fields['\(clip(key))'] must carry the same name")
            }
            var field = Field(key)
            field.type = try optionalString(d, "type")
            field.nullable = try optionalFlag(d, "nullable")
            field.default = try optionalString(d, "default")
            field.writable = try optionalFlag(d, "writable")
            field.elementType = try optionalString(d, "element_type")
            if let e = member(d, "enum_values"), tokens[e].kind != .null {
                guard tokens[e].kind == .array else { throw fail(e, "descriptor enum_values must be a list") }
                var labels: [String] = []
                var j = e + 1
                for _ in 0..<tokens[e].count {
                    try consume(1, at: j)
                    guard tokens[j].kind == .string else { throw fail(j, "descriptor enum_values holds strings") }
                    labels.append(string(j))
                    j = next(j)
                }
                field.enumValues = labels
            }
            result[key] = field
        }
        return result
    }

    func optionalString(_ d: Int, _ name: StaticString) throws(BrokerError) -> String? {
        guard let v = member(d, name), tokens[v].kind != .null else { return nil }
        guard tokens[v].kind == .string else { throw fail(v, "descriptor \(name) must be a string") }
        return string(v)
    }

    func optionalFlag(_ d: Int, _ name: StaticString) throws(BrokerError) -> Bool? {
        guard let v = member(d, name), tokens[v].kind != .null else { return nil }
        return try flag(d, name)
    }

    func flag(_ d: Int, _ name: StaticString) throws(BrokerError) -> Bool {
        guard let v = member(d, name) else { return false }
        switch tokens[v].kind {
        case .true: return true
        case .false, .null: return false
        default: throw fail(v, "descriptor flag \(name) must be a boolean, not \(kindName(v))")
        }
    }

    // MARK: - Scalars

    func decodeDate(_ i: Int) throws(BrokerError) -> DateValue {
        guard let d = member(i, "d"), tokens[d].kind == .int else {
            throw fail(i, "date needs its day number d as an integer")
        }
        let ordinal = try int(d, what: "date d")
        guard ordinal.magnitude <= 4_000_000_000 else { throw fail(d, "date d \(ordinal) is out of range") }
        let c = CivilCalendar.civil(days: ordinal - CivilCalendar.unixEpochOrdinal)
        return DateValue(year: Int(c.year), month: Int(c.month), day: Int(c.day))
    }

    func decodeDatetime(_ i: Int) throws(BrokerError) -> TimestampValue {
        let (whole, micros) = try seconds(i, in: "datetime")
        guard let us = FixedPoint.combine(whole, micros) else { throw fail(i, "datetime t is out of range") }
        return TimestampValue(microsecondsSinceEpoch: us, utcOffset: try offset(i, in: "datetime"))
    }

    func decodeTime(_ i: Int) throws(BrokerError) -> TimeValue {
        let (whole, micros) = try seconds(i, in: "time")
        guard let us = FixedPoint.combine(whole, micros), us >= 0, us <= 86_400_000_000 else {
            throw fail(i, "time t must be between 0 and 86400 seconds")
        }
        let s = us / 1_000_000
        return TimeValue(
            hour: Int(s / 3600), minute: Int(s / 60 % 60), second: Int(s % 60), microsecond: Int(us % 1_000_000),
            utcOffset: try offset(i, in: "time"))
    }

    func decodeTimedelta(_ i: Int) throws(BrokerError) -> IntervalValue {
        let (whole, micros) = try seconds(i, in: "timedelta")
        let months = try int32(i, "m", in: "timedelta")
        let days = try int32(i, "d", in: "timedelta")
        let base = (Int64(months) * 30 + Int64(days)) * 86_400
        let (rest, o) = whole.subtractingReportingOverflow(base)
        guard !o, let us = FixedPoint.combine(rest, micros) else { throw fail(i, "timedelta t is out of range") }
        return IntervalValue(months: months, days: days, microseconds: us)
    }

    func seconds(_ i: Int, in tag: String) throws(BrokerError) -> (Int64, Int64) {
        guard let t = member(i, "t"), tokens[t].kind == .int || tokens[t].kind == .float else {
            throw fail(i, "\(tag) needs its seconds t as a number")
        }
        guard let v = FixedPoint.parse(slice(t)) else { throw fail(t, "\(tag) t is out of range") }
        return v
    }

    func offset(_ i: Int, in tag: String) throws(BrokerError) -> Int? {
        guard let o = member(i, "o"), tokens[o].kind != .null else { return nil }
        guard tokens[o].kind == .int else { throw fail(o, "\(tag) UTC offset o must be an integer") }
        let v = try int(o, what: "\(tag) o")
        guard v.magnitude < 86_400 else { throw fail(o, "\(tag) UTC offset o must be less than a day") }
        return Int(v)
    }

    func int32(_ i: Int, _ name: StaticString, in tag: String) throws(BrokerError) -> Int32 {
        guard let v = member(i, name), tokens[v].kind != .null else { return 0 }
        guard tokens[v].kind == .int else { throw fail(v, "\(tag) \(name) must be an integer") }
        guard let x = Int32(exactly: try int(v, what: "\(tag) \(name)")) else {
            throw fail(v, "\(tag) \(name) is out of the 32-bit range")
        }
        return x
    }

    func requiredString(_ i: Int, _ name: StaticString, in tag: String) throws(BrokerError) -> String {
        guard let v = member(i, name), tokens[v].kind == .string else {
            throw fail(i, "\(tag) needs \(name) as a string")
        }
        return string(v)
    }
}

/// Whether `s` is an exact decimal as `Dec` carries it: `-?digits[.digits][e±digits]`,
/// or `NaN`, `Infinity`, `-Infinity`.
func isDecimal(_ s: String) -> Bool {
    if s == "NaN" || s == "Infinity" || s == "-Infinity" { return true }
    let u = Array(s.utf8)
    var i = 0
    if i < u.count, u[i] == UInt8(ascii: "-") || u[i] == UInt8(ascii: "+") { i += 1 }
    let intStart = i
    while i < u.count, isDigit(u[i]) { i += 1 }
    var digits = i - intStart
    if i < u.count, u[i] == UInt8(ascii: ".") {
        i += 1
        let f = i
        while i < u.count, isDigit(u[i]) { i += 1 }
        digits += i - f
    }
    guard digits > 0 else { return false }
    if i < u.count, u[i] | 0x20 == UInt8(ascii: "e") {
        i += 1
        if i < u.count, u[i] == UInt8(ascii: "-") || u[i] == UInt8(ascii: "+") { i += 1 }
        let e = i
        while i < u.count, isDigit(u[i]) { i += 1 }
        guard i > e else { return false }
    }
    return i == u.count
}

/// Parses `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (either case).
func parseUUID(_ s: String) -> UUID? {
    let u = Array(s.utf8)
    guard u.count == 36 else { return nil }
    var bytes = [UInt8](repeating: 0, count: 16)
    var j = 0
    var i = 0
    while i < 36 {
        if i == 8 || i == 13 || i == 18 || i == 23 {
            guard u[i] == UInt8(ascii: "-") else { return nil }
            i += 1
            continue
        }
        guard let hi = hexValue(u[i]), let lo = hexValue(u[i + 1]) else { return nil }
        bytes[j] = UInt8(hi << 4 | lo)
        j += 1
        i += 2
    }
    return UUID(
        uuid: (
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9],
            bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
        ))
}
