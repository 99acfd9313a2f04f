import DaBrokerCore

/// A condition of a `WHERE` clause, built from the reflected schema's column names and
/// client values: comparisons, `IN`, `IS [NOT] NULL`, `LIKE` and AND/OR groups.
///
/// ``StatementBuilder`` writes it for each dialect, every value a parameter and every column
/// quoted by the dialect. A comparison with a `NULL` value is written `IS NULL` (`=`) or
/// `IS NOT NULL` (`!=`); the other comparisons with `NULL` match nothing, as in SQL.
public indirect enum SQLCondition: Sendable, Hashable {
    /// `column op value`.
    case compare(String, SQLComparison, Value)
    /// `column IN (values…)`; an empty list matches nothing, a `NULL` in it matches `NULL`.
    case oneOf(String, [Value])
    /// `column IS NULL`.
    case isNull(String)
    /// `column IS NOT NULL`.
    case isNotNull(String)
    /// `column LIKE pattern ESCAPE '\'`: `%` any run, `_` one character, `\` escapes the
    /// next character; `caseInsensitive` compares lower-cased text.
    case like(String, pattern: String, caseInsensitive: Bool)
    /// Every condition holds (an empty list always holds).
    case all([SQLCondition])
    /// Some condition holds (an empty list never holds).
    case any([SQLCondition])

    /// The `LIKE` pattern matching text that starts with `text` (taken literally).
    public static func prefixPattern(_ text: String) -> String { escapeLike(text) + "%" }

    /// The `LIKE` pattern matching text that contains `text` (taken literally).
    public static func containsPattern(_ text: String) -> String { "%" + escapeLike(text) + "%" }

    /// `text` with `%`, `_` and `\` escaped by `\`, so that a `LIKE` pattern matches it literally.
    public static func escapeLike(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text {
            if c == "%" || c == "_" || c == "\\" { out.append("\\") }
            out.append(c)
        }
        return out
    }

    /// Whether `pattern` ends with a lone escape character (which the databases read differently).
    public static func endsWithLoneEscape(_ pattern: String) -> Bool {
        var escaped = false
        for c in pattern { escaped = c == "\\" ? !escaped : false }
        return escaped
    }

    /// The conditions joined by AND, flattening nested ANDs; a single one stays as it is.
    public static func and(_ conditions: [SQLCondition]) -> SQLCondition {
        var out: [SQLCondition] = []
        for c in conditions {
            if case .all(let inner) = c { out += inner } else { out.append(c) }
        }
        return out.count == 1 ? out[0] : .all(out)
    }
}

/// The comparison operators of ``SQLCondition/compare(_:_:_:)``.
public enum SQLComparison: String, Sendable, Hashable, CaseIterable {
    case equal = "="
    case notEqual = "!="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="

    /// The SQL operator (`<>` for not equal, the standard spelling).
    var sql: String { self == .notEqual ? "<>" : rawValue }
}
