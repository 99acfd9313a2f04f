import DaBrokerCore
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `InPlaceExecutor` keeps a job on the thread that made it ready when that thread adopted
/// `LocalJobs`, and sends it to the pool otherwise.
@Suite struct InPlaceExecutorTests {
    static func threadID() -> UInt { UInt(pthread_self()) }

    /// What the resuming thread saw: its id and whether its `runAll()` ran something.
    final class Report: Sendable {
        let seen = Mutex<(thread: UInt, ran: Bool)?>(nil)
        var done: Bool { seen.withLock { $0 != nil } }
    }

    /// Resumes `continuation` from a new thread (adopted or not) and reports that thread's id
    /// and whether its `runAll()` ran something.
    static func resume(
        _ continuation: CheckedContinuation<Void, Never>, adopting: Bool, into report: Report
    ) {
        let thread = Thread {
            let owner = NSObject()
            let local = adopting ? LocalJobs.adopt(for: owner) : nil
            // Long enough for the task to have suspended (resumed earlier, it goes on where
            // it was, with no executor involved).
            usleep(20_000)
            continuation.resume()
            let ran = local?.runAll() ?? false
            local?.leave()
            report.seen.withLock { $0 = (threadID(), ran) }
        }
        thread.start()
    }

    /// On a loaded machine the task may not have suspended 20 ms after it handed over its
    /// continuation (it then goes on where it was, and nothing is learnt): an adopted thread
    /// gets three tries to run the job itself.
    @Test(arguments: [true, false])
    func aJobRunsOnTheThreadThatMadeItReadyIfAdopted(adopting: Bool) async {
        for _ in 0..<(adopting ? 3 : 1) {
            let report = Report()
            let resumedOn = await withTaskExecutorPreference(InPlaceExecutor.shared) { () async -> UInt in
                await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                    Self.resume(c, adopting: adopting, into: report)
                }
                return Self.threadID()
            }
            while !report.done { await Task.yield() }
            let (thread, ran) = report.seen.withLock { $0 } ?? (0, !adopting)
            if adopting && !ran { continue }
            #expect(ran == adopting)
            #expect((resumedOn == thread) == adopting)
            return
        }
        Issue.record("the adopted thread never ran the job")
    }

    /// `onGlobalExecutor` makes a task started on an adopted thread begin on the pool.
    @Test func onGlobalExecutorStartsOnThePool() async {
        let started = Report()
        let report = Report()
        let thread = Thread {
            let local = LocalJobs.adopt(for: NSObject())
            #expect(LocalJobs.current != nil)
            LocalJobs.onGlobalExecutor {
                _ = Task(executorPreference: InPlaceExecutor.shared) {
                    started.seen.withLock { $0 = (Self.threadID(), true) }
                }
            }
            let ran = local.runAll()
            local.leave()
            #expect(LocalJobs.current == nil)
            report.seen.withLock { $0 = (Self.threadID(), ran) }
        }
        thread.start()
        while !report.done || !started.done { await Task.yield() }
        let (adopted, ran) = report.seen.withLock { $0 } ?? (0, true)
        #expect(!ran)
        #expect(started.seen.withLock { $0?.thread } != adopted)
    }
}
