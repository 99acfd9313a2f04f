/// Configured ref and backref names that replace the automatic ones (see `docs/naming.md`).
///
/// Table keys are those of ``DatabaseSchema/tables`` (`album`, or `other_schema.album`).
///
/// ```yaml
/// refs:
///   film: { original_language_id: source_language }     # by fk columns, comma-separated
///   employee: { FK_EmployeeReportsTo: manager }          # or by constraint name
/// backrefs:
///   employee: { employee: reports, customer: customers } # by referencing table key
///   language: { "film(original_language_id)": films_translated } # one fk of several
/// ```
public struct NamingOverrides: Sendable, Hashable, Codable {
    /// Table key → foreign key (constraint name, or its columns joined by `,`) → ref name.
    public var refs: [String: [String: String]]
    /// Referenced table key → referencing table key, or `table(col,col)` for one of several
    /// foreign keys from that table → backref name.
    public var backrefs: [String: [String: String]]

    public init(refs: [String: [String: String]] = [:], backrefs: [String: [String: String]] = [:]) {
        self.refs = refs
        self.backrefs = backrefs
    }

    /// The configured ref name for `foreignKey` of table `table`, if any.
    func refName(table: String, foreignKey: ForeignKeyDescription) -> String? {
        guard let byKey = refs[table] else { return nil }
        if let n = foreignKey.name, let name = byKey[n] { return name }
        return byKey[foreignKey.columns.joined(separator: ",")]
    }

    /// The configured backref name on `table` for `foreignKey` of `referencingTable`, if any.
    func backrefName(table: String, referencingTable: String, foreignKey: ForeignKeyDescription) -> String? {
        guard let byKey = backrefs[table] else { return nil }
        return byKey[referencingTable + "(" + foreignKey.columns.joined(separator: ",") + ")"]
            ?? byKey[referencingTable]
    }
}
