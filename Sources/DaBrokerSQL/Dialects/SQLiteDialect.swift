/// SQLite: double-quoted identifiers, `?n` placeholders, `RETURNING` (3.35+).
public struct SQLiteDialect: SQLDialect {
    public init() {}
    public var kind: DatabaseKind { .sqlite }
    public func quote(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
    public func placeholder(_ index: Int) -> String { "?\(index + 1)" }
    public var supportsReturning: Bool { true }
}
