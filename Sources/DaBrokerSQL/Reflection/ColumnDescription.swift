import DaBrokerCore

/// One column of a reflected table or view, as the database catalog describes it.
public struct ColumnDescription: Sendable, Hashable, Codable {
    /// The column name, exactly as the catalog spells it (case and non-ASCII kept).
    public var name: String
    /// The type as declared in the catalog (`integer`, `varchar(40)`, `NVARCHAR(160)`, `my_domain`).
    public var declaredType: String
    /// The kind of `Value` the driver returns for this column, or `nil` when the type is not
    /// mapped (the column is then left out of the table's fields, with a notice).
    public var kind: ValueKind?
    /// Whether the column accepts `NULL`.
    public var isNullable: Bool
    /// The default expression as the catalog prints it (`nextval('a_id_seq'::regclass)`,
    /// `'abc'`, `CURRENT_TIMESTAMP`), or `nil` when there is none.
    public var defaultValue: String?
    /// Whether the database generates the value on insert: an identity column, `serial`,
    /// `AUTO_INCREMENT`, or SQLite's `INTEGER PRIMARY KEY` rowid alias.
    public var isAutoIncrement: Bool
    /// Whether the column is computed from other columns (`GENERATED ALWAYS AS (…)`); it
    /// cannot be written.
    public var isGenerated: Bool
    /// The column's comment, if any.
    public var comment: String?

    public init(
        name: String, declaredType: String, kind: ValueKind?, isNullable: Bool, defaultValue: String? = nil,
        isAutoIncrement: Bool = false, isGenerated: Bool = false, comment: String? = nil
    ) {
        self.name = name
        self.declaredType = declaredType
        self.kind = kind
        self.isNullable = isNullable
        self.defaultValue = defaultValue
        self.isAutoIncrement = isAutoIncrement
        self.isGenerated = isGenerated
        self.comment = comment
    }
}
