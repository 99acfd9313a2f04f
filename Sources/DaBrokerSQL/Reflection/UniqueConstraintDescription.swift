/// A unique constraint or unique index over plain columns (not the primary key, not partial,
/// no expressions): an alternate key of the table.
public struct UniqueConstraintDescription: Sendable, Hashable, Codable {
    /// The constraint or index name.
    public var name: String
    /// The columns, in key order.
    public var columns: [String]

    public init(name: String, columns: [String]) {
        self.name = name
        self.columns = columns
    }
}
