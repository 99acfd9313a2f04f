import DaBrokerCore
import OrderedCollections

extension BrokerServer {
    /// Runs one decoded request (`data` of the request message) and returns the reply data,
    /// whose access codes are set when it is encoded; with `codes`, the request's refs must
    /// carry their access codes.
    func dispatch(_ data: Value, codes: Bool) async throws -> UnsignedReply {
        let request = try Request(from: data)
        let method = request.method
        var args = CallArguments(positional: request.args, named: request.named, classLevel: request.classLevel)
        if codes {
            for v in args.positional { try checkCodes(v) }
            for v in args.named.values { try checkCodes(v) }
        }
        if method == Method.search || method == Method.page || method == Method.backrefPage {
            args.named["_limit"] = try cappedLimit(args.named["_limit"], method: method)
        }

        if let ref = request.target {
            if codes { try checkCodes(.ref(ref)) }
            if ref.key.isMetaRoot {
                throw BrokerError.unknownCommand(
                    "unknown method '\(BrokerError.excerpt(method))' on the meta singleton")
            }
            let outcome = try await loader(for: ref.key).call(method, on: ref.key, arguments: args, server: self)
            return try await unsignedOutgoing(outcome.value, include: outcome.include, withholding: outcome.withheld)
        }
        return try await serverCall(method, args)
    }

    /// Server-level calls: the built-ins, then the registered ones.
    private func serverCall(_ method: String, _ args: CallArguments) async throws -> UnsignedReply {
        switch method {
        case Method.root:
            guard let root else { throw BrokerError.noData("this server has no root object") }
            return try await unsignedOutgoing(.object(root), include: true)
        case Method.get:
            let ref = try args.ref(0, method: Method.get)
            return UnsignedReply(try await load(ref.key))
        case Method.update:
            let ref = try args.ref(0, method: Method.update)
            guard case .dict(let k)? = args.named["k"] else {
                throw BrokerError.badRequest("update: the changes (k) must be a dictionary of field: [old, new]")
            }
            var changes = OrderedDictionary<String, [Value]>()
            for (name, v) in k {
                guard case .list(let pair) = v, pair.count == 2 else {
                    throw BrokerError.badRequest(
                        "update: the change of '\(BrokerError.excerpt(name))' must be a list [old, new]")
                }
                changes[name] = pair
            }
            if ref.key.isMetaRoot { throw BrokerError.readOnly("the meta singleton cannot be updated") }
            let (updated, withheld) = try await loader(for: ref.key).clientUpdate(
                ref.key, changes: changes, server: self)
            return UnsignedReply(updated, withholding: withheld)
        case Method.echo:
            return UnsignedReply(args[0])
        case Method.ping:
            return UnsignedReply(.string("pong"))
        case Method.backrefCount:
            let ref = try args.ref(0, method: Method.backrefCount)
            let name = try args.string(1, method: Method.backrefCount)
            if ref.key.isMetaRoot {
                throw BrokerError.noData("the meta singleton has no backref '\(BrokerError.excerpt(name))'")
            }
            let n = try await loader(for: ref.key).backrefCount(ref.key, name: name, server: self)
            return UnsignedReply(.int(Int64(n)))
        case Method.backrefObject:
            let ref = try args.ref(0, method: Method.backrefObject)
            let name = try args.string(1, method: Method.backrefObject)
            let index = try args.int(2, method: Method.backrefObject)
            if ref.key.isMetaRoot {
                throw BrokerError.noData("the meta singleton has no backref '\(BrokerError.excerpt(name))'")
            }
            guard index >= 0, index <= Int64(Int32.max) else {
                throw BrokerError.badRequest("backref_idx: index \(index) is out of range")
            }
            let l = try loader(for: ref.key)
            return UnsignedReply(try await l.backrefObject(ref.key, name: name, index: Int(index), server: self))
        default:
            guard let call = registeredCall(method) else {
                throw BrokerError.unknownCommand("unknown server-level method '\(BrokerError.excerpt(method))'")
            }
            let result = try await call.body(.key(.metaRoot), args)
            return try await unsignedOutgoing(result, include: call.include)
        }
    }

    /// The `_limit` of a search, capped by ``BrokerServerConfiguration/maxFindLimit``.
    private func cappedLimit(_ v: Value?, method: String) throws -> Value {
        let cap = Int64(configuration.maxFindLimit)
        switch v {
        case nil, .null?: return .int(cap)
        case .int(let n)?:
            guard n >= 0 else { throw BrokerError.badRequest("\(method): _limit must not be negative") }
            return .int(min(n, cap))
        default: throw BrokerError.badRequest("\(method): _limit must be an integer")
        }
    }

    /// The loader serving `key`; `NoData` when none does.
    func loader(for key: ObjectKey) throws -> any BrokerLoader {
        guard case .string(let id)? = key.parts.first, let l = loader(id: id) else {
            throw BrokerError.noData("no object \(key)")
        }
        return l
    }

    /// The object at `key`, whole, without codes (the meta singleton included).
    func load(_ key: ObjectKey) async throws -> Value {
        if key.isMetaRoot { return .info(Self.metaRootInfo) }
        return try await loader(for: key).load(key, server: self)
    }

    /// The meta singleton: the info describing every info; its own meta.
    static let metaRootInfo = InfoValue(
        ref: Ref(key: .metaRoot), info: BrokerClass.metaInfo(named: "_ROOT"), meta: Ref(key: .metaRoot))

    /// Throws `AccessDenied` unless every ref in `v` carries its right code. The message is
    /// the same whether or not the object exists.
    func checkCodes(_ v: Value) throws {
        switch v {
        case .ref(let r):
            guard codes.isValid(r) else { throw BrokerError.accessDenied("access denied to \(r.key)") }
        case .object(let o):
            try checkCodes(.ref(o.ref))
        case .info(let i):
            try checkCodes(.ref(i.ref))
        case .list(let l):
            for e in l { try checkCodes(e) }
        case .dict(let d):
            for e in d.values { try checkCodes(e) }
        default: break
        }
    }
}
