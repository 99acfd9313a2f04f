import DaBrokerCore
import Testing

/// Timestamps as text: without zone none is invented, with zone the offset is kept, and
/// the microseconds are never rounded.
@Suite("Timestamp text")
struct TimestampTextTests {
    // 2024-02-29 13:05:07.000250 as if UTC.
    static let micros: Int64 = 1_709_211_907_000_250

    @Test func naiveHasNoZoneAndFullPrecision() {
        let t = TimestampValue(microsecondsSinceEpoch: Self.micros)
        #expect(t.iso8601 == "2024-02-29T13:05:07.000250")
        #expect(TimestampValue(microsecondsSinceEpoch: 1_709_211_907_000_000).iso8601 == "2024-02-29T13:05:07")
        #expect(TimestampValue(microsecondsSinceEpoch: 1_709_211_907_123_456).iso8601.hasSuffix(".123456"))
    }

    @Test func awareKeepsItsOffset() {
        let utc = TimestampValue(microsecondsSinceEpoch: Self.micros, utcOffset: 0)
        #expect(utc.iso8601 == "2024-02-29T13:05:07.000250Z")
        let paris = TimestampValue(microsecondsSinceEpoch: Self.micros, utcOffset: 3600)
        #expect(paris.iso8601 == "2024-02-29T14:05:07.000250+01:00")
        let newfoundland = TimestampValue(microsecondsSinceEpoch: Self.micros, utcOffset: -(3 * 3600 + 1800))
        #expect(newfoundland.iso8601 == "2024-02-29T09:35:07.000250-03:30")
    }

    @Test func beforeTheEpoch() {
        // 1969-12-31 23:59:59.999999
        #expect(TimestampValue(microsecondsSinceEpoch: -1).iso8601 == "1969-12-31T23:59:59.999999")
    }
}
