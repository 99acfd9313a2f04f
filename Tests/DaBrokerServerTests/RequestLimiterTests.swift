import Synchronization
import Testing

@testable import DaBrokerServer

private final class Admissions: Sendable {
    private let order = Mutex<[Int]>([])
    func append(_ n: Int) { order.withLock { $0.append(n) } }
    var all: [Int] { order.withLock { $0 } }
}

@Suite("Request limiter")
struct RequestLimiterTests {
    /// Up to the limit at once; the others wait and get a slot in the order they came.
    @Test func admitsUpToItsLimitThenFirstComeFirstServed() async throws {
        let limiter = RequestLimiter(limit: 2)
        await limiter.acquire()
        await limiter.acquire()
        let admitted = Admissions()
        var tasks: [Task<Void, Never>] = []
        for n in 1...3 {
            tasks.append(
                Task {
                    await limiter.acquire()
                    admitted.append(n)
                })
            // Each waits before the next comes, so that the order is known.
            for _ in 0..<2000 where limiter.waiters < n { try await Task.sleep(for: .milliseconds(5)) }
        }
        #expect(limiter.waiters == 3)
        #expect(admitted.all.isEmpty)
        limiter.release()
        await tasks[0].value
        #expect(admitted.all == [1])
        limiter.release()
        limiter.release()
        await tasks[1].value
        await tasks[2].value
        #expect(admitted.all == [1, 2, 3])
        #expect(limiter.waiters == 0)
        // Two slots are held (by the 2nd and 3rd); freeing them lets a new one in at once.
        limiter.release()
        limiter.release()
        await limiter.acquire()
        #expect(limiter.waiters == 0)
    }
}
