import DaBrokerCore
import Testing

@Suite("LRUTable")
struct LRUTableTests {
    @Test func evictsTheLeastRecentlyUsed() {
        var table = LRUTable<Int, String>(capacity: 3)
        #expect(table.set(1, "a") == nil)
        table.set(2, "b")
        table.set(3, "c")
        #expect(table.get(1) == "a")  // 1 is now the newest; 2 the oldest
        let evicted = table.set(4, "d")
        #expect(evicted?.key == 2)
        #expect(table.peek(2) == nil)
        #expect(table.count == 3)
        #expect(table.peek(1) == "a" && table.peek(3) == "c" && table.peek(4) == "d")
    }

    @Test func replacingKeepsTheCountAndRefreshes() {
        var table = LRUTable<Int, String>(capacity: 2)
        table.set(1, "a")
        table.set(2, "b")
        #expect(table.set(1, "A") == nil)
        #expect(table.count == 2)
        #expect(table.set(3, "c")?.key == 2)
        #expect(table.peek(1) == "A")
    }

    @Test func removeFreesSlotsForReuse() {
        var table = LRUTable<Int, Int>(capacity: 100)
        for round in 0..<10 {
            for i in 0..<100 { table.set(i, i + round) }
            for i in stride(from: 0, to: 100, by: 2) { #expect(table.remove(i) == i + round) }
            #expect(table.count == 50)
            for i in stride(from: 0, to: 100, by: 2) { table.set(i, -i) }
            #expect(table.count == 100)
        }
        #expect(table.removeAll().count == 100)
        #expect(table.count == 0)
        #expect(table.get(3) == nil)
    }

    /// A cleared table keeps its storage when small and drops it when large; either way it
    /// fills up again from nothing, evicting its oldest entry first.
    @Test(arguments: [10, 5_000])
    func aClearedTableFillsUpAgain(size: Int) {
        var table = LRUTable<Int, Int>(capacity: size)
        for i in 0..<size { table.set(i, i) }
        #expect(table.removeAll().count == size)
        #expect(table.count == 0)
        for i in 0..<size { #expect(table.set(size + i, i) == nil) }
        #expect(table.count == size)
        #expect(table.peek(0) == nil)
        #expect(table.set(-1, -1)?.key == size)
        #expect(table.peek(2 * size - 1) == size - 1)
    }

    @Test func capacityOneKeepsOnlyTheNewest() {
        var table = LRUTable<String, Int>(capacity: 1)
        table.set("a", 1)
        #expect(table.set("b", 2)?.key == "a")
        #expect(table.peek("a") == nil)
        #expect(table.peek("b") == 2)
    }
}
