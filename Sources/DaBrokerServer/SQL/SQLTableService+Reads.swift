import DaBrokerCore
import DaBrokerSQL
import OrderedCollections

extension SQLTableService {
    /// What a key of this loader names.
    enum Target {
        case table(SQLTableModel)
        case meta(SQLTableModel)
        case row(SQLTableModel, [Value])
    }

    func target(_ key: ObjectKey) throws -> Target {
        let parts = key.parts
        guard parts.count >= 2, case .string(let second) = parts[1] else {
            throw BrokerError.noData("no object \(key)")
        }
        if second == "_meta", parts.count == 3, case .string(let table) = parts[2], let m = model(table) {
            return .meta(m)
        }
        guard let m = model(second) else { throw BrokerError.noData("no object \(key)") }
        if parts.count == 2 { return .table(m) }
        let values = Array(parts[2...])
        guard values.count == m.keyColumns.count else { throw BrokerError.noData("no object \(key)") }
        return .row(m, values)
    }

    func load(_ key: ObjectKey, server: BrokerServer) async throws -> Value {
        switch try target(key) {
        case .table(let m): return .info(infoValue(m))
        case .meta(let m):
            return .info(InfoValue(ref: Ref(key: metaKey(m.name)), info: m.metaInfo, meta: Ref(key: .metaRoot)))
        case .row(let m, let values):
            // One statement: it runs in autocommit (or in the caller's session, if any), never in a
            // transaction of its own, which would add BEGIN/COMMIT round trips to every read.
            return .object(try await fetchRow(m, values))
        }
    }

    /// The row with key `values`, whole; `NoData` when there is none, `ManyData` when the
    /// key columns are not unique (views and tables without primary key).
    func fetchRow(_ m: SQLTableModel, _ values: [Value]) async throws -> ObjectValue {
        let rows = try await select(m, where: Array(zip(m.keyColumns, values)), limit: 2, operation: Method.get)
        guard let row = rows.first else { throw BrokerError.noData("no row \(rowKey(m.name, values)) in '\(m.name)'") }
        guard rows.count == 1 else {
            guard m.hasPrimaryKey else {
                // A view or a table without primary key: its rows are keyed by all their values.
                throw BrokerError.manyData(
                    "'\(m.name)' has no key (\(m.table.isView ? "a view" : "no primary key")): several rows hold the"
                        + " values \(rowKey(m.name, values)), so this row cannot be addressed; use find or count")
            }
            throw BrokerError.manyData("more than one row of '\(m.name)' has the key \(rowKey(m.name, values))")
        }
        return materialize(m, row)
    }

    /// Runs a select of the exported columns of `m`, ordered by its key columns. Without an
    /// offset its text is built once per shape of filters (``ModelShapes/searchSQL(_:_:)``).
    func select(
        _ m: SQLTableModel, where filters: [(String, Value)], limit: Int?, offset: Int? = nil, operation: String
    ) async throws -> [Row] {
        let build = { [self] in
            statements.select(
                m.selectColumns, from: m.table.name, schema: schemaName(m), where: filters, orderBy: m.keyColumns,
                limit: limit, offset: offset)
        }
        guard offset == nil else { return try await rows(of: build(), m, operation: operation) }
        let shape = ModelShapes.SearchShape(columns: filters.map(\.0), nulls: filters.map(\.1.isNull), limit: limit)
        let sql = m.shapes.searchSQL(shape) { build().sql }
        return try await rows(of: SQLStatement(sql, StatementBuilder.parameters(of: filters)), m, operation: operation)
    }

    /// Runs a select of `m`'s rows; a value that could not be decoded by its declared type is
    /// logged (never its value) and returned as stored.
    private func rows(of st: SQLStatement, _ m: SQLTableModel, operation: String) async throws -> [Row] {
        let result = try await run(st, operation, m)
        for u in result.undecoded where u.row < result.rows.count {
            let key = m.keyColumns.map { result.rows[u.row][$0] ?? .null }
            let text =
                "\(operation) on '\(m.name)': the value of '\(u.column)' in row \(rowKey(m.name, key)) is not a valid"
                + " \(u.declaredType); returned as stored"
            logger.notice("\(text)")
        }
        return result.rows
    }

    /// The schema qualifier for `m`'s SQL: only for tables outside the default schema.
    func schemaName(_ m: SQLTableModel) -> String? {
        m.table.schema == reflected.schema.defaultSchema ? nil : m.table.schema
    }

    /// Runs a statement; a database error becomes the reply's error through
    /// ``DatabaseErrorReply`` (the one place that maps them).
    func run(_ st: SQLStatement, _ operation: String, _ m: SQLTableModel) async throws -> QueryResult {
        do {
            return try await database.execute(st.sql, st.parameters)
        } catch let e as BrokerError {
            throw e
        } catch is CancellationError {
            throw CancellationError()
        } catch let e as DatabaseError {
            throw DatabaseErrorReply.brokerError(
                e, operation: operation, model: m, sql: st.sql, logger: logger,
                logDatabaseText: broker?.configuration.logDatabaseText ?? false)
        } catch {
            logger.notice("\(operation) on '\(m.name)' failed: \(String(reflecting: error)) [\(st.sql)]")
            throw BrokerError.badRequest("the database refused \(operation) on '\(m.name)'")
        }
    }

    /// A row as it travels: exported fields, refs from fk values (nil when any is NULL), `_meta`.
    func materialize(_ m: SQLTableModel, _ row: Row) -> ObjectValue {
        materialize(m, row, layout(m, row.columns))
    }

    /// The rows of one result as whole objects: where each field, ref and key column sits in
    /// them is looked up once, not per row.
    func objects(_ m: SQLTableModel, _ rows: [Row]) -> BrokerValue {
        guard let first = rows.first else { return .list([]) }
        let layout = layout(m, first.columns)
        return .list(rows.map { .value(.object(materialize(m, $0, layout))) })
    }

    /// The layout of `m`'s rows in a result with `columns`: the model keeps the one of its
    /// SELECTs.
    private func layout(_ m: SQLTableModel, _ columns: [String]) -> RowLayout {
        m.shapes.layout(for: columns) { RowLayout(m, columns: columns, meta: Ref(key: tableKey(m.name))) }
    }

    private func materialize(_ m: SQLTableModel, _ row: Row, _ layout: RowLayout) -> ObjectValue {
        func value(_ i: Int?) -> Value {
            guard let i, i < row.values.count else { return .null }
            return row.values[i]
        }
        var fields = layout.emptyFields
        fields.values.withUnsafeMutableBufferPointer { out in
            for (j, i) in layout.fields.enumerated() where j < out.count { out[j] = value(i) }
        }
        var refs = layout.emptyRefs
        if !m.refs.isEmpty {
            refs.values.withUnsafeMutableBufferPointer { out in
                for (slot, (r, columns)) in zip(layout.refSlots, zip(m.refs, layout.refs)) {
                    // A NULL fk keeps its key, with the ref set to nil.
                    out[slot] =
                        columns.contains { value($0).isNull }
                        ? nil : Ref(key: catalog.rowKey(r.target, count: columns.count) { value(columns[$0]) })
                }
            }
        }
        let key = catalog.rowKey(m.name, count: layout.key.count) { value(layout.key[$0]) }
        return ObjectValue(ref: Ref(key: key), fields: fields, refs: refs)
    }

    /// Equality filters from named arguments: exported columns by name, refs by name (a ref
    /// or null). Anything else, hidden columns included, is `BadRequest` naming it.
    func filters(_ m: SQLTableModel, _ named: OrderedDictionary<String, Value>, method: String) throws -> [(
        String, Value
    )] {
        var out: [(String, Value)] = []
        for (name, value) in named where name != "_limit" {
            if m.fields.contains(name) {
                out.append((name, try scalar(value, m, name, method)))
            } else if let r = m.ref(name) {
                out += try refColumns(r, value, m, method)
            } else {
                throw BrokerError.badRequest(
                    "\(method) on '\(m.name)': no column or ref '\(BrokerError.excerpt(name))' to search by")
            }
        }
        return out
    }

    /// A client's value for column `name`, checked and converted by the column's reflected
    /// type (``ColumnValueCheck``); refs, objects and dicts (except for json) are refused.
    /// Text lengths are checked only for a value to be written (`write`): an overlong filter
    /// or old value matches nothing, it is not a mistake in the data.
    func scalar(_ v: Value, _ m: SQLTableModel, _ name: String, _ method: String, write: Bool = false) throws -> Value {
        switch v {
        case .ref, .object, .info:
            throw BrokerError.badRequest("\(method) on '\(m.name)': '\(name)' needs a plain value")
        default: break
        }
        guard let column = m.table.column(name), column.kind != nil else {
            if case .list = v {
                throw BrokerError.badRequest("\(method) on '\(m.name)': '\(name)' needs a plain value")
            }
            if case .dict = v {
                throw BrokerError.badRequest("\(method) on '\(m.name)': '\(name)' needs a plain value")
            }
            return v
        }
        return try ColumnValueCheck(table: m.name, method: method, database: database.kind, checksLength: write)
            .convert(v, column)
    }

    /// `NotWritable` when column `name` is generated or identity-always: the database computes it.
    func checkWritable(_ m: SQLTableModel, _ name: String, _ method: String) throws {
        guard let column = m.table.column(name), !column.isWritable else { return }
        let what = column.isGenerated ? "a generated column" : "an identity column (GENERATED ALWAYS)"
        throw BrokerError(
            .notWritable, "\(method) on '\(m.name)': '\(name)' is \(what); the database computes its value",
            details: ["table": m.name, "column": name, "operation": method])
    }

    /// The fk column values of ref `r` for a ref value (or all NULL for null).
    func refColumns(_ r: SQLTableModel.RefSpec, _ v: Value, _ m: SQLTableModel, _ method: String) throws -> [(
        String, Value
    )] {
        switch v {
        case .null: return r.columns.map { ($0, .null) }
        case .ref, .object:
            var ref = Ref(key: .metaRoot)
            if case .ref(let x) = v { ref = x } else if case .object(let o) = v { ref = o.ref }
            let parts = ref.key.parts
            guard parts.count == r.columns.count + 2, parts[0] == .string(id), parts[1] == .string(r.target) else {
                throw BrokerError.badRequest(
                    "\(method) on '\(m.name)': '\(r.name)' must refer to a row of '\(r.target)'")
            }
            return try zip(r.columns, parts[2...]).map { c, v in (c, try scalar(v, m, c, method)) }
        default:
            throw BrokerError.badRequest(
                "\(method) on '\(m.name)': '\(r.name)' must be a ref to a row of '\(r.target)'")
        }
    }

    /// `_dab_search`: the rows matching the filters, up to `_limit` (already capped), whole.
    func search(_ m: SQLTableModel, _ args: CallArguments) async throws -> BrokerValue {
        let f = try filters(m, args.named, method: Method.search)
        var limit: Int?
        if case .int(let n)? = args.named["_limit"] { limit = Int(n) }
        let rows = try await select(m, where: f, limit: limit, operation: "find")
        return objects(m, rows)
    }

    /// `_dab_count`: how many rows match the filters.
    func count(_ m: SQLTableModel, _ args: CallArguments) async throws -> BrokerValue {
        let f = try filters(m, args.named, method: Method.count)
        let st = statements.count(from: m.table.name, schema: schemaName(m), where: f)
        let r = try await run(st, "count", m)
        return .value(.int(Self.integer(r.rows.first?[0])))
    }

    static func integer(_ v: Value?) -> Int64 {
        switch v {
        case .int(let i)?: return i
        case .decimal(let s)?: return Int64(s) ?? 0
        case .string(let s)?: return Int64(s) ?? 0
        case .double(let d)?: return Int64(d)
        default: return 0
        }
    }

    private func backrefSource(_ key: ObjectKey, _ name: String) throws -> (SQLTableModel, [(String, Value)]) {
        guard case .row(let m, let values) = try target(key), m.hasPrimaryKey, let b = m.backref(name),
            let source = model(b.source)
        else { throw BrokerError.noData("\(key) has no backref '\(BrokerError.excerpt(name))'") }
        return (source, Array(zip(b.columns, values)))
    }

    func backrefCount(_ key: ObjectKey, name: String, server: BrokerServer) async throws -> Int {
        let (source, f) = try backrefSource(key, name)
        let st = statements.count(from: source.table.name, schema: schemaName(source), where: f)
        let r = try await run(st, Method.backrefCount, source)
        return Int(Self.integer(r.rows.first?[0]))
    }

    func backrefObject(_ key: ObjectKey, name: String, index: Int, server: BrokerServer) async throws -> Value {
        let (source, f) = try backrefSource(key, name)
        let rows = try await select(source, where: f, limit: 1, offset: index, operation: Method.backrefObject)
        guard let row = rows.first else {
            throw BrokerError.noData("backref '\(BrokerError.excerpt(name))' of \(key) has no element \(index)")
        }
        return .object(materialize(source, row))
    }
}
