/// PostgreSQL: double-quoted identifiers, `$n` placeholders, `RETURNING`.
public struct PostgresDialect: SQLDialect {
    public init() {}
    public var kind: DatabaseKind { .postgres }
    public func quote(_ identifier: String) -> String {
        IdentifierQuoting.quote(identifier, mark: "\"")
    }
    public func placeholder(_ index: Int) -> String { "$\(index + 1)" }
    public var supportsReturning: Bool { true }
}
