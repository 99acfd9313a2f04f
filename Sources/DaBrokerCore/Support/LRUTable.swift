/// A fixed-capacity table that forgets its least recently used entry when full.
///
/// Every operation is O(1): a hash index into an array of slots chained in recency order.
/// The one LRU of the package: the client's object cache and the drivers' prepared-statement
/// caches. Not thread-safe on its own: `ObjectCache` keeps it behind a `Mutex`, a driver in
/// its thread-confined state.
///
/// Public and `@inlinable` so that the modules using it get code specialised for their key
/// and element types: a `package` generic is not, and its generic calls made up a tenth of a
/// client's work in a find of 50 rows (docs/performance.md).
public struct LRUTable<Key: Hashable, Element> {
    @usableFromInline
    struct Slot {
        @usableFromInline var key: Key
        @usableFromInline var element: Element?
        @usableFromInline var newer: Int
        @usableFromInline var older: Int

        @inlinable
        init(key: Key, element: Element?, newer: Int, older: Int) {
            self.key = key
            self.element = element
            self.newer = newer
            self.older = older
        }
    }

    @usableFromInline var index: [Key: Int] = [:]
    @usableFromInline var slots: [Slot] = []
    @usableFromInline var freeSlots: [Int] = []
    /// Most recently used slot, or -1.
    @usableFromInline var newest = -1
    /// Least recently used slot, or -1.
    @usableFromInline var oldest = -1

    /// The most entries the table keeps (at least 1).
    public let capacity: Int

    @inlinable
    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    @inlinable
    public var count: Int { index.count }

    /// The element for `key`, marked as most recently used.
    @inlinable
    public mutating func get(_ key: Key) -> Element? {
        guard let slot = index[key] else { return nil }
        moveToFront(slot)
        return slots[slot].element
    }

    /// The element for `key`, leaving the recency order alone.
    @inlinable
    public func peek(_ key: Key) -> Element? {
        guard let slot = index[key] else { return nil }
        return slots[slot].element
    }

    /// Stores `element` under `key` as the most recently used entry; returns the entry that
    /// had to go to make room, if any.
    @inlinable @discardableResult
    public mutating func set(_ key: Key, _ element: Element) -> (key: Key, element: Element)? {
        if let slot = index[key] {
            slots[slot].element = element
            moveToFront(slot)
            return nil
        }
        var evicted: (key: Key, element: Element)?
        if index.count >= capacity, oldest >= 0 {
            let victim = oldest
            let victimKey = slots[victim].key
            if let old = remove(victimKey) { evicted = (victimKey, old) }
        }
        let slot: Int
        let fresh = Slot(key: key, element: element, newer: -1, older: -1)
        if let reused = freeSlots.popLast() {
            slot = reused
            slots[slot] = fresh
        } else {
            slot = slots.count
            slots.append(fresh)
        }
        index[key] = slot
        linkAtFront(slot)
        return evicted
    }

    /// Removes `key`; returns its element if it was there.
    @inlinable @discardableResult
    public mutating func remove(_ key: Key) -> Element? {
        guard let slot = index.removeValue(forKey: key) else { return nil }
        unlink(slot)
        let element = slots[slot].element
        slots[slot].element = nil
        freeSlots.append(slot)
        return element
    }

    /// The most entries whose storage ``removeAll()`` keeps.
    @usableFromInline static var keptCapacity: Int { 4096 }

    /// Removes every entry and returns their elements. A table of up to 4,096 entries keeps
    /// its storage: it fills up again without growing step by step (a client's cache,
    /// cleared, then refilled by the next find).
    @inlinable
    public mutating func removeAll() -> [Element] {
        let elements = slots.compactMap { $0.element }  // a key path here was made anew at each call
        let keep = slots.count <= Self.keptCapacity
        index.removeAll(keepingCapacity: keep)
        slots.removeAll(keepingCapacity: keep)
        freeSlots.removeAll(keepingCapacity: keep)
        newest = -1
        oldest = -1
        return elements
    }

    @inlinable
    mutating func moveToFront(_ slot: Int) {
        guard slot != newest else { return }
        unlink(slot)
        linkAtFront(slot)
    }

    @inlinable
    mutating func linkAtFront(_ slot: Int) {
        slots[slot].older = newest
        slots[slot].newer = -1
        if newest >= 0 { slots[newest].newer = slot }
        newest = slot
        if oldest < 0 { oldest = slot }
    }

    @inlinable
    mutating func unlink(_ slot: Int) {
        let newer = slots[slot].newer
        let older = slots[slot].older
        if newer >= 0 { slots[newer].older = older } else { newest = older }
        if older >= 0 { slots[older].newer = newer } else { oldest = newer }
        slots[slot].newer = -1
        slots[slot].older = -1
    }
}
