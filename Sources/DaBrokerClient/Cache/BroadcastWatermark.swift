import DaBrokerCore
import Synchronization

/// Tracks, per server instance (`sid`), the highest broadcast id the client has applied,
/// and lets a reply wait until the broadcasts it follows have been applied
/// (read-your-writes). Waits time out on the clock it is given (a test's manual clock).
final class BroadcastWatermark: Sendable {
    private struct Waiter {
        var sid: String
        var msgid: Int64
        var continuation: CheckedContinuation<Bool, Never>
        var timer: Task<Void, Never>?
    }

    private struct State {
        var applied: [String: Int64] = [:]
        var waiters: [UInt64: Waiter] = [:]
        var nextWaiter: UInt64 = 0
    }

    private let state = Mutex(State())
    private let clock: ElapsedClock

    init(clock: some Clock<Duration> = ContinuousClock()) {
        self.clock = ElapsedClock(clock)
    }

    /// How many replies are waiting now.
    var waiting: Int { state.withLock { $0.waiters.count } }

    /// The highest broadcast id applied for `sid`, if any.
    func applied(for sid: String) -> Int64? { state.withLock { $0.applied[sid] } }

    /// Whether broadcasts of `sid` up to `msgid` have been applied.
    func isApplied(sid: String, msgid: Int64) -> Bool {
        state.withLock { ($0.applied[sid] ?? -1) >= msgid }
    }

    /// Records that every broadcast of `sid` up to `msgid` is applied (or was sent before
    /// this client listened, when used as a baseline) and wakes the replies waiting for it.
    func advance(sid: String, to msgid: Int64) {
        let ready: [Waiter] = state.withLock { s in
            guard (s.applied[sid] ?? Int64.min) < msgid else { return [] }
            s.applied[sid] = msgid
            var ready: [Waiter] = []
            for (id, waiter) in s.waiters where waiter.sid == sid && waiter.msgid <= msgid {
                s.waiters[id] = nil
                ready.append(waiter)
            }
            return ready
        }
        for waiter in ready {
            waiter.timer?.cancel()
            waiter.continuation.resume(returning: true)
        }
    }

    /// Sets a baseline for a server instance seen for the first time: broadcasts up to
    /// `msgid` were sent before this client could hear them.
    func baseline(sid: String, msgid: Int64) {
        let isNew = state.withLock { s in
            if s.applied[sid] != nil { return false }
            return true
        }
        if isNew { advance(sid: sid, to: msgid) }
    }

    /// Waits until broadcasts of `sid` up to `msgid` are applied; returns false if that did
    /// not happen within `timeout`.
    func wait(sid: String, msgid: Int64, timeout: Duration) async -> Bool {
        if isApplied(sid: sid, msgid: msgid) { return true }
        return await withCheckedContinuation { continuation in
            let id: UInt64? = state.withLock { s in
                if (s.applied[sid] ?? -1) >= msgid { return nil }
                let id = s.nextWaiter
                s.nextWaiter += 1
                s.waiters[id] = Waiter(sid: sid, msgid: msgid, continuation: continuation, timer: nil)
                return id
            }
            guard let id else {
                continuation.resume(returning: true)
                return
            }
            let clock = self.clock
            let deadline = clock.now() + timeout
            let timer = Task { [weak self] in
                guard (try? await clock.sleep(deadline)) != nil else { return }
                self?.expire(id)
            }
            let stillWaiting = state.withLock { s in
                guard s.waiters[id] != nil else { return false }
                s.waiters[id]?.timer = timer
                return true
            }
            if !stillWaiting { timer.cancel() }
        }
    }

    /// Forgets every sid (after a resynchronisation): the next reply of each server sets a
    /// new baseline.
    func reset() {
        let waiting: [Waiter] = state.withLock { s in
            s.applied.removeAll()
            let all = Array(s.waiters.values)
            s.waiters.removeAll()
            return all
        }
        for waiter in waiting {
            waiter.timer?.cancel()
            waiter.continuation.resume(returning: false)
        }
    }

    private func expire(_ id: UInt64) {
        guard let waiter = state.withLock({ $0.waiters.removeValue(forKey: id) }) else { return }
        waiter.continuation.resume(returning: false)
    }
}
