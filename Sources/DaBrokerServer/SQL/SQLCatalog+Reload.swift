import DaBrokerCore
import DaBrokerSQL
import OrderedCollections

extension SQLCatalog {
    /// Serves `model` — the schema after a migration — from now on, with `exports` as the
    /// exported tables, and tells clients: each container (the root's `data`) gets the new table
    /// infos (a table no longer exported leaves it; a new one joins the container of the
    /// others) with an `invalid_key` broadcast, and so does each table info whose description
    /// changed. Every export is checked first: a bad one throws and changes nothing.
    /// Requests already running finish with the schema they started with.
    ///
    /// - Returns: the tables added, removed or changed, sorted.
    @discardableResult
    func reload(_ model: ReflectedModel, exports: [SQLLoader.Export]) async throws -> [String] {
        var specs = OrderedDictionary<String, Spec>()
        for e in exports {
            specs[e.table] = try Self.spec(
                e.table, in: model, rw: e.rw, hide: e.hide, cached: e.cached, calls: e.calls, logger: logger)
        }
        let (before, after, containers) = state.withLock { s in
            let before = s.models
            let all = s.containers
            s.reflected = model
            s.specs = specs
            s.models = Self.resolve(specs, model)
            var kept = s.containers.filter { specs[$0.table] != nil }
            if let home = s.containers.first {
                for table in specs.keys where !kept.contains(where: { $0.table == table }) {
                    kept.append(Container(object: home.object, field: home.field, table: table))
                }
            }
            s.containers = kept
            return (before, s.models, all + kept)
        }
        let changed = Set(before.keys).union(after.keys).filter { table in
            before[table]?.info != after[table]?.info || before[table]?.table != after[table]?.table
        }.sorted()

        // Each container field once: without the tables gone, with the current infos.
        var seen: [ObjectIdentifier: Set<String>] = [:]
        for c in containers where seen[ObjectIdentifier(c.object), default: []].insert(c.field).inserted {
            var dict: OrderedDictionary<String, BrokerValue> = [:]
            switch c.object.brokerValue(c.field) {
            case .dict(let d): dict = d
            case .value(.dict(let d)): for (k, v) in d { dict[k] = .value(v) }
            default: break
            }
            for table in before.keys where after[table] == nil { dict[table] = nil }
            for other in containers where other.object === c.object && other.field == c.field {
                if let m = after[other.table] { dict[other.table] = .value(.info(infoValue(m))) }
            }
            if let broker, broker.staticLoader.key(of: c.object) != nil {
                try await broker.objUpdate(c.object, [c.field: .dict(dict)])
            } else {
                try c.object.brokerSet([c.field: .dict(dict)])
            }
        }
        for table in changed {
            await broker?.broadcastInvalidation(key: tableKey(table), meta: metaKey(table), changes: [:])
        }
        if !changed.isEmpty {
            logger.notice("reloaded the schema: \(changed.count) table(s) changed: \(changed.joined(separator: ", "))")
        }
        return changed
    }
}
