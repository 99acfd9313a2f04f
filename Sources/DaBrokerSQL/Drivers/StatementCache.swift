/// A per-connection cache of prepared statements keyed by SQL text, bounded by evicting the
/// least recently used entry.
///
/// Not thread-safe: it lives in a driver's thread-confined state.
struct StatementCache<Entry> {
    private var entries: [String: (entry: Entry, lastUse: UInt64)] = [:]
    private var clock: UInt64 = 0
    /// The most statements kept; the least recently used is evicted beyond it.
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    var count: Int { entries.count }

    /// The cached statement for `sql`, marked as just used.
    mutating func lookup(_ sql: String) -> Entry? {
        guard let hit = entries[sql] else { return nil }
        clock += 1
        entries[sql] = (hit.entry, clock)
        return hit.entry
    }

    /// Caches `entry` for `sql`; returns the entry evicted to stay within `capacity`, which the
    /// caller must release.
    mutating func insert(_ sql: String, _ entry: Entry) -> Entry? {
        clock += 1
        entries[sql] = (entry, clock)
        guard entries.count > capacity,
            let oldest = entries.min(by: { $0.value.lastUse < $1.value.lastUse })
        else { return nil }
        entries[oldest.key] = nil
        return oldest.value.entry
    }

    /// Removes and returns the entry for `sql`.
    mutating func remove(_ sql: String) -> Entry? {
        entries.removeValue(forKey: sql)?.entry
    }

    /// Removes and returns every entry.
    mutating func removeAll() -> [Entry] {
        let all = entries.values.map(\.entry)
        entries = [:]
        return all
    }
}
