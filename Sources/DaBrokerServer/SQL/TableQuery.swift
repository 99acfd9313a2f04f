import DaBrokerSQL

/// A client's query on one table, read and checked: the condition (equality filters ANDed
/// with `_where`), the total order (`_order` plus the key columns) and the canonical bytes
/// that bind a cursor to it.
struct TableQuery {
    var condition: SQLCondition?
    var order: [SQLOrderTerm]
    var binding: [UInt8]
}
