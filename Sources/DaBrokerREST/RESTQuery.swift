import DaBrokerCore
import DaBrokerServer
import Foundation
import OrderedCollections

/// The URL query of `GET {prefix}/{table}`, mapped onto the wire's table-call arguments:
/// `col=eq.v` (equality filters), `col=op.v` (`_where` conditions), `order=a,-b`,
/// `limit=n`, `after=cursor`, `count=exact|estimated`. See `docs/rest.md`.
struct RESTQuery {
    /// Plain equality filters (named arguments).
    var equal = OrderedDictionary<String, Value>()
    /// `_where` conditions (the queries contract).
    var conditions: [Value] = []
    var order: [String] = []
    var limit: Int?
    var after: String?
    var count: String?
    /// The filters and order as they were given (for the next page's link).
    var kept: [(String, String)] = []

    init(_ query: String, table: SQLExportedTable) throws(RESTProblem) {
        let names = Set(table.fields.map(\.name))
        for item in query.split(separator: "&") where !item.isEmpty {
            let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(pair[0])
            let value = pair.count > 1 ? Self.decode(pair[1]) : ""
            switch name {
            case "limit":
                guard let n = Int(value), n >= 0 else { throw RESTProblem(400, "limit must be a whole number ≥ 0") }
                limit = n
            case "after": after = value
            case "count":
                guard value == "exact" || value == "estimated" else {
                    throw RESTProblem(400, "count must be exact or estimated")
                }
                count = value
            case "order":
                for part in value.split(separator: ",") {
                    var column = String(part)
                    var descending = false
                    if column.hasPrefix("-") {
                        descending = true
                        column.removeFirst()
                    } else if column.hasSuffix(".desc") {
                        descending = true
                        column.removeLast(5)
                    } else if column.hasSuffix(".asc") {
                        column.removeLast(4)
                    }
                    guard names.contains(column) else { throw Self.unknown(column, table) }
                    order.append(descending ? "-" + column : column)
                }
                kept.append((name, value))
            default:
                guard names.contains(name) else { throw Self.unknown(name, table) }
                try filter(name, value)
                kept.append((name, value))
            }
        }
    }

    private mutating func filter(_ name: String, _ text: String) throws(RESTProblem) {
        let (op, operand) =
            text.firstIndex(of: ".").map { (String(text[..<$0]), String(text[text.index(after: $0)...])) }
            ?? (text, "")
        let comparisons = ["neq": "!=", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="]
        switch op {
        case "eq":
            if equal[name] == nil {
                equal[name] = .string(operand)
            } else {
                conditions.append([.string(name), "=", .string(operand)])
            }
        case "neq", "lt", "lte", "gt", "gte":
            conditions.append([.string(name), .string(comparisons[op] ?? "="), .string(operand)])
        case "like", "ilike":
            conditions.append([.string(name), .string(op), .string(operand.replacingOccurrences(of: "*", with: "%"))])
        case "prefix", "iprefix", "contains", "icontains":
            conditions.append([.string(name), .string(op), .string(operand)])
        case "in":
            guard operand.hasPrefix("("), operand.hasSuffix(")") else {
                throw RESTProblem(400, "filter on '\(name)': in takes a list in parentheses, in.(a,b)")
            }
            let items = operand.dropFirst().dropLast().split(separator: ",", omittingEmptySubsequences: false)
            conditions.append([.string(name), "in", .list(items.map { .string(String($0)) })])
        case "is" where operand == "null":
            conditions.append([.string(name), "null"])
        case "not" where operand == "is.null":
            conditions.append([.string(name), "not_null"])
        default:
            throw RESTProblem(
                400,
                "filter on '\(name)' needs an operator: eq, neq, lt, lte, gt, gte, like, ilike, prefix, iprefix, "
                    + "contains, icontains, in.(…), is.null, not.is.null")
        }
    }

    /// The named arguments of the table call (without `_limit`, `_after`).
    var named: OrderedDictionary<String, Value> {
        var out = equal
        if !conditions.isEmpty { out["_where"] = .list(conditions) }
        if !order.isEmpty { out["_order"] = .list(order.map { .string($0) }) }
        return out
    }

    private static func unknown(_ name: String, _ table: SQLExportedTable) -> RESTProblem {
        RESTProblem(400, "table '\(table.name)' has no column '\(BrokerError.excerpt(name))'")
    }

    static func decode<S: StringProtocol>(_ s: S) -> String {
        RESTRows.decodeSegment(s)
    }
}
