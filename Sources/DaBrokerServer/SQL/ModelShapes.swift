import DaBrokerCore
import Synchronization

/// What every read of one exported table builds the same way, built on the first read and
/// kept with the model: the SQL of a read by key and the layout of a row as the table's
/// SELECTs return it. A reload makes new models, so nothing here outlives the schema it
/// was built from.
final class ModelShapes: Sendable {
    private struct Built {
        var rowSQL: String?
        var layout: RowLayout?
    }

    private let built = Mutex(Built())

    init() {}

    /// The SQL that reads one row by its key values (none of them null), built by `make` once.
    func rowSQL(_ make: () -> String) -> String {
        if let sql = built.withLock({ $0.rowSQL }) { return sql }
        let sql = make()
        built.withLock { $0.rowSQL = sql }
        return sql
    }

    /// The layout of a result with `columns`: the kept one when its columns are these, else
    /// one built by `make` (kept from then on).
    func layout(for columns: [String], _ make: () -> RowLayout) -> RowLayout {
        if let layout = built.withLock({ $0.layout }), layout.columns == columns { return layout }
        let layout = make()
        built.withLock { $0.layout = layout }
        return layout
    }
}
