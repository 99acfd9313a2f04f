import Testing

@testable import DaBrokerClient

@Suite("BroadcastWatermark")
struct BroadcastWatermarkTests {
    @Test func waitReturnsOnceTheBroadcastIsApplied() async {
        let mark = BroadcastWatermark()
        mark.baseline(sid: "s", msgid: 3)
        #expect(await mark.wait(sid: "s", msgid: 3, timeout: .seconds(5)))
        async let waited = mark.wait(sid: "s", msgid: 5, timeout: .seconds(5))
        try? await Task.sleep(for: .milliseconds(20))
        mark.advance(sid: "s", to: 4)
        mark.advance(sid: "s", to: 5)
        #expect(await waited)
        #expect(mark.applied(for: "s") == 5)
    }

    @Test func waitTimesOut() async {
        let mark = BroadcastWatermark()
        mark.baseline(sid: "s", msgid: 0)
        let clock = ContinuousClock()
        let start = clock.now
        #expect(await mark.wait(sid: "s", msgid: 1, timeout: .milliseconds(100)) == false)
        #expect(clock.now - start >= .milliseconds(100))
        #expect(await mark.wait(sid: "other", msgid: 1, timeout: .milliseconds(10)) == false)
    }

    @Test func baselineDoesNotMoveAKnownServerBack() {
        let mark = BroadcastWatermark()
        mark.advance(sid: "s", to: 9)
        mark.baseline(sid: "s", msgid: 2)
        mark.advance(sid: "s", to: 4)
        #expect(mark.applied(for: "s") == 9)
        mark.reset()
        #expect(mark.applied(for: "s") == nil)
    }
}
