import DaBrokerCore
import DaBrokerSQL
import OrderedCollections

extension SQLTableService {
    /// The named arguments of the query extension that are not equality filters.
    static let queryArguments: Set<String> = ["_limit", "_where", "_order", "_after", "_estimate"]

    /// Reads `_where`, `_order` and the equality filters of a table call (docs/protocol.md,
    /// "Queries"). Names are checked like equality filters (a hidden or unknown one is the same
    /// `BadRequest`), values by the column's type (``ColumnValueCheck``); messages name the
    /// column, operator and expected type, never a value.
    func tableQuery(_ m: SQLTableModel, _ named: OrderedDictionary<String, Value>, method: String) throws -> TableQuery
    {
        var plain = named
        for k in Self.queryArguments { plain.removeValue(forKey: k) }
        var conditions = try filters(m, plain, method: method).map { c, v in SQLCondition.compare(c, .equal, v) }
        switch named["_where"] {
        case nil, .null?: break
        case .list(let list)?: conditions += try list.enumerated().map { try condition($1, m, method, "\($0 + 1)") }
        default: throw BrokerError.badRequest("\(method) on '\(m.name)': _where must be a list of conditions")
        }
        let order = try orderTerms(m, named["_order"], method: method)
        let binding = WireCodec.codec.encode(
            value: .list([
                .string(m.name), .dict(plain), named["_where"] ?? .null, .list(order.map { .string($0.column) }),
                .list(order.map { .bool($0.descending) }),
            ]))
        return TableQuery(condition: conditions.isEmpty ? nil : .and(conditions), order: order, binding: binding)
    }

    /// `_order`: names of exported columns, `-name` for descending; the key columns follow
    /// (ascending) so that the order is total.
    func orderTerms(_ m: SQLTableModel, _ v: Value?, method: String) throws -> [SQLOrderTerm] {
        var names: [Value] = []
        switch v {
        case nil, .null?: break
        case .list(let l)?: names = l
        case .string?: names = [v ?? .null]
        default: throw BrokerError.badRequest("\(method) on '\(m.name)': _order must be a list of column names")
        }
        var terms: [SQLOrderTerm] = []
        for n in names {
            guard case .string(var name) = n else {
                throw BrokerError.badRequest("\(method) on '\(m.name)': _order must be a list of column names")
            }
            let descending = name.hasPrefix("-")
            if descending { name.removeFirst() }
            guard m.fields.contains(name), let column = m.table.column(name) else {
                throw BrokerError.badRequest(
                    "\(method) on '\(m.name)': no column '\(BrokerError.excerpt(name))' to order by")
            }
            guard column.kind != .json, column.kind != .list else {
                throw BrokerError.badRequest(
                    "\(method) on '\(m.name)': column '\(name)' (\(column.declaredType)) cannot be ordered by")
            }
            if terms.contains(where: { $0.column == name }) { continue }
            terms.append(SQLOrderTerm(name, descending: descending, nullable: column.isNullable))
        }
        for k in m.keyColumns where !terms.contains(where: { $0.column == k }) {
            terms.append(SQLOrderTerm(k, nullable: m.table.column(k)?.isNullable ?? true))
        }
        return terms
    }

    /// One element of `_where`: `[name, op, value?]` or `{"_or": [[cond, …], …]}`.
    private func condition(_ v: Value, _ m: SQLTableModel, _ method: String, _ position: String) throws
        -> SQLCondition
    {
        let bad = { (what: String) in
            BrokerError.badRequest("\(method) on '\(m.name)': _where condition \(position) \(what)")
        }
        if case .dict(let d) = v {
            guard d.count == 1, case .list(let groups)? = d["_or"] else { throw bad("must be a list or {\"_or\": …}") }
            return .any(
                try groups.enumerated().map { i, g in
                    guard case .list(let inner) = g else { throw bad("has an _or alternative that is not a list") }
                    let p = "\(position).\(i + 1)"
                    return .and(try inner.enumerated().map { try condition($1, m, method, "\(p).\($0 + 1)") })
                })
        }
        guard case .list(let parts) = v, parts.count >= 2, parts.count <= 3, case .string(let name) = parts[0],
            case .string(let op) = parts[1]
        else { throw bad("must be [name, operator, value]") }
        let operand: Value? = parts.count == 3 ? .some(parts[2]) : .none
        if let r = m.ref(name) { return try refCondition(r, op, operand, m, method, bad) }
        guard m.fields.contains(name), let column = m.table.column(name) else {
            throw BrokerError.badRequest(
                "\(method) on '\(m.name)': no column or ref '\(BrokerError.excerpt(name))' to search by")
        }
        return try columnCondition(column, op, operand, m, method, bad)
    }

    private func columnCondition(
        _ column: ColumnDescription, _ op: String, _ operand: Value?, _ m: SQLTableModel, _ method: String,
        _ bad: (String) -> BrokerError
    ) throws -> SQLCondition {
        let name = column.name
        let opName = "'\(BrokerError.excerpt(op))' on '\(name)'"
        func value() throws -> Value {
            guard let operand else { throw bad("needs a value for \(opName)") }
            return try scalar(operand, m, name, method)
        }
        func text() throws -> String {
            guard column.kind == .string else {
                throw bad("uses \(opName), which needs a text column, not \(column.declaredType)")
            }
            guard case .string(let s)? = operand else { throw bad("needs text for \(opName)") }
            return s
        }
        if let cmp = SQLComparison(rawValue: op) {
            let v = try value()
            if cmp != .equal && cmp != .notEqual {
                guard ![.json, .list, .bytes].contains(column.kind) else {
                    throw bad("uses \(opName), which \(column.declaredType) values do not support")
                }
                guard !v.isNull else { throw bad("needs a value, not null, for \(opName)") }
            }
            return .compare(name, cmp, v)
        }
        switch op {
        case "in":
            guard case .list(let items)? = operand else { throw bad("needs a list for \(opName)") }
            return .oneOf(name, try items.map { try scalar($0, m, name, method) })
        case "null", "not_null":
            guard case .none = operand else { throw bad("takes no value for \(opName)") }
            return op == "null" ? .isNull(name) : .isNotNull(name)
        case "like", "ilike":
            let pattern = try text()
            guard !SQLCondition.endsWithLoneEscape(pattern) else {
                throw bad("has a pattern for \(opName) that ends with a lone \\ (write \\\\ for a backslash)")
            }
            return .like(name, pattern: pattern, caseInsensitive: op == "ilike")
        case "prefix", "iprefix":
            return .like(name, pattern: SQLCondition.prefixPattern(try text()), caseInsensitive: op == "iprefix")
        case "contains", "icontains":
            return .like(name, pattern: SQLCondition.containsPattern(try text()), caseInsensitive: op == "icontains")
        default:
            throw bad("has the unknown operator \(opName)")
        }
    }

    /// A condition on a ref: `=`, `!=`, `in`, `null`, `not_null` with ref values (a ref is null
    /// when any of its columns is).
    private func refCondition(
        _ r: SQLTableModel.RefSpec, _ op: String, _ operand: Value?, _ m: SQLTableModel, _ method: String,
        _ bad: (String) -> BrokerError
    ) throws -> SQLCondition {
        let opName = "'\(BrokerError.excerpt(op))' on ref '\(r.name)'"
        let isNull = SQLCondition.any(r.columns.map { .isNull($0) })
        let notNull = SQLCondition.and(r.columns.map { .isNotNull($0) })
        func equal(_ v: Value) throws -> SQLCondition {
            .and(try refColumns(r, v, m, method).map { .compare($0.0, .equal, $0.1) })
        }
        switch op {
        case "=", "!=":
            guard let operand else { throw bad("needs a value for \(opName)") }
            if operand.isNull { return op == "=" ? isNull : notNull }
            if op == "=" { return try equal(operand) }
            return .any(try refColumns(r, operand, m, method).map { .compare($0.0, .notEqual, $0.1) })
        case "in":
            guard case .list(let items)? = operand else { throw bad("needs a list for \(opName)") }
            return .any(try items.map { $0.isNull ? isNull : try equal($0) })
        case "null", "not_null":
            guard case .none = operand else { throw bad("takes no value for \(opName)") }
            return op == "null" ? isNull : notNull
        default:
            throw bad("uses \(opName); a ref takes =, !=, in, null and not_null")
        }
    }
}
