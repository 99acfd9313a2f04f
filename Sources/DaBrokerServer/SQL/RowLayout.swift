import DaBrokerCore
import OrderedCollections

/// Where a table's exported fields, ref columns and key columns sit in the rows of one
/// result, found once for all its rows (`nil`: the result has no such column; the value is
/// then null).
struct RowLayout {
    /// The result's columns this layout was made for.
    let columns: [String]
    /// The position of each of the model's fields, in the model's order.
    let fields: [Int?]
    /// The positions of each ref's columns, in the model's order of refs.
    let refs: [[Int?]]
    /// The positions of the key columns.
    let key: [Int?]
    /// The `_meta` ref every object of the table carries.
    let meta: Ref
    /// An object's fields with every value null, and its refs with `_meta` set and the others
    /// nil: each object of the result starts from these, so the keys are stored once per
    /// result (the objects share them) instead of once per row.
    let emptyFields: OrderedDictionary<String, Value>
    let emptyRefs: OrderedDictionary<String, Ref?>
    /// The position of each of the model's refs in `emptyRefs`.
    let refSlots: [Int]

    init(_ m: SQLTableModel, columns: [String], meta: Ref) {
        // A result has a handful of columns: a linear search, as `Row`'s subscript does,
        // costs less than building a dictionary (and a model keeps the layout of its SELECTs, see ``ModelShapes``).
        func position(_ c: String) -> Int? { columns.firstIndex(of: c) }
        self.columns = columns
        fields = m.fields.map(position)
        refs = m.refs.map { $0.columns.map(position) }
        key = m.keyColumns.map(position)
        self.meta = meta
        var fields = OrderedDictionary<String, Value>(minimumCapacity: m.fields.count)
        for f in m.fields { fields[f] = .null }
        emptyFields = fields
        var refs: OrderedDictionary<String, Ref?> = ["_meta": meta]
        for r in m.refs { refs[r.name] = .some(nil) }
        emptyRefs = refs
        refSlots = m.refs.map { refs.index(forKey: $0.name) ?? 0 }
    }
}
