import DaBrokerCore
import OrderedCollections

extension BrokerServer {
    /// Turns what server code returned into a reply value with access codes set. With
    /// `include`, the value itself (or each element of a top-level list) is sent whole when
    /// it is an object; every other object travels as a ref.
    /// Refs to keys in `withholding` travel without a code.
    public func outgoing(_ value: BrokerValue, include: Bool, withholding: Set<ObjectKey> = []) async throws -> Value {
        if include, case .list(let items) = value {
            var out: [Value] = []
            out.reserveCapacity(items.count)
            for item in items { out.append(try await plain(item, whole: true)) }
            return sign(.list(out), withholding: withholding)
        }
        return sign(try await plain(value, whole: include), withholding: withholding)
    }

    /// `value` as a `Value` without codes; objects whole if `whole` (at this level only).
    func plain(_ value: BrokerValue, whole: Bool) async throws -> Value {
        switch value {
        case .value(let v):
            if whole, case .ref(let r) = v { return try await load(r.key) }
            return v
        case .object(let o):
            if whole { return try staticLoader.materialize(o, server: self) }
            return .ref(Ref(key: try staticLoader.requireKey(of: o)))
        case .key(let k):
            return whole ? try await load(k) : .ref(Ref(key: k))
        case .list(let items):
            var out: [Value] = []
            out.reserveCapacity(items.count)
            for item in items { out.append(try await plain(item, whole: false)) }
            return .list(out)
        case .dict(let d):
            var out = OrderedDictionary<String, Value>()
            for (k, v) in d { out[k] = try await plain(v, whole: false) }
            return .dict(out)
        }
    }

    /// `value` with the access code set on every ref, object and info in it, except refs to
    /// a key in `withholding`, which travel without one.
    func sign(_ value: Value, withholding: Set<ObjectKey> = []) -> Value {
        func code(_ r: Ref) -> Ref {
            !withholding.isEmpty && withholding.contains(r.key) ? r.withoutCode : codes.sign(r)
        }
        switch value {
        case .ref(let r): return .ref(code(r))
        case .object(var o):
            o.ref = code(o.ref)
            for (k, v) in o.fields { o.fields[k] = sign(v, withholding: withholding) }
            for (k, r) in o.refs { o.refs[k] = .some(r.map(code)) }
            return .object(o)
        case .info(var i):
            i.ref = code(i.ref)
            i.meta = code(i.meta)
            return .info(i)
        case .list(let l): return .list(l.map { sign($0, withholding: withholding) })
        case .dict(let d):
            var out = OrderedDictionary<String, Value>()
            for (k, v) in d { out[k] = sign(v, withholding: withholding) }
            return .dict(out)
        default: return value
        }
    }

    /// `value` with every access code removed, as broadcasts carry it.
    static func unsigned(_ value: Value) -> Value {
        switch value {
        case .ref(let r): return .ref(r.withoutCode)
        case .object(let o): return .ref(o.ref.withoutCode)
        case .info(let i): return .ref(i.ref.withoutCode)
        case .list(let l): return .list(l.map(unsigned))
        case .dict(let d):
            var out = OrderedDictionary<String, Value>()
            for (k, v) in d { out[k] = unsigned(v) }
            return .dict(out)
        default: return value
        }
    }
}
