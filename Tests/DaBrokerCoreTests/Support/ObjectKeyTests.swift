import DaBrokerCore
import Testing

/// ``ObjectKey`` keeps its hash with its parts: equal keys hash alike however they were made.
@Suite("ObjectKey")
struct ObjectKeyTests {
    @Test func equalKeysHashAlikeAfterTheirPartsChange() {
        var grown = ObjectKey(["sql", "track"])
        grown.parts.append(.int(7))
        let made = ObjectKey(["sql", "track", .int(7)])
        #expect(grown == made)
        #expect(grown.hashValue == made.hashValue)
        #expect(Set([grown, made]).count == 1)
        var changed = made
        changed.parts[2] = .int(8)
        #expect(changed != made)
        #expect([made: 1][changed] == nil)
        #expect([made: 1][grown] == 1)
        #expect(ObjectKey([]) == .metaRoot)
    }
}
