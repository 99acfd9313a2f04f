/// SQLite: double-quoted identifiers, `?n` placeholders, `RETURNING` (3.35+).
public struct SQLiteDialect: SQLDialect {
    public init() {}
    public var kind: DatabaseKind { .sqlite }
    public func quote(_ identifier: String) -> String {
        IdentifierQuoting.quote(identifier, mark: "\"")
    }
    public func placeholder(_ index: Int) -> String { "?\(index + 1)" }
    public var supportsReturning: Bool { true }
}
