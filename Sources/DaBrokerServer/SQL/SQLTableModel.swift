import DaBrokerCore
import DaBrokerSQL

/// How one table is exported, resolved against the other exported tables: its fields
/// (non-hidden columns), key columns, refs and backrefs, and its two info objects.
struct SQLTableModel: Sendable {
    /// A many-to-one ref: the fk columns, ordered like the target's key columns.
    struct RefSpec: Sendable {
        var name: String
        var columns: [String]
        var target: String
    }

    /// A one-to-many backref: the referencing table and its fk columns, ordered like this
    /// table's key columns.
    struct BackRefSpec: Sendable {
        var name: String
        var source: String
        var columns: [String]
    }

    let name: String
    let table: TableDescription
    let mode: AccessMode
    let hidden: Set<String>
    let cached: Bool
    /// The exported columns (mapped types, not hidden), in table order.
    let fields: [String]
    let calls: [String: ExportedCall]
    var refs: [RefSpec] = []
    var backrefs: [BackRefSpec] = []
    /// The SQL and row layout of its reads, built once (shared by the copies of this model).
    let shapes = ModelShapes()

    /// The columns whose values make up a row's key: the primary key, or for a view or a
    /// table without one, every exported column.
    var keyColumns: [String] { table.primaryKey.isEmpty ? fields : table.primaryKey }

    /// Whether rows are addressed by a real primary key.
    var hasPrimaryKey: Bool { !table.primaryKey.isEmpty }

    /// The columns read for a row: fields, key columns and ref columns (never a hidden one).
    var selectColumns: [String] {
        var out = fields
        for c in keyColumns where !out.contains(c) { out.append(c) }
        for r in refs { for c in r.columns where !out.contains(c) { out.append(c) } }
        return out
    }

    func ref(_ name: String) -> RefSpec? { refs.first { $0.name == name } }
    func backref(_ name: String) -> BackRefSpec? { backrefs.first { $0.name == name } }

    /// The table info (`["sql", table]`): a row's `_meta`. Lists the instance calls.
    var info: BrokeredInfo {
        var calls: [Callable] = []
        if mode.canWrite { calls += [Callable(Method.update), Callable(Method.delete)] }
        calls += self.calls.values.map(\.callable).sorted { $0.name < $1.name }
        return BrokeredInfo(
            name: name, cached: cached && mode.canRead ? .bool(true) : .null, fields: fields.map(field),
            refs: refs.map { RefField($0.name) }, backrefs: backrefs.map { BackRef($0.name) }, calls: calls)
    }

    /// A field with its column's facts: declared type, nullability, default, writability
    /// (never for a read-only table), enum labels and an array's element type.
    func field(_ name: String) -> Field {
        guard let c = table.columns.first(where: { $0.name == name }) else { return Field(name) }
        var element: String?
        if c.kind == .list, c.declaredType.hasSuffix("[]") {
            element = String(c.declaredType.dropLast(2))
            while let e = element, e.hasSuffix("[]") { element = String(e.dropLast(2)) }
        }
        return Field(
            name, type: c.declaredType, nullable: c.isNullable, default: c.isGenerated ? nil : c.defaultValue,
            writable: mode.canWrite && c.isWritable, enumValues: c.enumValues, elementType: element)
    }

    /// The table info's meta (`["sql", "_meta", table]`): lists the table calls.
    var metaInfo: BrokeredInfo {
        var calls: [Callable] = []
        if mode.canRead {
            calls += [Callable(Method.search, cached: cached), Callable(Method.count, cached: cached)]
            calls.append(Callable(Method.page))
        }
        if mode.canWrite {
            calls += [Callable(Method.new, meta: true), Callable(Method.delete, meta: true)]
            if hasPrimaryKey { calls.append(Callable(Method.upsert, meta: true)) }
        }
        return BrokerClass.metaInfo(named: "meta_" + name, calls: calls)
    }

    /// Whether the table info's meta lists `method` (what ``metaInfo`` says, without building
    /// it: every table call asks).
    func allowsTableCall(_ method: String) -> Bool {
        switch method {
        case Method.search, Method.count, Method.page: return mode.canRead
        case Method.new, Method.delete: return mode.canWrite
        case Method.upsert: return mode.canWrite && hasPrimaryKey
        default: return false
        }
    }

    /// The table operations a stronger mode would allow (for `ReadOnly` errors).
    static let tableOperations: Set<String> = [
        Method.search, Method.count, Method.page, Method.new, Method.upsert, Method.update, Method.delete,
    ]
}
