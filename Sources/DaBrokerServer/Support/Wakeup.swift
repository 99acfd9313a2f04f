import Synchronization

/// Wakes one waiting task early: `signal()` ends the current or next `wait(upTo:)`.
///
/// A signal with nobody waiting is kept (once), so a wake-up is never lost; a wait may
/// therefore end early without news, which its caller must tolerate.
final class Wakeup: Sendable {
    private let state = Mutex<(pending: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

    func signal() {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            guard let w = s.waiter else {
                s.pending = true
                return nil
            }
            s.waiter = nil
            return w
        }
        waiter?.resume()
    }

    /// Returns after a signal or after `timeout`, whichever comes first.
    func wait(upTo timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                // Also when cancelled (the caller's task ends), so that `next()` returns; a
                // signal left pending by it only ends the next wait early.
                try? await Task.sleep(for: timeout)
                self.signal()
            }
            group.addTask { await self.next() }
            await group.next()
            group.cancelAll()
        }
    }

    private func next() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { s -> Bool in
                if s.pending {
                    s.pending = false
                    return true
                }
                s.waiter = c
                return false
            }
            if resumeNow { c.resume() }
        }
    }
}
