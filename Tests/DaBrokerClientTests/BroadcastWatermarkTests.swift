import DaBrokerTestSupport
import Testing

@testable import DaBrokerClient

/// The read-your-writes watermark, its timeouts on a manual clock (no test sleeps).
@Suite("BroadcastWatermark")
struct BroadcastWatermarkTests {
    /// Waits (without a time bound on the happy path) until `condition` holds.
    static func waitUntil(_ condition: () -> Bool) async {
        while !condition() { await Task.yield() }
    }

    @Test func waitReturnsOnceTheBroadcastIsApplied() async {
        let clock = ManualClock()
        let mark = BroadcastWatermark(clock: clock)
        mark.baseline(sid: "s", msgid: 3)
        #expect(await mark.wait(sid: "s", msgid: 3, timeout: .seconds(5)))
        async let waited = mark.wait(sid: "s", msgid: 5, timeout: .seconds(5))
        await Self.waitUntil { mark.waiting == 1 && clock.sleepers == 1 }
        mark.advance(sid: "s", to: 4)
        #expect(mark.waiting == 1, "4 is not yet 5")
        mark.advance(sid: "s", to: 5)
        #expect(await waited)
        #expect(mark.applied(for: "s") == 5)
        await Self.waitUntil { clock.sleepers == 0 }  // its timer is gone
    }

    @Test func waitTimesOutWhenItsClockDeadlinePasses() async {
        let clock = ManualClock()
        let mark = BroadcastWatermark(clock: clock)
        mark.baseline(sid: "s", msgid: 0)
        async let waited = mark.wait(sid: "s", msgid: 1, timeout: .seconds(30))
        await Self.waitUntil { mark.waiting == 1 && clock.sleepers == 1 }
        clock.advance(by: .seconds(29))
        #expect(mark.waiting == 1, "not yet")
        clock.advance(by: .seconds(1))
        #expect(await waited == false)
        #expect(mark.waiting == 0)
        // A broadcast of another server instance does not count.
        async let other = mark.wait(sid: "other", msgid: 1, timeout: .seconds(1))
        await Self.waitUntil { mark.waiting == 1 && clock.sleepers == 1 }
        mark.advance(sid: "s", to: 1)
        clock.advance(by: .seconds(1))
        #expect(await other == false)
    }

    @Test func resetEndsTheWaits() async {
        let clock = ManualClock()
        let mark = BroadcastWatermark(clock: clock)
        mark.baseline(sid: "s", msgid: 0)
        async let waited = mark.wait(sid: "s", msgid: 1, timeout: .seconds(30))
        await Self.waitUntil { mark.waiting == 1 && clock.sleepers == 1 }
        mark.reset()
        #expect(await waited == false)
        await Self.waitUntil { clock.sleepers == 0 }
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
