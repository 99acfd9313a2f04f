import DaBrokerCore
import OrderedCollections

extension BrokerServer {
    /// Turns what server code returned into a reply value with access codes set. With
    /// `include`, the value itself (or each element of a top-level list) is sent whole when
    /// it is an object; every other object travels as a ref.
    /// Refs to keys in `withholding` travel without a code.
    public func outgoing(_ value: BrokerValue, include: Bool, withholding: Set<ObjectKey> = []) async throws -> Value {
        let reply = try await unsignedOutgoing(value, include: include, withholding: withholding)
        return sign(reply.value, withholding: reply.withholding)
    }

    /// ``outgoing(_:include:withholding:)`` without the codes: they are set as the reply is
    /// encoded (``refCodes(withholding:)``).
    func unsignedOutgoing(_ value: BrokerValue, include: Bool, withholding: Set<ObjectKey> = []) async throws
        -> UnsignedReply
    {
        if include, case .list(let items) = value {
            var out: [Value] = []
            out.reserveCapacity(items.count)
            for item in items { out.append(try await plain(item, whole: true)) }
            return UnsignedReply(.list(out), withholding: withholding)
        }
        return UnsignedReply(try await plain(value, whole: include), withholding: withholding)
    }

    /// The access codes of a reply, set as it is encoded: what ``sign(_:withholding:)``
    /// sets, without rebuilding the value first.
    func refCodes(withholding: Set<ObjectKey>) -> RefCodes {
        let codes = self.codes
        return RefCodes { key, canonical in
            if !withholding.isEmpty && withholding.contains(key) { return nil }
            if key.isMetaRoot { return nil }
            return codes.code(canonical: canonical)
        }
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
        var made: [ObjectKey: String] = [:]
        return sign(value, withholding, &made)
    }

    /// `made` keeps the codes made so far: a list of objects carries its table's key once per
    /// object, and often the same refs (an HMAC costs more than a lookup).
    private func sign(_ value: Value, _ withholding: Set<ObjectKey>, _ made: inout [ObjectKey: String]) -> Value {
        func code(_ r: Ref, remembered: Bool = true) -> Ref {
            if !withholding.isEmpty && withholding.contains(r.key) { return r.withoutCode }
            guard remembered else { return codes.sign(r) }
            if let known = made[r.key] { return Ref(key: r.key, code: known) }
            let signed = codes.sign(r)
            if let c = signed.code { made[r.key] = c }
            return signed
        }
        switch value {
        case .ref(let r): return .ref(code(r))
        case .object(var o):
            // An object's own key is seldom repeated in a reply (the encoder shares repeats):
            // not worth remembering. Only fields that can hold refs are rewritten.
            o.ref = code(o.ref, remembered: false)
            for (k, v) in o.fields where Self.holdsRefs(v) { o.fields[k] = sign(v, withholding, &made) }
            for (k, r) in o.refs { o.refs[k] = .some(r.map { code($0) }) }
            return .object(o)
        case .info(var i):
            i.ref = code(i.ref)
            i.meta = code(i.meta)
            return .info(i)
        case .list(let l):
            var out: [Value] = []
            out.reserveCapacity(l.count)
            for v in l { out.append(sign(v, withholding, &made)) }
            return .list(out)
        case .dict(let d):
            var out = OrderedDictionary<String, Value>()
            for (k, v) in d { out[k] = sign(v, withholding, &made) }
            return .dict(out)
        default: return value
        }
    }

    /// Whether `value` is or may contain a ref, an object or an info.
    private static func holdsRefs(_ value: Value) -> Bool {
        switch value {
        case .ref, .object, .info, .list, .dict: return true
        default: return false
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
