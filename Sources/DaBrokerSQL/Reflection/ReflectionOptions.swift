/// Which schemas reflection reads.
///
/// Patterns are globs matched against the whole schema name, case-sensitive: `*` (or `%`)
/// matches any run of characters, `?` one character; `_` is literal. A schema is read when it
/// matches an `include` pattern (or `include` is empty and it is the default set) and no
/// `exclude` pattern.
///
/// The default set: PostgreSQL — every schema except `pg_catalog`, `information_schema`,
/// `pg_toast*` and `pg_temp*`; MariaDB — the connection's current database; SQLite — `main`.
public struct ReflectionOptions: Sendable, Hashable, Codable {
    public var include: [String]
    public var exclude: [String]

    public init(include: [String] = [], exclude: [String] = []) {
        self.include = include
        self.exclude = exclude
    }

    /// Whether `schema` is read, given whether it belongs to the default set.
    public func includes(_ schema: String, isDefault: Bool) -> Bool {
        let included = include.isEmpty ? isDefault : include.contains { Self.matches(schema, pattern: $0) }
        return included && !exclude.contains { Self.matches(schema, pattern: $0) }
    }

    /// Whether `name` matches the glob `pattern` as a whole.
    public static func matches(_ name: String, pattern: String) -> Bool {
        let n = Array(name)
        let p = Array(pattern)
        // Iterative wildcard matching with backtracking to the last star.
        var i = 0
        var j = 0
        var star = -1
        var mark = 0
        while i < n.count {
            if j < p.count, p[j] == "?" || p[j] == n[i] {
                i += 1
                j += 1
            } else if j < p.count, p[j] == "*" || p[j] == "%" {
                star = j
                mark = i
                j += 1
            } else if star >= 0 {
                j = star + 1
                mark += 1
                i = mark
            } else {
                return false
            }
        }
        while j < p.count, p[j] == "*" || p[j] == "%" { j += 1 }
        return j == p.count
    }
}
