#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The jobs of ``InPlaceExecutor`` that one of the gateway's threads made ready; the thread
/// runs them between its own work items (``runAll()``).
///
/// Confined to its thread: only that thread appends (through ``InPlaceExecutor``) and runs,
/// so it needs no lock and is not `Sendable`.
public final class LocalJobs {
    private var jobs: [UnownedJob] = []
    /// Whether ``InPlaceExecutor`` keeps jobs here (see ``onGlobalExecutor(_:)``).
    var accepting = true
    /// What owns the thread (a driver thread, a link), to tell whether a caller runs on it.
    public let owner: ObjectIdentifier
    /// What the owner keeps for the code it runs on its thread (a driver: its connection).
    public var context: AnyObject?
    /// The descriptors jobs of this thread wait on, while the thread polls them (see
    /// ``watch(_:)``).
    private var watches: [DescriptorWatch] = []
    /// Whether the thread polls ``watchedDescriptors`` with its own, so that a job may wait
    /// on a descriptor here instead of on a thread of its own. Set by the owner while its
    /// loop does; when it stops, it calls ``abandonWatches()``.
    public var pollsWatches = false

    private init(owner: ObjectIdentifier) {
        self.owner = owner
    }

    /// Makes the calling thread run the ``InPlaceExecutor`` jobs it makes ready, on behalf of
    /// `owner`. Call ``runAll()`` between the thread's work items and ``leave()`` before the
    /// thread ends.
    public static func adopt(for owner: AnyObject) -> LocalJobs {
        let jobs = LocalJobs(owner: ObjectIdentifier(owner))
        pthread_setspecific(key, Unmanaged.passRetained(jobs).toOpaque())
        return jobs
    }

    /// The calling thread's jobs, if ``adopt(for:)`` was called on it.
    public static var current: LocalJobs? {
        guard let pointer = pthread_getspecific(key) else { return nil }
        return Unmanaged<LocalJobs>.fromOpaque(pointer).takeUnretainedValue()
    }

    /// Runs the jobs made ready, and those they make ready, until none is left; returns
    /// whether there were any.
    @discardableResult
    public func runAll() -> Bool {
        var ran = false
        while !jobs.isEmpty {
            let batch = jobs
            jobs.removeAll(keepingCapacity: true)
            for job in batch { job.runSynchronously(on: InPlaceExecutor.shared.asUnownedTaskExecutor()) }
            ran = true
        }
        return ran
    }

    /// Whether no job waits.
    public var isEmpty: Bool { jobs.isEmpty }

    /// Runs what is left, then stops taking jobs on this thread (later ones go to the global
    /// executor). The thread must call it before it ends.
    public func leave() {
        abandonWatches()
        runAll()
        guard let pointer = pthread_getspecific(Self.key) else { return }
        pthread_setspecific(Self.key, nil)
        Unmanaged<LocalJobs>.fromOpaque(pointer).release()
    }

    /// Runs `body` with this thread's jobs going to the global executor: a task started in it
    /// with ``InPlaceExecutor`` as its preference begins on the pool, not after the current
    /// work of this thread.
    public static func onGlobalExecutor<R>(_ body: () throws -> R) rethrows -> R {
        guard let local = current else { return try body() }
        let before = local.accepting
        local.accepting = false
        defer { local.accepting = before }
        return try body()
    }

    /// Calls `ready` on this thread whenever `descriptor` has one of `events` (`poll` flags),
    /// until it returns `true`; if the thread stops polling first, calls it once with
    /// `abandoned` set, and the watcher finishes its wait some other way. Only while
    /// ``pollsWatches``; `ready` must not block.
    public func watch(_ descriptor: DescriptorWatch) {
        precondition(pollsWatches, "this thread does not poll descriptors")
        watches.append(descriptor)
    }

    /// The descriptors to poll, in the order ``dispatchWatches(_:)`` expects their results.
    public var watchedDescriptors: [pollfd] {
        watches.map { pollfd(fd: $0.descriptor, events: $0.events, revents: 0) }
    }

    /// Whether a job waits on a descriptor.
    public var hasWatches: Bool { !watches.isEmpty }

    /// Hands each watch its descriptor's `revents` from a `poll` of ``watchedDescriptors``
    /// (same order), keeping those that are not done.
    public func dispatchWatches(_ polled: ArraySlice<pollfd>) {
        let current = watches
        watches.removeAll(keepingCapacity: true)
        var kept: [DescriptorWatch] = []
        for (watch, fd) in zip(current, polled) {
            if fd.revents == 0 || !watch.ready(fd.revents, false) { kept.append(watch) }
        }
        // A `ready` may not add watches (it resumes tasks, which run later), but keep any.
        watches = kept + watches
    }

    /// Stops polling: every watch is told it is abandoned (``watch(_:)``).
    public func abandonWatches() {
        pollsWatches = false
        let current = watches
        watches = []
        for watch in current { _ = watch.ready(0, true) }
    }

    func append(_ job: UnownedJob) {
        jobs.append(job)
    }

    /// The thread-specific slot holding each adopted thread's retained ``LocalJobs``.
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()
}
