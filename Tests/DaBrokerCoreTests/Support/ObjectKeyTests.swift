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

    /// Text primary keys that differ only in Unicode normalisation are two rows: two keys,
    /// although Swift's `String` calls them equal.
    @Test func keysOfCanonicallyEquivalentTextAreTwoKeys() {
        let composed = ObjectKey(["sql", "word", "caf\u{E9}"])
        let decomposed = ObjectKey(["sql", "word", "cafe\u{301}"])
        #expect(Value.string("caf\u{E9}") == Value.string("cafe\u{301}"))  // Swift's view
        #expect(composed != decomposed)
        #expect(Set([composed, decomposed]).count == 2)
        #expect([composed: 1][decomposed] == nil)
        #expect(composed == ObjectKey(["sql", "word", "caf\u{E9}"]))
        #expect(ObjectKey(["a", .int(1)]) != ObjectKey(["a", "1"]))
    }
}
