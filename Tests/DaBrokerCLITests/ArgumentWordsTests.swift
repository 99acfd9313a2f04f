import DaBrokerCore
import Testing

@testable import DaBrokerCLI

/// Issue 15.8: command-line values and messages as a person writes them.
@Suite("Command-line words and messages")
struct ArgumentWordsTests {
    @Test func jsonListsAndObjectsAreReadAsSuch() {
        #expect(ArgumentValue.parse(#"["a","b"]"#) == ["a", "b"])
        #expect(ArgumentValue.parse(#"{"k":1}"#) == .dict(["k": 1]))
        #expect(ArgumentValue.parse("[not json") == "[not json")
        #expect(ArgumentValue.parse("10xyz") == "10xyz")
        #expect(ArgumentValue.parse("10") == 10)
    }

    @Test func aNegativeLimitIsExplained() throws {
        do {
            _ = try FindCommand.parse(["item", "--limit", "-5"])
            Issue.record("--limit -5 was accepted")
        } catch {
            let message = FindCommand.message(for: error)
            #expect(message.contains("--limit must be 0 or more"), "\(message)")
        }
        #expect(try FindCommand.parse(["item", "--limit", "5"]).limit == 5)
    }

    @Test func valuesInMessagesAreWrittenAsTyped() {
        #expect(Value.int(2).written == "2")
        #expect(Value.decimal("0.99").written == "0.99")
        #expect(Value.string("Bob").written == "\"Bob\"")
        #expect(Value.list([1, "a"]).written == "[1, \"a\"]")
        #expect(Value.date(DateValue(year: 2024, month: 5, day: 1)).written == "2024-05-01")
        #expect(ObjectKey(["sql", "price", .decimal("0.99")]).description == "('sql','price',0.99)")
    }
}
