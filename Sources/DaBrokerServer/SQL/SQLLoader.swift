import DaBrokerCore
import DaBrokerSQL
import Logging
import OrderedCollections

/// Serves the rows of a SQL database's tables: row `["sql", table, pk…]`, table info
/// `["sql", table]`, its meta `["sql", "_meta", table]` (the id `sql` is configurable, so two
/// databases can be served side by side).
///
/// ```swift
/// let schema = try await SchemaReflector.reflect(connection)
/// let sql = try SQLLoader(database: db, broker: server, model: ReflectedModel(schema: schema))
/// try sql.addModel("artist", into: root, rw: .readWrite)
/// try sql.addModel("customer", hide: ["email"])
/// ```
///
/// The loader is the server-facing face of two parts: the ``SQLCatalog`` (which tables are
/// exported and how, their containers, reload) and the ``SQLTableService`` (reads, writes and
/// their broadcasts). Every operation runs inside `withSession` on the database, with
/// parameterised SQL and identifiers from the reflected schema quoted by the dialect. Hidden
/// columns are never read, so they cannot reach objects, refs, broadcasts or errors.
public final class SQLLoader: ServerWritableLoader {
    public let id: String
    public let database: Database
    let catalog: SQLCatalog
    let service: SQLTableService

    /// The schema served: the one reflected at start, or the last one ``reload(_:exports:)`` got.
    public var reflected: ReflectedModel { catalog.reflected }

    /// A loader for `database`, described by `model` (reflection plus ref/backref names),
    /// registered with `broker` under `id`.
    public init(database: Database, broker: BrokerServer, model: ReflectedModel, id: String = "sql") throws {
        self.id = id
        self.database = database
        self.catalog = SQLCatalog(id: id, model: model, broker: broker)
        self.service = SQLTableService(catalog: catalog, database: database, broker: broker)
        try broker.addLoader(self)
    }

    /// Reflects `database` and makes a loader for it.
    public static func reflecting(
        database: Database, broker: BrokerServer, id: String = "sql", options: ReflectionOptions = ReflectionOptions(),
        naming: NamingOverrides = NamingOverrides()
    ) async throws -> SQLLoader {
        let schema = try await SchemaReflector.reflect(database, options: options)
        return try SQLLoader(
            database: database, broker: broker, model: ReflectedModel(schema: schema, overrides: naming), id: id)
    }

    // MARK: The catalog

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
    public func addModel(
        _ table: String, into container: (any BrokeredObject)? = nil, field: String = "data",
        rw: AccessMode = .readOnly, hide: Set<String> = [], cached: Bool = true, calls: [ExportedCall] = []
    ) throws -> ObjectKey {
        try catalog.addModel(table, into: container, field: field, rw: rw, hide: hide, cached: cached, calls: calls)
    }

    /// Exports every reflected table not excluded, with the configured mode, hidden columns
    /// and caching (tables without an entry get `defaultMode`). Returns the reflection notices
    /// (views and tables without primary key are `readOnly` at most), which are also logged.
    @discardableResult
    public func addAll(
        _ configuration: SQLExportConfiguration = SQLExportConfiguration(), into container: (any BrokeredObject)? = nil,
        field: String = "data"
    ) throws -> [ReflectionNotice] {
        try catalog.addAll(configuration, into: container, field: field)
    }

    /// One table to export after a reload, as ``addModel(_:into:field:rw:hide:cached:calls:)``
    /// takes it.
    public struct Export: Sendable {
        public var table: String
        public var rw: AccessMode
        public var hide: Set<String>
        public var cached: Bool
        public var calls: [ExportedCall]

        public init(
            _ table: String, rw: AccessMode = .readOnly, hide: Set<String> = [], cached: Bool = true,
            calls: [ExportedCall] = []
        ) {
            self.table = table
            self.rw = rw
            self.hide = hide
            self.cached = cached
            self.calls = calls
        }
    }

    /// Serves `model` — the schema after a migration — from now on, with `exports` as the
    /// exported tables, and tells clients: each container (the root's `data`) gets the new table
    /// infos (a table no longer exported leaves it; a new one joins the container of the
    /// others) with an `invalid_key` broadcast, and so does each table info whose description
    /// changed. Every export is checked first: a bad one throws and changes nothing.
    /// Requests already running finish with the schema they started with.
    ///
    /// - Returns: the tables added, removed or changed, sorted.
    @discardableResult
    public func reload(_ model: ReflectedModel, exports: [Export]) async throws -> [String] {
        try await catalog.reload(model, exports: exports)
    }

    /// The keys of the exported tables.
    public var tables: [String] { catalog.tables }
    /// The mode a table is exported with, if it is.
    public func mode(of table: String) -> AccessMode? { catalog.mode(of: table) }
    func model(_ table: String) -> SQLTableModel? { catalog.model(table) }
    /// The key of a table's info object.
    public func tableKey(_ table: String) -> ObjectKey { catalog.tableKey(table) }
    /// The key of a table info's meta.
    public func metaKey(_ table: String) -> ObjectKey { catalog.metaKey(table) }
    /// The key of a row, from its key column values.
    public func rowKey(_ table: String, _ values: [Value]) -> ObjectKey { catalog.rowKey(table, values) }

    // MARK: The table service (BrokerLoader)

    public func load(_ key: ObjectKey, server: BrokerServer) async throws -> Value {
        try await service.load(key, server: server)
    }

    public func call(_ method: String, on key: ObjectKey, arguments: CallArguments, server: BrokerServer)
        async throws -> CallOutcome
    {
        try await service.call(method, on: key, arguments: arguments, server: server)
    }

    public func update(_ key: ObjectKey, changes: OrderedDictionary<String, [Value]>, server: BrokerServer)
        async throws -> Value
    {
        try await service.update(key, changes: changes, server: server)
    }

    public func clientUpdate(_ key: ObjectKey, changes: OrderedDictionary<String, [Value]>, server: BrokerServer)
        async throws -> (value: Value, withheld: Set<ObjectKey>)
    {
        try await service.clientUpdate(key, changes: changes, server: server)
    }

    public func backrefCount(_ key: ObjectKey, name: String, server: BrokerServer) async throws -> Int {
        try await service.backrefCount(key, name: name, server: server)
    }

    public func backrefObject(_ key: ObjectKey, name: String, index: Int, server: BrokerServer) async throws -> Value {
        try await service.backrefObject(key, name: name, index: index, server: server)
    }

    /// Server code: inserts a row into `table` (any column, hidden ones included; the mode
    /// does not apply to server code) inside `withSession`, broadcasts its creation (exported
    /// attributes only) and returns its key.
    @discardableResult
    public func objNew(_ table: String, _ values: [String: Value]) async throws -> ObjectKey {
        try await service.objNew(table, values)
    }

    /// Server code: sets columns of the row at `key` (hidden ones included, no old-value
    /// check) inside `withSession`, and broadcasts the changed exported attributes.
    public func objUpdate(_ key: ObjectKey, _ values: [String: Value]) async throws {
        try await service.objUpdate(key, values)
    }

    /// Server code: deletes the row at `key` inside `withSession` and broadcasts it.
    public func objDelete(_ key: ObjectKey) async throws { try await service.objDelete(key) }
}
