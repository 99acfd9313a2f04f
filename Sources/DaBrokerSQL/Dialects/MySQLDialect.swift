/// MariaDB / MySQL: back-quoted identifiers, `?` placeholders, no `RETURNING` relied upon.
public struct MySQLDialect: SQLDialect {
    public init() {}
    public var kind: DatabaseKind { .mysql }
    public func quote(_ identifier: String) -> String {
        IdentifierQuoting.quote(identifier, mark: "`")
    }
    public func placeholder(_ index: Int) -> String { "?" }
    public var supportsReturning: Bool { false }
}
