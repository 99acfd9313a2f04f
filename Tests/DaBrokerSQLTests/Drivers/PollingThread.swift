import DaBrokerCore
import Foundation
import Synchronization

/// A thread that polls its jobs' descriptors, as an AMQP I/O thread does: tasks started on it
/// (``start(_:)``) run their PostgreSQL statements with the answer awaited in its `poll`.
final class PollingThread: Sendable {
    private let inbox = Mutex<[@Sendable () -> Void]>([])
    private let stopping = Atomic<Bool>(false)
    private let abandoning = Atomic<Bool>(false)

    init() {
        let thread = Thread { [self] in loop() }
        thread.name = "test-polling"
        thread.start()
    }

    /// Starts `body` as a task on this thread, with ``InPlaceExecutor`` as its preference.
    func start<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async -> Task<T, any Error> {
        await withCheckedContinuation { continuation in
            inbox.withLock {
                $0.append {
                    let task = Task(executorPreference: InPlaceExecutor.shared) { try await body() }
                    continuation.resume(returning: task)
                }
            }
        }
    }

    /// The thread stops polling descriptors: waits on them are abandoned.
    func abandonWatches() { abandoning.store(true, ordering: .relaxed) }

    func stop() { stopping.store(true, ordering: .relaxed) }

    private func loop() {
        let local = LocalJobs.adopt(for: self)
        local.pollsWatches = true
        while !stopping.load(ordering: .relaxed) {
            let work = inbox.withLock { inbox in
                defer { inbox.removeAll() }
                return inbox
            }
            for item in work { item() }
            local.runAll()
            if abandoning.exchange(false, ordering: .relaxed) { local.abandonWatches() }
            var fds = local.watchedDescriptors
            guard !fds.isEmpty else {
                usleep(500)
                continue
            }
            _ = poll(&fds, nfds_t(fds.count), 5)
            local.dispatchWatches(fds[...])
        }
        local.leave()
    }
}
