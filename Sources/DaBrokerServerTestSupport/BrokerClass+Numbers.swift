import DaBrokerServer

extension BrokerClass {
    /// A searchable class over `numbers` (static objects with an integer attribute `n`):
    /// `_dab_search` and `_dab_count` filter on `n` only, and the search honours `_limit`.
    public static func searchableNumbers(_ name: String, fields: [String], numbers: [StaticObject]) -> BrokerClass {
        searchable(
            name, fields: fields,
            search: { limit, filters in
                var hits = numbers
                if case .int(let n)? = filters["n"] { hits = hits.filter { $0["n"].intValue == n } }
                return hits.prefix(limit ?? hits.count).map { .object($0) }
            },
            count: { filters in
                if case .int(let n)? = filters["n"] { return numbers.filter { $0["n"].intValue == n }.count }
                return numbers.count
            })
    }
}

extension BrokerValue {
    /// The integer this attribute holds, if it is one.
    public var intValue: Int64? {
        if case .value(.int(let i)) = self { return i }
        return nil
    }
}
