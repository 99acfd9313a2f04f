import DaBrokerCore
import DaBrokerSQL
import OrderedCollections

extension SQLTableService {
    /// Refuses a client's plain value in a foreign-key column whose target this client cannot
    /// search: a table exported `none`, a table not exported, or a key that is (partly) a hidden
    /// column of the target. Writing a guessed key there would make the reply carry a signed
    /// ref (or the database say whether the row exists): the client could enumerate rows it
    /// was never given. Such a value must come as the ref, with its access code. A plain value
    /// to a searchable target is allowed: the client could find that row anyway. NULL is always
    /// allowed. The error names the column, never the value.
    func checkForeignKeyWrites(_ m: SQLTableModel, _ writes: ForeignKeyWrites, method: String) throws {
        guard !writes.plainColumns.isEmpty else { return }
        for fk in m.table.foreignKeys {
            guard let column = fk.columns.first(where: writes.plainColumns.contains) else { continue }
            guard !isSearchable(fk) else { continue }
            let ref = m.refs.first { Set($0.columns) == Set(fk.columns) }
            let hint =
                ref.map { "set the ref '\($0.name)' with its access code instead" } ?? "it cannot be set by clients"
            throw BrokerError.accessDenied(
                "\(method) on '\(m.name)': '\(column)' refers to a table this client cannot search; \(hint)")
        }
    }

    /// Whether every row `fk` can reference is one the client could find by searching: the
    /// target is exported readOnly or readWrite, and no referenced column is hidden there.
    func isSearchable(_ fk: ForeignKeyDescription) -> Bool {
        let key = reflected.schema.key(schema: fk.referencedSchema, name: fk.referencedTable)
        guard let target = model(key), target.mode.canRead else { return false }
        return !fk.referencedColumns.contains(where: target.hidden.contains)
    }

    /// The refs of a write's reply that must travel without a code: refs the write set, to a
    /// table the client cannot search, that are not a ref the client itself sent (with its code).
    /// After ``checkForeignKeyWrites(_:_:method:)`` this can only be a value the database
    /// changed on its own (a trigger); a ref the client could not read is never signed for it.
    func withheldRefs(_ m: SQLTableModel, _ written: ObjectValue, _ writes: ForeignKeyWrites) -> Set<ObjectKey> {
        var out = Set<ObjectKey>()
        for r in m.refs {
            guard case .some(.some(let ref)) = written.refs[r.name], !writes.sentRefs.contains(ref.key) else {
                continue
            }
            let wrote = writes.setRefs.contains(r.name) || r.columns.contains(where: writes.plainColumns.contains)
            guard wrote, let target = model(r.target), !target.mode.canRead else { continue }
            out.insert(ref.key)
        }
        return out
    }

    /// Notes a value written to field or ref `name` of `m` in `writes`.
    func note(_ name: String, _ value: Value, of m: SQLTableModel, in writes: inout ForeignKeyWrites) {
        if m.fields.contains(name) {
            if !value.isNull { writes.plainColumns.insert(name) }
            return
        }
        writes.setRefs.insert(name)
        switch value {
        case .ref(let r): writes.sentRefs.insert(r.key)
        case .object(let o): writes.sentRefs.insert(o.ref.key)
        default: break
        }
    }
}
