import DaBrokerCore
import Synchronization

/// The client's object cache: one `ClientObject` per key, plus the results of `cached` calls.
///
/// Everything sits behind one lock (no actor hop), so a cache hit costs a hash lookup.
/// Both tables are bounded and forget their least recently used entries. An invalidation
/// marks the object obsolete and evicts it, and drops the call results whose target is the
/// object or its table. A log of recent invalidations lets a reply that raced with one
/// be used without being cached (see `intern(_:since:)`).
final class ObjectCache: Sendable {
    /// Identifies the result of one `cached` call.
    struct CallKey: Hashable, Sendable {
        var target: ObjectKey
        var method: String
        var arguments: Value
    }

    /// A cached call result: a plain value, or objects (kept as the interned instances).
    enum CachedResult: Sendable {
        case value(Value)
        case objects([ClientObject])
    }

    private struct LogEntry {
        var epoch: UInt64
        var key: ObjectKey?
        var meta: ObjectKey?
    }

    private struct State {
        var objects: LRUTable<ObjectKey, ClientObject>
        var calls: LRUTable<CallKey, CachedResult>
        var callsByTarget: [ObjectKey: Set<CallKey>] = [:]
        var stats = CacheStatistics()
        /// Counts applied invalidations and flushes.
        var epoch: UInt64 = 0
        /// The epoch of the last flush.
        var flushEpoch: UInt64 = 0
        /// The most recent invalidations, oldest first (a ring of `logCapacity`).
        var log: [LogEntry] = []
        var logHead = 0
    }

    private static let logCapacity = 1024
    private let state: Mutex<State>
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        state = Mutex(State(objects: LRUTable(capacity: capacity), calls: LRUTable(capacity: capacity)))
    }

    /// The current invalidation epoch; pass it to `intern(_:since:)` for a reply to a request
    /// sent now.
    var epoch: UInt64 { state.withLock { $0.epoch } }

    var statistics: CacheStatistics {
        state.withLock { s in
            var stats = s.stats
            stats.objects = s.objects.count
            stats.cachedCalls = s.calls.count
            stats.capacity = capacity
            return stats
        }
    }

    /// The cached object for `key`, counted as a hit or a miss.
    func object(for key: ObjectKey) -> ClientObject? {
        state.withLock { s in
            if let object = s.objects.get(key) {
                s.stats.objectHits += 1
                return object
            }
            s.stats.objectMisses += 1
            return nil
        }
    }

    /// The cached object for `key`, without counting or touching the recency order.
    func peek(_ key: ObjectKey) -> ClientObject? {
        state.withLock { $0.objects.peek(key) }
    }

    /// Registers an object that arrived in a reply to a request sent at `epoch`, and returns
    /// the instance to use: the cached one when it has the same content (one object per key),
    /// else `object`. It is not cached if an invalidation of its key was applied after the
    /// request went out, since the reply may predate that change.
    func intern(_ object: ClientObject, since epoch: UInt64) -> ClientObject {
        state.withLock { s in
            if let cached = s.objects.peek(object.key) {
                if cached.hasSameContent(as: object) { return cached }
            }
            guard !Self.invalidated(s, since: epoch, matches: { $0.key == object.key }) else { return object }
            if let replaced = s.objects.peek(object.key) { replaced.markObsolete() }
            if s.objects.set(object.key, object) != nil { s.stats.evictions += 1 }
            return object
        }
    }

    /// The cached result of a `cached` call, counted as a hit or a miss.
    func callResult(for key: CallKey) -> CachedResult? {
        state.withLock { s in
            if let result = s.calls.get(key) {
                s.stats.callHits += 1
                return result
            }
            s.stats.callMisses += 1
            return nil
        }
    }

    /// Caches the result of a `cached` call made at `epoch`, unless its target (or anything
    /// whose table is the target) was invalidated since.
    func storeCallResult(_ result: CachedResult, for key: CallKey, since epoch: UInt64) {
        state.withLock { s in
            let target = key.target
            guard !Self.invalidated(s, since: epoch, matches: { $0.key == target || $0.meta == target }) else {
                return
            }
            if let evicted = s.calls.set(key, result) {
                s.stats.evictions += 1
                s.callsByTarget[evicted.key.target]?.remove(evicted.key)
                if s.callsByTarget[evicted.key.target]?.isEmpty == true {
                    s.callsByTarget[evicted.key.target] = nil
                }
            }
            s.callsByTarget[target, default: []].insert(key)
        }
    }

    /// Applies one invalidation: the object with `key` (if cached) becomes obsolete and leaves
    /// the cache; cached calls on `key` or on `meta` (its table) are dropped. `key` is nil for
    /// a created object (only the table's call results go).
    func invalidate(key: ObjectKey?, meta: ObjectKey?) {
        state.withLock { s in
            s.epoch += 1
            let entry = LogEntry(epoch: s.epoch, key: key, meta: meta)
            if s.log.count < Self.logCapacity {
                s.log.append(entry)
            } else {
                s.log[s.logHead] = entry
                s.logHead = (s.logHead + 1) % Self.logCapacity
            }
            s.stats.invalidations += 1
            if let key {
                s.objects.remove(key)?.markObsolete()
                Self.dropCalls(on: key, in: &s)
            }
            if let meta { Self.dropCalls(on: meta, in: &s) }
        }
    }

    /// Drops everything: every cached object becomes obsolete (it may have missed an
    /// invalidation) and every call result goes.
    func removeAll() {
        state.withLock { s in
            for object in s.objects.removeAll() { object.markObsolete() }
            _ = s.calls.removeAll()
            s.callsByTarget.removeAll()
            s.epoch += 1
            s.flushEpoch = s.epoch
            s.stats.flushes += 1
        }
    }

    private static func dropCalls(on target: ObjectKey, in s: inout State) {
        guard let keys = s.callsByTarget.removeValue(forKey: target) else { return }
        for key in keys { s.calls.remove(key) }
    }

    /// Whether an invalidation matching `matches` (or a flush) was applied after `epoch`.
    private static func invalidated(_ s: State, since epoch: UInt64, matches: (LogEntry) -> Bool) -> Bool {
        if s.epoch == epoch { return false }
        if s.flushEpoch > epoch { return true }
        // No flush since `epoch`: every epoch step since is one logged invalidation.
        let needed = Int(clamping: s.epoch - epoch)
        let count = s.log.count
        // The log does not reach back to `epoch`: assume the worst.
        if needed > count { return true }
        var position = (s.logHead + count - 1) % count
        for _ in 0..<needed {
            if matches(s.log[position]) { return true }
            position = (position + count - 1) % count
        }
        return false
    }
}
