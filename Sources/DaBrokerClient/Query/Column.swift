import DaBrokerCore

/// A column (or ref) of a model, named in queries:
///
/// ```swift
/// let born = Column("born")
/// let recent = try await people.filter(born > "1900-01-01").order(born.desc).limit(20).fetchAll()
/// ```
///
/// Comparisons (`==`, `!=`, `<`, `<=`, `>`, `>=`) and the methods below make a
/// ``QueryPredicate``; `asc` and `desc` make a ``QueryOrdering``. The server checks the name
/// (an exported column or ref) and every value against the column's type.
public struct Column: Sendable, Hashable {
    /// The column's or ref's name as the model's info gives it.
    public let name: String

    public init(_ name: String) { self.name = name }

    /// Ascending order (NULLs last).
    public var asc: QueryOrdering { QueryOrdering(column: name, descending: false) }
    /// Descending order (NULLs first).
    public var desc: QueryOrdering { QueryOrdering(column: name, descending: true) }

    /// The column holds one of `values` (`in`; an empty list matches nothing).
    public func among(_ values: [any QueryValueConvertible]) -> QueryPredicate {
        condition("in", .list(values.map(\.queryValue)))
    }
    /// The column is NULL (a ref: it refers to nothing).
    public var isNull: QueryPredicate { .condition([.string(name), "null"]) }
    /// The column is not NULL.
    public var isNotNull: QueryPredicate { .condition([.string(name), "not_null"]) }
    /// A `LIKE` pattern: `%` any run, `_` one character, `\` escapes the next character.
    public func like(_ pattern: String, caseInsensitive: Bool = false) -> QueryPredicate {
        condition(caseInsensitive ? "ilike" : "like", .string(pattern))
    }
    /// The text starts with `prefix`, taken literally (`%` and `_` are plain characters here).
    public func hasPrefix(_ prefix: String, caseInsensitive: Bool = false) -> QueryPredicate {
        condition(caseInsensitive ? "iprefix" : "prefix", .string(prefix))
    }
    /// The text contains `text`, taken literally.
    public func contains(_ text: String, caseInsensitive: Bool = false) -> QueryPredicate {
        condition(caseInsensitive ? "icontains" : "contains", .string(text))
    }

    func condition(_ op: String, _ value: Value) -> QueryPredicate {
        .condition([.string(name), .string(op), value])
    }
}

/// One term of a query's order: a column, ascending or descending. The server places NULLs
/// after every value ascending and before every value descending, and breaks ties by the key.
public struct QueryOrdering: Sendable, Hashable {
    public let column: String
    public let descending: Bool

    /// As `_order` spells it: `name` or `-name`.
    var wire: String { descending ? "-" + column : column }
}
