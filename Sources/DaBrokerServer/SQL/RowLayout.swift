import DaBrokerCore

/// Where a table's exported fields, ref columns and key columns sit in the rows of one
/// result, found once for all its rows (`nil`: the result has no such column; the value is
/// then null).
struct RowLayout {
    /// The position of each of the model's fields, in the model's order.
    let fields: [Int?]
    /// The positions of each ref's columns, in the model's order of refs.
    let refs: [[Int?]]
    /// The positions of the key columns.
    let key: [Int?]
    /// The `_meta` ref every object of the table carries.
    let meta: Ref

    init(_ m: SQLTableModel, columns: [String], meta: Ref) {
        // A result has a handful of columns: a linear search, as `Row`'s subscript does,
        // costs less than building a dictionary (a get-by-key makes one layout per call).
        func position(_ c: String) -> Int? { columns.firstIndex(of: c) }
        fields = m.fields.map(position)
        refs = m.refs.map { $0.columns.map(position) }
        key = m.keyColumns.map(position)
        self.meta = meta
    }
}
