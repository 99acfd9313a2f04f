import DaBrokerCore
import Foundation
import OrderedCollections

/// TEMPORARY stand-in for the JSON codec of DaBrokerCore (being written on the `codec`
/// branch); removed when that lands. Covers what the server sends and receives.
enum InterimJSONCodec {
    static func encode(_ m: Message, sid: String) throws -> [UInt8] {
        var env: [String: Any] = [:]
        if let e = m.error {
            var ex: [String: Any] = ["_o": "exc", "_t": e.kind.rawValue, "_r": e.message]
            for (k, v) in e.details { ex[k] = v }
            env["error"] = ex
        } else {
            env["data"] = try enc(m.data)
        }
        if let id = m.msgid { env["msgid"] = id }
        env["sid"] = sid
        return Array(try JSONSerialization.data(withJSONObject: env, options: [.sortedKeys]))
    }

    static func encodeValue(_ v: Value) throws -> [UInt8] {
        Array(try JSONSerialization.data(withJSONObject: enc(v), options: [.sortedKeys, .fragmentsAllowed]))
    }

    static func ref(_ r: Ref) -> Any {
        if r.key.isMetaRoot { return ["_o": "_ROOT"] }
        var d: [String: Any] = ["_o": "Ref", "k": ["_o": "LIST", "_d": r.key.parts.map { try? enc($0) }]]
        if let c = r.code { d["c"] = c }
        return d
    }

    static func enc(_ v: Value) throws -> Any {
        switch v {
        case .null: return NSNull()
        case .bool(let b): return b
        case .int(let i): return i
        case .double(let d): return d
        case .decimal(let s): return ["_o": "Dec", "s": s]
        case .string(let s): return s
        case .list(let l): return ["_o": "LIST", "_d": try l.map(enc)]
        case .dict(let d):
            var out: [String: Any] = [:]
            for (k, v) in d { out[k.hasPrefix("_o") ? "_o_" + k.dropFirst(2) : k] = try enc(v) }
            return out
        case .ref(let r): return ref(r)
        case .object(let o):
            var f: [String: Any] = [:]
            for (k, v) in o.fields { f[k] = try enc(v) }
            var r: [String: Any] = [:]
            for (k, v) in o.refs { r[k] = v.map(ref) ?? NSNull() }
            var d: [String: Any] = [
                "_o": "Obj", "k": ["_o": "LIST", "_d": try o.ref.key.parts.map(enc)], "f": f, "r": r,
            ]
            if let c = o.ref.code { d["c"] = c }
            return d
        case .info(let i):
            func named<T>(_ xs: OrderedDictionary<String, T>, _ tag: String) -> [String: Any] {
                var out: [String: Any] = [:]
                for k in xs.keys { out[k] = ["name": k, "_o": tag] }
                return out
            }
            var calls: [String: Any] = [:]
            for (k, c) in i.info.calls {
                var d: [String: Any] = ["name": k, "_o": "_C"]
                if c.cached { d["cached"] = true }
                if c.meta { d["meta"] = true }
                calls[k] = d
            }
            let f: [String: Any] = [
                "name": i.info.name, "_dab_cached": try enc(i.info.cached), "fields": named(i.info.fields, "_F"),
                "refs": named(i.info.refs, "_R"), "backrefs": named(i.info.backrefs, "_B"), "calls": calls,
            ]
            var d: [String: Any] = [
                "_o": "Info", "k": ["_o": "LIST", "_d": try i.ref.key.parts.map(enc)], "f": f,
                "r": ["_meta": ref(i.meta)],
            ]
            if let c = i.ref.code { d["c"] = c }
            return d
        default: throw BrokerError.internal("interim codec cannot encode \(v)")
        }
    }

    static func decode(_ bytes: [UInt8]) throws -> Message {
        guard
            let env = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
                as? [String: Any]
        else { throw BrokerError.badRequest("not a JSON object") }
        var m = Message()
        if let e = env["error"] as? [String: Any] {
            let kind = BrokerError.Kind(rawValue: e["_t"] as? String ?? "") ?? .internal
            var details: [String: String] = [:]
            for (k, v) in e where !["_o", "_t", "_r"].contains(k) { details[k] = "\(v)" }
            m.error = BrokerError(kind, e["_r"] as? String ?? "", details: details)
        }
        if let d = env["data"] { m.data = try dec(d) }
        if let id = env["msgid"] as? NSNumber { m.msgid = id.int64Value }
        return m
    }

    static func keyParts(_ any: Any?) throws -> [Value] {
        guard case .list(let l) = try dec(any ?? NSNull()) else { throw BrokerError.badRequest("bad key") }
        return l
    }

    static func dec(_ a: Any) throws -> Value {
        switch a {
        case is NSNull: return .null
        case let n as NSNumber:
            let t = String(cString: n.objCType)
            if t == "c" || t == "B" { return .bool(n.boolValue) }
            if t == "d" || t == "f" { return .double(n.doubleValue) }
            return .int(n.int64Value)
        case let s as String: return .string(s)
        case let l as [Any]: return .list(try l.map(dec))
        case let d as [String: Any]:
            switch d["_o"] as? String {
            case "LIST"?: return .list(try (d["_d"] as? [Any] ?? []).map(dec))
            case "_ROOT"?: return .ref(Ref(key: .metaRoot))
            case "Dec"?: return .decimal(d["s"] as? String ?? "0")
            case "Ref"?: return .ref(Ref(key: ObjectKey(try keyParts(d["k"])), code: d["c"] as? String))
            case "Obj"?:
                let ref = Ref(key: ObjectKey(try keyParts(d["k"])), code: d["c"] as? String)
                var fields = OrderedDictionary<String, Value>()
                for (k, v) in (d["f"] as? [String: Any] ?? [:]).sorted(by: { $0.key < $1.key }) {
                    fields[k] = try dec(v)
                }
                var refs = OrderedDictionary<String, Ref?>()
                for (k, v) in (d["r"] as? [String: Any] ?? [:]).sorted(by: { $0.key < $1.key }) {
                    if case .ref(let r) = try dec(v) { refs[k] = r } else { refs[k] = .some(nil) }
                }
                return .object(ObjectValue(ref: ref, fields: fields, refs: refs))
            case "Info"?:
                let ref = Ref(key: ObjectKey(try keyParts(d["k"])), code: d["c"] as? String)
                let f = d["f"] as? [String: Any] ?? [:]
                var info = BrokeredInfo(name: f["name"] as? String ?? "", cached: try dec(f["_dab_cached"] ?? NSNull()))
                for k in (f["fields"] as? [String: Any] ?? [:]).keys.sorted() { info.add(Field(k)) }
                for k in (f["refs"] as? [String: Any] ?? [:]).keys.sorted() { info.add(RefField(k)) }
                for k in (f["backrefs"] as? [String: Any] ?? [:]).keys.sorted() { info.add(BackRef(k)) }
                for (k, v) in (f["calls"] as? [String: Any] ?? [:]).sorted(by: { $0.key < $1.key }) {
                    let c = v as? [String: Any] ?? [:]
                    info.add(Callable(k, cached: c["cached"] as? Bool ?? false, meta: c["meta"] as? Bool ?? false))
                }
                var meta = Ref(key: .metaRoot)
                if let r = d["r"] as? [String: Any], let m = r["_meta"], case .ref(let mr) = try dec(m) { meta = mr }
                return .info(InfoValue(ref: ref, info: info, meta: meta))
            default:
                var out = OrderedDictionary<String, Value>()
                for (k, v) in d.sorted(by: { $0.key < $1.key }) {
                    out[k.hasPrefix("_o_") ? "_o" + k.dropFirst(3) : k] = try dec(v)
                }
                return .dict(out)
            }
        default: throw BrokerError.badRequest("unsupported JSON")
        }
    }
}
