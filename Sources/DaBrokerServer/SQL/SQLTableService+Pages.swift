import DaBrokerCore
import DaBrokerSQL
import OrderedCollections

extension SQLTableService {
    /// Whether a table call uses the query extension (`_where`, `_order`); without it a search
    /// runs exactly as the original protocol's.
    static func usesQueryExtension(_ named: OrderedDictionary<String, Value>) -> Bool {
        named["_where"] != nil || named["_order"] != nil
    }

    /// `_dab_search` with `_where`/`_order`: the matching rows in order, up to `_limit`.
    func querySearch(_ m: SQLTableModel, _ args: CallArguments) async throws -> BrokerValue {
        let q = try tableQuery(m, args.named, method: Method.search)
        let rows = try await select(m, q.condition, q.order, limit: Self.limit(args.named), operation: "find")
        return objects(m, rows)
    }

    /// `_dab_page`: up to `_limit` rows after the cursor `_after`, and the cursor of the next
    /// page (null on the last). One keyset query: the cost of a page does not grow with its number.
    func page(_ m: SQLTableModel, _ args: CallArguments) async throws -> BrokerValue {
        let q = try tableQuery(m, args.named, method: Method.page)
        return try await page(m, q, args.named, method: Method.page)
    }

    /// `backref_page` on a row: a page of the rows behind backref `name` (positional arg 0),
    /// in their key order.
    func backrefPage(_ key: ObjectKey, _ m: SQLTableModel, _ values: [Value], _ args: CallArguments) async throws
        -> BrokerValue
    {
        let name = try args.string(0, method: Method.backrefPage)
        guard m.hasPrimaryKey, let b = m.backref(name), let source = model(b.source) else {
            throw BrokerError.noData("\(key) has no backref '\(BrokerError.excerpt(name))'")
        }
        let condition = SQLCondition.and(zip(b.columns, values).map { .compare($0, .equal, $1) })
        let order = try orderTerms(source, nil, method: Method.backrefPage)
        let binding = WireCodec.codec.encode(value: .list([.string(m.name), .string(name), .list(values)]))
        let q = TableQuery(condition: condition, order: order, binding: binding)
        return try await page(source, q, args.named, method: Method.backrefPage)
    }

    private func page(
        _ m: SQLTableModel, _ q: TableQuery, _ named: OrderedDictionary<String, Value>, method: String
    ) async throws -> BrokerValue {
        guard let codes = broker?.codes else { throw BrokerError.internal("\(method): the server is gone") }
        let limit = Self.limit(named) ?? 0
        guard limit > 0 else { throw BrokerError.badRequest("\(method) on '\(m.name)': _limit must be at least 1") }
        let cursor = QueryCursor(codes: codes, binding: q.binding)
        var condition = q.condition
        switch named["_after"] {
        case nil, .null?: break
        case .string(let token)?:
            let last = try cursor.values(token, count: q.order.count, method: method)
            let after = SQLOrderTerm.after(keysetValues(last, q.order, m), in: q.order)
            condition = condition.map { .and([$0, after]) } ?? after
        default: throw BrokerError.badRequest("\(method) on '\(m.name)': _after must be a cursor string")
        }
        var rows = try await select(m, condition, q.order, limit: limit + 1, operation: method)
        var next: Value = .null
        if rows.count > limit {
            rows.removeLast(rows.count - limit)
            if let last = rows.last { next = .string(cursor.token(after: q.order.map { last[$0.column] ?? .null })) }
        }
        return .dict(["rows": objects(m, rows), "next": .value(next)])
    }

    /// The cursor's values as the keyset predicate compares them. MariaDB sorts an `ENUM`
    /// column by the label's position but compares it with a string as text, so there an enum
    /// label becomes its position (1-based), which it compares as the sort does.
    private func keysetValues(_ values: [Value], _ order: [SQLOrderTerm], _ m: SQLTableModel) -> [Value] {
        guard database.kind == .mysql else { return values }
        return zip(values, order).map { value, term in
            guard case .string(let label) = value, let column = m.table.column(term.column),
                column.declaredType.lowercased().hasPrefix("enum"), let i = column.enumValues?.firstIndex(of: label)
            else { return value }
            return .int(Int64(i + 1))
        }
    }

    /// The `_limit` of a call (the dispatcher has capped it and put in the default).
    static func limit(_ named: OrderedDictionary<String, Value>) -> Int? {
        if case .int(let n)? = named["_limit"] { return Int(n) }
        return nil
    }

    /// A select of the exported columns of `m` with a condition and order.
    func select(
        _ m: SQLTableModel, _ condition: SQLCondition?, _ order: [SQLOrderTerm], limit: Int?, operation: String
    ) async throws -> [Row] {
        let st = statements.select(
            m.selectColumns, from: m.table.name, schema: schemaName(m), condition: condition, order: order,
            limit: limit)
        return try await run(st, operation, m).rows
    }

    /// `_dab_count` with `_where` and/or `_estimate`: a plain integer, or with `_estimate: true`
    /// `{"count": n, "estimated": bool}` (an estimate only without any filter, and only where
    /// the database keeps one: PostgreSQL, MariaDB).
    func queryCount(_ m: SQLTableModel, _ args: CallArguments) async throws -> BrokerValue {
        let q = try tableQuery(m, args.named, method: Method.count)
        var estimate = false
        switch args.named["_estimate"] {
        case nil, .null?: break
        case .bool(let b)?: estimate = b
        default: throw BrokerError.badRequest("\(Method.count) on '\(m.name)': _estimate must be true or false")
        }
        if estimate, q.condition == nil,
            let st = statements.estimatedCount(of: m.table.name, schema: m.table.schema),
            let row = try await run(st, "count", m).rows.first, !row[0].isNull
        {
            let n = Self.integer(row[0])
            // PostgreSQL answers -1 for a table never analysed: count it then.
            if n >= 0 { return .dict(["count": .value(.int(n)), "estimated": .value(true)]) }
        }
        let r = try await run(
            statements.count(from: m.table.name, schema: schemaName(m), condition: q.condition), "count", m)
        let n = BrokerValue.value(.int(Self.integer(r.rows.first?[0])))
        return estimate ? .dict(["count": n, "estimated": .value(false)]) : n
    }
}
