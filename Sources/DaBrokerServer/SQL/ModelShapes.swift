import DaBrokerCore
import Synchronization

/// What every read of one exported table builds the same way, built on the first read and
/// kept with the model: the SQL of searches (reads by key among them) by their shape, and the
/// layout of a row as the table's SELECTs return it. A reload makes new models, so nothing here
/// outlives the schema it was built from.
final class ModelShapes: Sendable {
    /// What decides the text of a search's SELECT: the filtered columns in order, which of
    /// them are null (`IS NULL` instead of a parameter), and the limit.
    struct SearchShape: Hashable {
        var columns: [String]
        var nulls: [Bool]
        var limit: Int?
    }

    /// The most search texts kept per model; when full, the kept ones are dropped and the
    /// cache fills again (clients send few shapes; a client sending many only loses the cache).
    static let searchShapesKept = 64

    private struct Built {
        var layout: RowLayout?
        var searches: [SearchShape: String] = [:]
    }

    private let built = Mutex(Built())

    init() {}

    /// The SQL of a search of `shape`, built by `make` on the first search of that shape.
    func searchSQL(_ shape: SearchShape, _ make: () -> String) -> String {
        if let sql = built.withLock({ $0.searches[shape] }) { return sql }
        let sql = make()
        built.withLock {
            if $0.searches.count >= Self.searchShapesKept { $0.searches.removeAll(keepingCapacity: true) }
            $0.searches[shape] = sql
        }
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
