import DaBrokerCore
import DaBrokerSQL
import Logging
import OrderedCollections
import Synchronization

/// What a ``SQLLoader`` serves: which tables are exported and how (their specs and resolved
/// ``SQLTableModel``s), the schema they come from, the containers their table infos were put
/// into, and the keys of tables, metas and rows. ``reload(_:exports:)`` swaps all of it at once.
///
/// What is done to the rows (reads, writes, broadcasts) is ``SQLTableService``'s.
final class SQLCatalog: Sendable {
    let id: String
    /// The schema served: the one reflected at start, or the last one ``reload(_:exports:)`` got.
    var reflected: ReflectedModel { state.withLock { $0.reflected } }
    let logger: Logger
    /// The server whose containers and clients a reload updates (weak: the server owns its loaders).
    weak let broker: BrokerServer?
    let state: Mutex<State>

    /// A table as the application asked for it.
    struct Spec: Sendable {
        var mode: AccessMode
        var hide: Set<String>
        var cached: Bool
        var calls: [ExportedCall]
    }

    /// A place where a table info was put (the root's `data` dictionary).
    struct Container: Sendable {
        let object: any BrokeredObject
        let field: String
        let table: String
    }

    struct State {
        var reflected: ReflectedModel
        var specs: OrderedDictionary<String, Spec> = [:]
        var models: [String: SQLTableModel] = [:]
        var containers: [Container] = []
    }

    /// A catalog of `model`'s tables (none exported yet) for the loader `id` of `broker`.
    init(id: String, model: ReflectedModel, broker: BrokerServer) {
        self.id = id
        self.state = Mutex(State(reflected: model))
        self.broker = broker
        self.logger = broker.logger
    }

    /// Exports the table `table` (its key in the reflected schema) and returns its info's key.
    ///
    /// - Parameters:
    ///   - into: an object whose dictionary field `field` receives the table info (the
    ///     manual's `add_model(Person, root.data)`), so clients reach the table from there.
    ///   - rw: what clients may do; views and tables without primary key get `readOnly` at most.
    ///   - hide: columns that never leave the server; a primary-key column cannot be hidden.
    ///   - cached: whether clients may cache search and count results.
    ///   - calls: explicitly exported instance calls; the closure gets `.key(rowKey)`.
    @discardableResult
    func addModel(
        _ table: String, into container: (any BrokeredObject)? = nil, field: String = "data",
        rw: AccessMode = .readOnly, hide: Set<String> = [], cached: Bool = true, calls: [ExportedCall] = []
    ) throws -> ObjectKey {
        let spec = try Self.spec(
            table, in: reflected, rw: rw, hide: hide, cached: cached, calls: calls, logger: logger)
        state.withLock { s in
            s.specs[table] = spec
            if let container { s.containers.append(Container(object: container, field: field, table: table)) }
            s.models = Self.resolve(s.specs, s.reflected)
        }
        try refreshContainers()
        return tableKey(table)
    }

    /// How `table` of `model` is exported, after checking the request: the table exists, its
    /// hidden columns exist and none is part of the primary key; views and tables without
    /// primary key get `readOnly` at most.
    static func spec(
        _ table: String, in model: ReflectedModel, rw: AccessMode, hide: Set<String>, cached: Bool,
        calls: [ExportedCall], logger: Logger
    ) throws -> Spec {
        guard let t = model.tables[table] else {
            throw BrokerError.badRequest("addModel: no table '\(table)' in the reflected schema")
        }
        guard table != "_meta" else {
            throw BrokerError.badRequest(
                "addModel: a table named '_meta' cannot be served (its keys would be ambiguous)")
        }
        let columns = Set(t.table.columns.map(\.name))
        if let unknown = hide.subtracting(columns).sorted().first {
            throw BrokerError.badRequest("addModel: table '\(table)' has no column '\(unknown)' to hide")
        }
        if let pk = t.table.primaryKey.first(where: hide.contains) {
            throw BrokerError.badRequest(
                "addModel: column '\(pk)' of table '\(table)' is part of the primary key and cannot be hidden")
        }
        var mode = rw
        if t.table.isReadOnlyAtMost && mode == .readWrite {
            mode = .readOnly
            logger.notice(
                "table '\(table)' is \(t.table.readOnlyReason ?? "read-only"): exported readOnly, not readWrite")
        }
        return Spec(mode: mode, hide: hide, cached: cached, calls: calls)
    }

    /// Exports every reflected table not excluded, with the configured mode, hidden columns
    /// and caching (tables without an entry get `defaultMode`). Returns the reflection notices
    /// (views and tables without primary key are `readOnly` at most), which are also logged.
    @discardableResult
    func addAll(
        _ configuration: SQLExportConfiguration = SQLExportConfiguration(), into container: (any BrokeredObject)? = nil,
        field: String = "data"
    ) throws -> [ReflectionNotice] {
        if let unknown = configuration.tables.keys.filter({ reflected.tables[$0] == nil }).sorted().first {
            throw BrokerError.badRequest("configuration names table '\(unknown)', which is not in the reflected schema")
        }
        for key in reflected.tables.keys.sorted() where !configuration.exclude.contains(key) {
            // An inheritance child's rows are its parent's too: exported only when configured.
            if reflected.tables[key]?.table.inheritsFrom != nil && configuration.tables[key] == nil { continue }
            let t = configuration.tables[key] ?? .init(rw: configuration.defaultMode)
            try addModel(key, into: container, field: field, rw: t.rw, hide: t.hide, cached: t.cached)
        }
        for n in reflected.notices { logger.notice("\(n.message)") }
        return reflected.notices
    }

    /// The keys of the exported tables.
    var tables: [String] { state.withLock { Array($0.specs.keys) } }

    /// The mode a table is exported with, if it is.
    func mode(of table: String) -> AccessMode? { state.withLock { $0.models[table]?.mode } }

    func model(_ table: String) -> SQLTableModel? { state.withLock { $0.models[table] } }

    /// The key of a table's info object.
    func tableKey(_ table: String) -> ObjectKey { ObjectKey([.string(id), .string(table)]) }
    /// The key of a table info's meta.
    func metaKey(_ table: String) -> ObjectKey { ObjectKey([.string(id), "_meta", .string(table)]) }
    /// The key of a row, from its key column values.
    func rowKey(_ table: String, _ values: [Value]) -> ObjectKey {
        rowKey(table, count: values.count) { values[$0] }
    }

    /// The key of a row of `table` whose `count` key values `value` gives, built in one array.
    func rowKey(_ table: String, count: Int, _ value: (Int) -> Value) -> ObjectKey {
        var parts: [Value] = []
        parts.reserveCapacity(2 + count)
        parts.append(.string(id))
        parts.append(.string(table))
        for i in 0..<count { parts.append(value(i)) }
        return ObjectKey(parts)
    }

    /// The table info as it travels (without codes).
    func infoValue(_ m: SQLTableModel) -> InfoValue {
        InfoValue(ref: Ref(key: tableKey(m.name)), info: m.info, meta: Ref(key: metaKey(m.name)))
    }

    /// Puts each table info into the containers it was added to (again, since backrefs of
    /// earlier tables change as tables are added).
    func refreshContainers() throws {
        let (containers, models) = state.withLock { ($0.containers, $0.models) }
        for c in containers {
            guard let m = models[c.table] else { continue }
            var dict: OrderedDictionary<String, BrokerValue> = [:]
            switch c.object.brokerValue(c.field) {
            case .dict(let d): dict = d
            case .value(.dict(let d)): for (k, v) in d { dict[k] = .value(v) }
            default: break
            }
            dict[c.table] = .value(.info(infoValue(m)))
            try c.object.brokerSet([c.field: .dict(dict)])
        }
    }

    /// Resolves refs and backrefs among the exported tables: a ref needs its target exported
    /// with a primary key matching the fk's referenced columns, and no hidden fk column.
    static func resolve(_ specs: OrderedDictionary<String, Spec>, _ reflected: ReflectedModel) -> [String:
        SQLTableModel]
    {
        var models: [String: SQLTableModel] = [:]
        for (key, spec) in specs {
            guard let t = reflected.tables[key] else { continue }
            let fields = t.fields.map(\.name).filter { !spec.hide.contains($0) }
            let calls = Dictionary(spec.calls.map { ($0.callable.name, $0) }, uniquingKeysWith: { _, b in b })
            models[key] = SQLTableModel(
                name: key, table: t.table, mode: spec.mode, hidden: spec.hide, cached: spec.cached, fields: fields,
                calls: calls)
        }
        for (key, spec) in specs {
            guard let t = reflected.tables[key] else { continue }
            for r in t.refs {
                guard let target = models[r.target], target.hasPrimaryKey,
                    Set(r.foreignKey.referencedColumns) == Set(target.table.primaryKey),
                    !r.foreignKey.columns.contains(where: spec.hide.contains)
                else { continue }
                let columns = target.table.primaryKey.compactMap { pkColumn -> String? in
                    guard let i = r.foreignKey.referencedColumns.firstIndex(of: pkColumn) else { return nil }
                    return r.foreignKey.columns[i]
                }
                models[key]?.refs.append(.init(name: r.name, columns: columns, target: r.target))
            }
        }
        for key in specs.keys {
            guard let t = reflected.tables[key] else { continue }
            for b in t.backrefs {
                guard let source = models[b.source], source.ref(b.refName) != nil else { continue }
                let columns = source.ref(b.refName)?.columns ?? []
                models[key]?.backrefs.append(.init(name: b.name, source: b.source, columns: columns))
            }
        }
        return models
    }
}
