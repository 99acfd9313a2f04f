import OrderedCollections

/// Writes the wire JSON of messages and values into a byte buffer.
///
/// Compact JSON (no spaces), `_o` first in typed objects. An `Obj` or `Info` that occurs a
/// second time in one message (same key, equal value) is written as `{"_or":N}` and its
/// first occurrence gets `"_oi":N`, inserted once encoding is done.
struct WireEncoder {
    var out: [UInt8] = []
    /// The latest record of each key encoded so far; `records` chains the earlier ones with
    /// the same key (`previous`, -1 at the end), so a new key costs one hash lookup.
    private var seen: [ObjectKey: Int] = [:]
    /// Each object written: where its text starts and ends (`end` -1 while it is written),
    /// its value, its `_oi` id (0: none yet) and the previous record of its key.
    private var records: [(offset: Int, end: Int, value: Value, oid: Int, previous: Int)] = []
    private var inserts: [(offset: Int, oid: Int)] = []
    /// The last ref written and its text: a reply repeats refs (every object of a find
    /// carries its table's `_meta` ref), and a repeat is copied instead of written anew.
    private var lastRef: (ref: Ref, text: [UInt8])?
    /// Set while writing a message's data whose refs get their codes as they are written
    /// (``RefCodes``): any code a ref carries is then replaced.
    var codes: RefCodes?
    /// The codes asked of `codes` so far, by key (an object's own key is not kept: it is
    /// seldom repeated in a reply).
    private var codeMemo: [ObjectKey: String?] = [:]

    /// The envelope keys `Message` itself stands for; `extras` cannot override them.
    static let envelopeKeys: Set<String> = ["data", "msgid", "error", "cache"]

    /// How decimals are written.
    let decimals: DecimalEncoding

    init(capacity: Int = 256, decimals: DecimalEncoding = .exact) {
        self.decimals = decimals
        out.reserveCapacity(capacity)
    }

    /// The finished bytes, with the `_oi` ids of shared objects inserted.
    mutating func finish() -> [UInt8] {
        guard !inserts.isEmpty else { return out }
        inserts.sort { $0.offset < $1.offset }
        var result: [UInt8] = []
        result.reserveCapacity(out.count + inserts.count * 16)
        var from = 0
        for insert in inserts {
            result.append(contentsOf: out[from..<insert.offset])
            result.append(contentsOf: "\"_oi\":".utf8)
            appendDigits(UInt64(insert.oid), into: &result)
            result.append(UInt8(ascii: ","))
            from = insert.offset
        }
        result.append(contentsOf: out[from...])
        return result
    }

    // MARK: - Envelope

    mutating func encode(message m: Message) {
        raw("{")
        var first = true
        if m.error == nil || !m.data.isNull {
            raw("\"data\":")
            encode(m.data)
            codes = nil
            lastRef = nil
            first = false
        }
        if let msgid = m.msgid {
            raw(first ? "\"msgid\":" : ",\"msgid\":")
            writeInt(msgid)
            first = false
        }
        if let error = m.error {
            raw(first ? "\"error\":" : ",\"error\":")
            encode(error: error)
            first = false
        }
        for (key, value) in m.extras where !Self.envelopeKeys.contains(key) && (key != "sid" || m.sid == nil) {
            if !first { raw(",") }
            writeString(key)
            raw(":")
            encode(value)
            first = false
        }
        if let sid = m.sid {
            raw(first ? "\"sid\":" : ",\"sid\":")
            writeString(sid)
        }
        raw("}")
    }

    mutating func encode(error e: BrokerError) {
        raw("{\"_o\":\"exc\",\"_t\":")
        writeString(e.details["_t"] ?? e.kind.rawValue)
        raw(",\"_r\":")
        writeString(e.message)
        for key in e.details.keys.sorted() where key != "_t" && key != "_r" {
            raw(",")
            writeKey(key)
            raw(":")
            writeString(e.details[key] ?? "")
        }
        raw("}")
    }

    // MARK: - Values

    mutating func encode(_ v: Value) {
        switch v {
        case .null: raw("null")
        case .bool(let b): raw(b ? "true" : "false")
        case .int(let i): writeInt(i)
        case .double(let d): writeDouble(d)
        case .decimal(let s):
            guard decimals == .exact else { return writeString(s) }
            raw("{\"_o\":\"Dec\",\"s\":")
            writeString(s)
            raw("}")
        case .string(let s): writeString(s)
        case .bytes(let b):
            raw("{\"_o\":\"bin\",\"b\":\"")
            Base64.encode(b, into: &out)
            raw("\"}")
        case .date(let d): writeDate(d)
        case .time(let t): writeTime(t)
        case .timestamp(let t): writeTimestamp(t)
        case .interval(let i): writeInterval(i)
        case .uuid(let u): writeUUID(u)
        case .json(let text): writeJson(text)
        case .list(let list): writeList(list)
        case .dict(let dict): writeDict(dict)
        case .ref(let r): writeRef(r)
        case .object(let o): writeObject(o, whole: v)
        case .info(let i): writeInfo(i, whole: v)
        }
    }

    mutating func writeList(_ list: [Value]) {
        // A list of objects (a find's result) fills `seen` with their keys: room at once.
        if seen.isEmpty, list.count > 8, case .object = list[0] { seen.reserveCapacity(list.count) }
        raw("{\"_o\":\"LIST\",\"_d\":[")
        var first = true
        for e in list {
            if !first { raw(",") }
            encode(e)
            first = false
        }
        raw("]}")
    }

    mutating func writeDict(_ dict: OrderedDictionary<String, Value>) {
        raw("{")
        var first = true
        for (k, v) in dict {
            if !first { raw(",") }
            writeKey(k)
            raw(":")
            encode(v)
            first = false
        }
        raw("}")
    }

    mutating func writeRef(_ r: Ref) {
        if r.key.isMetaRoot {
            raw("{\"_o\":\"_ROOT\"}")
            return
        }
        if let last = lastRef, Self.sameText(last.ref, r, codesGiven: codes == nil) {
            out.append(contentsOf: last.text)
            return
        }
        let start = out.count
        raw("{\"_o\":\"Ref\",")
        writeKeyAndCode(r, remembered: true)
        raw("}")
        lastRef = (r, Array(out[start...]))
    }

    /// Whether `a` and `b` are written as the same text: the same key (`ObjectKey` compares
    /// text by its bytes) made of strings and integers only, and, when they are written with
    /// the codes they carry, the same code, byte for byte.
    private static func sameText(_ a: Ref, _ b: Ref, codesGiven: Bool) -> Bool {
        guard a.key == b.key else { return false }
        for part in a.key.parts {
            switch part {
            case .string, .int: continue
            default: return false  // `==` may call two texts equal (0.0 and -0.0)
            }
        }
        guard codesGiven else { return true }
        switch (a.code, b.code) {
        case (nil, nil): return true
        case (let c?, let d?): return JSONString.sameBytes(c, d)
        default: return false
        }
    }

    /// Writes the ref's key and code: the code it carries, or with ``codes`` the one they
    /// give (`remembered`: kept for the key's next ref in this message).
    mutating func writeKeyAndCode(_ r: Ref, remembered: Bool) {
        raw("\"k\":")
        let keyStart = out.count
        writeList(r.key.parts)
        let code: String?
        if let codes {
            if remembered, let known = codeMemo[r.key] {
                code = known
            } else {
                code = canonicalKey(r.key, writtenFrom: keyStart) { codes.code(r.key, $0) }
                if remembered { codeMemo[r.key] = code }
            }
        } else {
            code = r.code
        }
        if let code {
            raw(",\"c\":")
            writeString(code)
        }
    }

    /// Calls `body` with the canonical bytes of `key`: those just written from `start` on,
    /// unless decimals are written inexactly (then the key is written aside).
    private func canonicalKey<R>(_ key: ObjectKey, writtenFrom start: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        guard decimals == .exact else {
            var aside = WireEncoder(capacity: out.count - start, decimals: .exact)
            aside.writeList(key.parts)
            return aside.out.withUnsafeBytes(body)
        }
        return out.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[start...])) }
    }

    /// Writes `{"_or":N}` and returns nil if the same object was already written; otherwise
    /// returns the object's new record (the caller writes the object and sets its `end`).
    ///
    /// The same object means an equal value written as the same text: `==` on `Value` calls
    /// strings equal that differ in Unicode normalisation, and such a copy must keep its own
    /// text. An equal candidate is therefore written once more, aside, and compared byte for
    /// byte (only when a key repeats with an equal value, which is rare).
    mutating func shareIfSeen(_ key: ObjectKey, _ whole: Value) -> Int? {
        let latest = seen.updateValue(records.count, forKey: key) ?? -1
        var index = latest
        while index >= 0 {
            guard records[index].value == whole, writtenAlike(whole, records[index]) else {
                index = records[index].previous
                continue
            }
            seen[key] = latest
            var oid = records[index].oid
            if oid == 0 {
                oid = inserts.count + 1
                records[index].oid = oid
                inserts.append((records[index].offset + 1, oid))
            }
            raw("{\"_or\":")
            appendDigits(UInt64(oid), into: &out)
            raw("}")
            return nil
        }
        records.append((out.count, -1, whole, 0, latest))
        return records.count - 1
    }

    /// Whether `value` is written as the text of `record` (an object still being written,
    /// or one holding shared copies, is not: it is then written again in full).
    private func writtenAlike(_ value: Value, _ record: (offset: Int, end: Int, value: Value, oid: Int, previous: Int))
        -> Bool
    {
        guard record.end >= record.offset else { return false }
        var aside = WireEncoder(capacity: record.end - record.offset, decimals: decimals)
        aside.codes = codes
        aside.encode(value)
        return aside.finish().elementsEqual(out[record.offset..<record.end])
    }

    mutating func writeObject(_ o: ObjectValue, whole: Value) {
        guard let record = shareIfSeen(o.ref.key, whole) else { return }
        raw("{\"_o\":\"Obj\",")
        writeKeyAndCode(o.ref, remembered: false)
        raw(",\"f\":")
        writeDict(o.fields)
        raw(",\"r\":{")
        var first = true
        for (name, r) in o.refs {
            if !first { raw(",") }
            writeKey(name)
            raw(":")
            if let r { writeRef(r) } else { raw("null") }
            first = false
        }
        raw("}}")
        records[record].end = out.count
    }

    mutating func writeInfo(_ i: InfoValue, whole: Value) {
        guard let record = shareIfSeen(i.ref.key, whole) else { return }
        raw("{\"_o\":\"Info\",")
        writeKeyAndCode(i.ref, remembered: true)
        raw(",\"f\":{\"name\":")
        writeString(i.info.name)
        raw(",\"_dab_cached\":")
        // The cached values travel as they are, with the codes they carry (if any).
        let signing = codes
        codes = nil
        lastRef = nil
        encode(i.info.cached)
        codes = signing
        lastRef = nil
        raw(",\"fields\":")
        writeFieldDescriptors(i.info.fields)
        raw(",\"refs\":")
        writeDescriptors(i.info.refs.keys, tag: "_R")
        raw(",\"backrefs\":")
        writeDescriptors(i.info.backrefs.keys, tag: "_B")
        raw(",\"calls\":{")
        var first = true
        for (name, call) in i.info.calls {
            if !first { raw(",") }
            writeKey(name)
            raw(":{\"_o\":\"_C\",\"name\":")
            writeString(name)
            if call.cached { raw(",\"cached\":true") }
            if call.meta { raw(",\"meta\":true") }
            raw("}")
            first = false
        }
        raw("}},\"r\":{\"_meta\":")
        writeRef(i.meta)
        raw("}}")
        records[record].end = out.count
    }

    /// The `_F` descriptors, each with its column facts as extra keys when it has them (the
    /// original Python client sets them as attributes of its `Field`).
    mutating func writeFieldDescriptors(_ fields: OrderedDictionary<String, Field>) {
        raw("{")
        var first = true
        for (name, f) in fields {
            if !first { raw(",") }
            writeKey(name)
            raw(":{\"_o\":\"_F\",\"name\":")
            writeString(name)
            if f.hasColumnFacts {
                if let t = f.type {
                    raw(",\"type\":")
                    writeString(t)
                }
                if let n = f.nullable { raw(n ? ",\"nullable\":true" : ",\"nullable\":false") }
                if let d = f.default {
                    raw(",\"default\":")
                    writeString(d)
                }
                if let w = f.writable { raw(w ? ",\"writable\":true" : ",\"writable\":false") }
                if let e = f.enumValues {
                    raw(",\"enum_values\":[")
                    for (j, label) in e.enumerated() {
                        if j > 0 { raw(",") }
                        writeString(label)
                    }
                    raw("]")
                }
                if let t = f.elementType {
                    raw(",\"element_type\":")
                    writeString(t)
                }
            }
            raw("}")
            first = false
        }
        raw("}")
    }

    mutating func writeDescriptors(_ names: OrderedSet<String>, tag: StaticString) {
        raw("{")
        var first = true
        for name in names {
            if !first { raw(",") }
            writeKey(name)
            raw(":{\"_o\":\"")
            raw(tag)
            raw("\",\"name\":")
            writeString(name)
            raw("}")
            first = false
        }
        raw("}")
    }
}
