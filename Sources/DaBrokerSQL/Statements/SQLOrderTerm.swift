import DaBrokerCore

/// One term of an `ORDER BY`: a column, its direction and whether it can hold `NULL`.
///
/// `NULL`s sort after every value ascending and before every value descending on every
/// database (PostgreSQL's default; MariaDB and SQLite sort them first ascending, so
/// ``StatementBuilder`` sorts a nullable column there by `column IS NULL` first).
public struct SQLOrderTerm: Sendable, Hashable {
    public var column: String
    public var descending: Bool
    public var nullable: Bool

    public init(_ column: String, descending: Bool = false, nullable: Bool = true) {
        self.column = column
        self.descending = descending
        self.nullable = nullable
    }

    /// The condition that holds for the rows after a row with `values` (one per term, in
    /// order) in the order of `terms`: the keyset predicate of the next page.
    ///
    /// Expanded as `t1 after v1 OR (t1 = v1 AND t2 after v2) OR …`, with the NULL placement
    /// of ``SQLOrderTerm`` (ascending, NULL is after every value; descending, before).
    public static func after(_ values: [Value], in terms: [SQLOrderTerm]) -> SQLCondition {
        var alternatives: [SQLCondition] = []
        var equalSoFar: [SQLCondition] = []
        for (term, value) in zip(terms, values) {
            if let beyond = term.beyond(value) { alternatives.append(.and(equalSoFar + [beyond])) }
            equalSoFar.append(value.isNull ? .isNull(term.column) : .compare(term.column, .equal, value))
        }
        return alternatives.count == 1 ? alternatives[0] : .any(alternatives)
    }

    /// The condition for a value of this term strictly after `value`; nil when none is.
    private func beyond(_ value: Value) -> SQLCondition? {
        switch (descending, value.isNull) {
        case (false, true): return nil
        case (false, false):
            let greater = SQLCondition.compare(column, .greater, value)
            return nullable ? .any([greater, .isNull(column)]) : greater
        case (true, true): return .isNotNull(column)
        case (true, false): return .compare(column, .less, value)
        }
    }
}
