import DaBrokerCore
import DaBrokerSQL
import OrderedCollections

extension SQLTableService {
    func call(_ method: String, on key: ObjectKey, arguments args: CallArguments, server: BrokerServer)
        async throws -> CallOutcome
    {
        switch try target(key) {
        case .meta:
            throw BrokerError.unknownCommand("unknown method '\(BrokerError.excerpt(method))' on \(key)")
        case .table(let m):
            guard m.allowsTableCall(method) else { throw refusal(m, method, key) }
            switch method {
            case Method.search where Self.usesQueryExtension(args.named):
                return CallOutcome(try await querySearch(m, args), include: true)
            case Method.search: return CallOutcome(try await search(m, args), include: true)
            case Method.count where Self.usesQueryExtension(args.named) || args.named["_estimate"] != nil:
                return CallOutcome(try await queryCount(m, args))
            case Method.count: return CallOutcome(try await count(m, args))
            case Method.page: return CallOutcome(try await page(m, args), include: true)
            case Method.new where args.named.count == 1 && args.named["_rows"] != nil:
                return try await bulkNew(m, args.named["_rows"] ?? .null, server: server)
            case Method.upsert: return try await upsert(m, args, server: server)
            case Method.new:
                let values = try insertValues(m, args.named)
                var writes = ForeignKeyWrites()
                for (name, value) in args.named { note(name, value, of: m, in: &writes) }
                try checkForeignKeyWrites(m, writes, method: Method.new)
                let created = try await insert(m, values, server: server)
                return CallOutcome(
                    .value(.object(created)), include: true, withheld: withheldRefs(m, created, writes))
            case Method.delete:
                let ref = try args.ref(0, method: Method.delete)
                guard case .row(let rm, let values) = try target(ref.key), rm.name == m.name else {
                    throw BrokerError.badRequest("delete on '\(m.name)': the argument must be a row of '\(m.name)'")
                }
                try await delete(m, values, server: server)
                return CallOutcome(.value(true))
            default: throw refusal(m, method, key)
            }
        case .row(let m, let values):
            if let c = m.calls[method] { return CallOutcome(try await c.body(.key(key), args), include: c.include) }
            if method == Method.backrefPage, m.mode.canRead {
                return CallOutcome(try await backrefPage(key, m, values, args), include: true)
            }
            guard m.info.calls[method] != nil else { throw refusal(m, method, key) }
            switch method {
            case Method.update:
                let changes = try Self.changePairs(args.named, method: Method.update)
                let (updated, withheld) = try await clientUpdate(m, values, changes, server: server)
                return CallOutcome(.value(.object(updated)), include: true, withheld: withheld)
            case Method.delete:
                try await delete(m, values, server: server)
                return CallOutcome(.value(true))
            default: throw refusal(m, method, key)
            }
        }
    }

    func update(_ key: ObjectKey, changes: OrderedDictionary<String, [Value]>, server: BrokerServer)
        async throws -> Value
    {
        try await clientUpdate(key, changes: changes, server: server).value
    }

    func clientUpdate(_ key: ObjectKey, changes: OrderedDictionary<String, [Value]>, server: BrokerServer)
        async throws -> (value: Value, withheld: Set<ObjectKey>)
    {
        guard case .row(let m, let values) = try target(key) else {
            throw BrokerError.readOnly("\(key) is not a row; only rows can be updated")
        }
        guard m.mode.canWrite else { throw refusal(m, Method.update, key) }
        let (updated, withheld) = try await clientUpdate(m, values, changes, server: server)
        return (.object(updated), withheld)
    }

    /// A client's `update` of a row: foreign-key values checked
    /// (``checkForeignKeyWrites(_:_:method:)``), refs it could not read withheld from the reply.
    private func clientUpdate(
        _ m: SQLTableModel, _ values: [Value], _ changes: OrderedDictionary<String, [Value]>, server: BrokerServer
    ) async throws -> (ObjectValue, Set<ObjectKey>) {
        var writes = ForeignKeyWrites()
        // An unchanged value ([v, v]) writes nothing new: v must be the current value.
        for (name, pair) in changes where pair.count == 2 && pair[0] != pair[1] {
            note(name, pair[1], of: m, in: &writes)
        }
        try checkForeignKeyWrites(m, writes, method: Method.update)
        let updated = try await update(m, values, changes, server: server)
        return (updated, withheldRefs(m, updated, writes))
    }

    /// `ReadOnly` for a table operation the mode forbids, `UnknownCommand` otherwise.
    func refusal(_ m: SQLTableModel, _ method: String, _ key: ObjectKey) -> BrokerError {
        if SQLTableModel.tableOperations.contains(method) && !m.mode.canWrite {
            return BrokerError.readOnly("table '\(m.name)' is exported \(m.mode.rawValue): '\(method)' is not allowed")
        }
        return BrokerError.unknownCommand("unknown method '\(BrokerError.excerpt(method))' on \(key)")
    }

    /// The `[old, new]` pairs of an instance `update`: either a `k` dictionary (as the
    /// server-level call) or the fields as named arguments.
    static func changePairs(_ named: OrderedDictionary<String, Value>, method: String) throws
        -> OrderedDictionary<String, [Value]>
    {
        var source = named
        if named.count == 1, case .dict(let k)? = named["k"] { source = k }
        var out = OrderedDictionary<String, [Value]>()
        for (name, v) in source {
            guard case .list(let pair) = v, pair.count == 2 else {
                throw BrokerError.badRequest(
                    "\(method): the change of '\(BrokerError.excerpt(name))' must be a list [old, new]")
            }
            out[name] = pair
        }
        return out
    }

    /// Column values of a client's `new`: exported columns and refs only.
    func insertValues(_ m: SQLTableModel, _ named: OrderedDictionary<String, Value>, method: String = Method.new) throws
        -> [(String, Value)]
    {
        var out: [(String, Value)] = []
        for (name, value) in named {
            if m.fields.contains(name) {
                try checkWritable(m, name, method)
                out.append((name, try scalar(value, m, name, method, write: true)))
            } else if let r = m.ref(name) {
                out += try refColumns(r, value, m, method)
            } else {
                throw BrokerError.badRequest(
                    "\(method) on '\(m.name)': no column or ref '\(BrokerError.excerpt(name))' to set")
            }
        }
        var seen = Set<String>()
        for (c, _) in out where !seen.insert(c).inserted {
            throw BrokerError.badRequest("\(method) on '\(m.name)': column '\(BrokerError.excerpt(c))' is given twice")
        }
        return out
    }
}
