/// A snapshot of a client's cache counters, for tests, tuning and dashboards.
///
/// Hits and misses count lookups of objects by key (`get`, ref resolution) and of
/// results of `cached` calls (`find`, `count`, `get` through a model) separately.
public struct CacheStatistics: Sendable, Hashable, CustomStringConvertible {
    /// How many objects the cache holds now.
    public var objects: Int
    /// How many results of `cached` calls the cache holds now.
    public var cachedCalls: Int
    /// The most objects (and, separately, call results) the cache keeps.
    public var capacity: Int
    /// Object lookups answered from the cache.
    public var objectHits: Int
    /// Object lookups that had to ask the server.
    public var objectMisses: Int
    /// `cached` calls answered from the cache.
    public var callHits: Int
    /// `cached` calls that had to ask the server.
    public var callMisses: Int
    /// Entries dropped to stay within `capacity` (least recently used first).
    public var evictions: Int
    /// `invalid_key` broadcasts applied.
    public var invalidations: Int
    /// Times the whole cache was dropped (resynchronisation, read-your-writes timeout, `clear()`).
    public var flushes: Int

    public init(
        objects: Int = 0, cachedCalls: Int = 0, capacity: Int = 0, objectHits: Int = 0, objectMisses: Int = 0,
        callHits: Int = 0, callMisses: Int = 0, evictions: Int = 0, invalidations: Int = 0, flushes: Int = 0
    ) {
        self.objects = objects
        self.cachedCalls = cachedCalls
        self.capacity = capacity
        self.objectHits = objectHits
        self.objectMisses = objectMisses
        self.callHits = callHits
        self.callMisses = callMisses
        self.evictions = evictions
        self.invalidations = invalidations
        self.flushes = flushes
    }

    /// All lookups answered from the cache.
    public var hits: Int { objectHits + callHits }
    /// All lookups that had to ask the server.
    public var misses: Int { objectMisses + callMisses }

    public var description: String {
        "objects \(objects)/\(capacity), calls \(cachedCalls), hits \(objectHits)+\(callHits), "
            + "misses \(objectMisses)+\(callMisses), evictions \(evictions), invalidations \(invalidations), "
            + "flushes \(flushes)"
    }
}
