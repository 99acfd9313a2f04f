import DaBrokerCore
import DaBrokerSQL
import Logging

/// What a ``SQLLoader`` does to rows: reads (`get`, search, count, backrefs), the clients'
/// writes (`new`, `update`, `delete`) and server code's (`objNew`, …), each followed by its
/// `invalid_key` broadcast. Which tables exist and how they are exported is the
/// ``SQLCatalog``'s; every operation looks its table up there.
///
/// Every operation runs inside `withSession` on the database, with parameterised SQL and
/// identifiers from the reflected schema quoted by the dialect. Hidden columns are never
/// read, so they cannot reach objects, refs, broadcasts or errors.
final class SQLTableService: Sendable {
    let catalog: SQLCatalog
    let database: Database
    let statements: StatementBuilder
    let logger: Logger
    /// The server writes are broadcast through (weak: the server owns its loaders).
    weak let broker: BrokerServer?

    init(catalog: SQLCatalog, database: Database, broker: BrokerServer) {
        self.catalog = catalog
        self.database = database
        self.statements = StatementBuilder(dialect: database.dialect)
        self.logger = broker.logger
        self.broker = broker
    }

    /// The loader's id: the first part of its keys.
    var id: String { catalog.id }
    /// The schema served now.
    var reflected: ReflectedModel { catalog.reflected }
    /// An exported table's model, if it is exported.
    func model(_ table: String) -> SQLTableModel? { catalog.model(table) }
    func tableKey(_ table: String) -> ObjectKey { catalog.tableKey(table) }
    func metaKey(_ table: String) -> ObjectKey { catalog.metaKey(table) }
    func rowKey(_ table: String, _ values: [Value]) -> ObjectKey { catalog.rowKey(table, values) }
    func infoValue(_ m: SQLTableModel) -> InfoValue { catalog.infoValue(m) }
}
