/// Which database family a connection speaks.
public enum DatabaseKind: String, Sendable, Hashable, CaseIterable {
    case postgres, mysql, sqlite
}

/// What differs between databases when writing SQL: identifier quoting, parameter
/// placeholders and capabilities.
public protocol SQLDialect: Sendable {
    var kind: DatabaseKind { get }
    /// Quotes an identifier that came from the reflected schema.
    func quote(_ identifier: String) -> String
    /// The placeholder for the parameter at `index` (0-based): `$1`, `?`.
    func placeholder(_ index: Int) -> String
    /// Whether `INSERT … RETURNING` / `DELETE … RETURNING` is available.
    var supportsReturning: Bool { get }
}
