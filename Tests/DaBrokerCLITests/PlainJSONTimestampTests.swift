import DaBrokerCore
import Testing

@testable import DaBrokerCLI

/// The client commands print timestamps as they are: no `Z` on a reading without zone, the
/// offset of one with zone, every microsecond.
@Suite("CLI output: timestamps")
struct PlainJSONTimestampTests {
    @Test func naiveAndAwareTimestamps() {
        let naive = Value.timestamp(TimestampValue(microsecondsSinceEpoch: 1_709_211_907_000_250))
        #expect(PlainJSON.render(naive) == "\"2024-02-29T13:05:07.000250\"")
        let aware = Value.timestamp(TimestampValue(microsecondsSinceEpoch: 1_709_211_907_000_250, utcOffset: -18_000))
        #expect(PlainJSON.render(aware) == "\"2024-02-29T08:05:07.000250-05:00\"")
    }
}
