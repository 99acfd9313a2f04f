import DaBrokerCore
import Testing

@testable import DaBrokerClient

@Suite("ObjectCache")
struct ObjectCacheTests {
    static func row(_ id: Int64, name: String = "x", table: String = "person") -> ClientObject {
        let value = ObjectValue(
            ref: Ref(key: ObjectKey(["sql", .string(table), .int(id)]), code: "c\(id)"),
            fields: ["id": .int(id), "name": .string(name)],
            refs: ["_meta": Ref(key: ObjectKey(["sql", .string(table)]), code: "t")])
        return ClientObject(value, client: nil, epoch: 0)
    }

    static let person = ObjectKey(["sql", "person"])

    @Test func oneObjectPerKeyAndHitMissCounters() {
        let cache = ObjectCache(capacity: 10)
        let a = cache.intern(Self.row(1), since: cache.epoch)
        let again = cache.intern(Self.row(1), since: cache.epoch)
        #expect(a === again)
        #expect(cache.object(for: a.key) === a)
        #expect(cache.object(for: Self.row(2).key) == nil)
        let stats = cache.statistics
        #expect(stats.objectHits == 1 && stats.objectMisses == 1 && stats.objects == 1)
    }

    @Test func changedContentReplacesAndObsoletesTheOldInstance() {
        let cache = ObjectCache(capacity: 10)
        let old = cache.intern(Self.row(1, name: "a"), since: cache.epoch)
        let new = cache.intern(Self.row(1, name: "b"), since: cache.epoch)
        #expect(new !== old)
        #expect(old.isObsolete && !new.isObsolete)
        #expect(cache.peek(new.key) === new)
    }

    @Test func invalidationObsoletesEvictsAndDropsTableCalls() {
        let cache = ObjectCache(capacity: 10)
        let obj = cache.intern(Self.row(1), since: cache.epoch)
        let other = ObjectCache.CallKey(target: ObjectKey(["sql", "album"]), method: "_dab_count", arguments: [])
        let search = ObjectCache.CallKey(target: Self.person, method: "_dab_search", arguments: ["id", 1])
        cache.storeCallResult(.objects([obj]), for: search, since: cache.epoch)
        cache.storeCallResult(.value(3), for: other, since: cache.epoch)
        cache.invalidate(key: obj.key, meta: Self.person)
        #expect(obj.isObsolete)
        #expect(cache.peek(obj.key) == nil)
        #expect(cache.callResult(for: search) == nil)
        #expect(cache.callResult(for: other) != nil)
        #expect(cache.statistics.invalidations == 1)
    }

    @Test func createdDropsOnlyTheTablesCalls() {
        let cache = ObjectCache(capacity: 10)
        let obj = cache.intern(Self.row(1), since: cache.epoch)
        let count = ObjectCache.CallKey(target: Self.person, method: "_dab_count", arguments: [])
        cache.storeCallResult(.value(1), for: count, since: cache.epoch)
        cache.invalidate(key: nil, meta: Self.person)
        #expect(cache.callResult(for: count) == nil)
        #expect(cache.peek(obj.key) === obj && !obj.isObsolete)
    }

    @Test func aReplyThatRacedWithAnInvalidationIsUsedButNotCached() {
        let cache = ObjectCache(capacity: 10)
        let sent = cache.epoch
        cache.invalidate(key: Self.row(1).key, meta: Self.person)  // arrives while the request is out
        let stale = cache.intern(Self.row(1), since: sent)
        #expect(cache.peek(stale.key) == nil)
        let unrelated = cache.intern(Self.row(2), since: sent)
        #expect(cache.peek(unrelated.key) === unrelated)
        let search = ObjectCache.CallKey(target: Self.person, method: "_dab_search", arguments: [])
        cache.storeCallResult(.objects([stale]), for: search, since: sent)
        #expect(cache.callResult(for: search) == nil)
    }

    @Test func boundedWithLRUEviction() {
        let cache = ObjectCache(capacity: 5)
        let objects = (1...5).map { cache.intern(Self.row($0), since: cache.epoch) }
        _ = cache.object(for: objects[0].key)  // 1 becomes the newest
        _ = cache.intern(Self.row(6), since: cache.epoch)
        #expect(cache.peek(objects[1].key) == nil)  // 2 was the least recently used
        #expect(cache.peek(objects[0].key) === objects[0])
        let stats = cache.statistics
        #expect(stats.objects == 5 && stats.evictions == 1 && stats.capacity == 5)
        #expect(!objects[1].isObsolete)  // evicted for room, not because it changed
    }

    @Test func removeAllObsoletesEverything() {
        let cache = ObjectCache(capacity: 5)
        let sent = cache.epoch
        let obj = cache.intern(Self.row(1), since: sent)
        cache.removeAll()
        #expect(obj.isObsolete)
        #expect(cache.statistics.objects == 0 && cache.statistics.flushes == 1)
        _ = cache.intern(Self.row(2), since: sent)
        #expect(cache.peek(Self.row(2).key) == nil)  // fetched before the flush: not cached
    }

    @Test func invalidationLogOverflowIsConservative() {
        let cache = ObjectCache(capacity: 5)
        let sent = cache.epoch
        for i in 0..<2000 { cache.invalidate(key: Self.row(Int64(100 + i)).key, meta: nil) }
        _ = cache.intern(Self.row(1), since: sent)
        #expect(cache.peek(Self.row(1).key) == nil)
        let recent = cache.epoch
        cache.invalidate(key: Self.row(7).key, meta: nil)
        _ = cache.intern(Self.row(1), since: recent)
        #expect(cache.peek(Self.row(1).key) != nil)
    }
}

extension ObjectCache.CachedResult: Equatable {
    public static func == (a: Self, b: Self) -> Bool {
        switch (a, b) {
        case (.value(let x), .value(let y)): return x == y
        case (.objects(let x), .objects(let y)): return x.count == y.count && zip(x, y).allSatisfy { $0 === $1 }
        default: return false
        }
    }
}
