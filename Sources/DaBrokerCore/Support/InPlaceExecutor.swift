/// The executor of request tasks: a job runs on the thread that made it ready, right after
/// that thread's current work, when the thread is one of the gateway's own (an AMQP I/O
/// thread, a database connection's thread); from any other thread it goes to the global
/// concurrent executor.
///
/// A request that waited for its database connection's thread then carries on there (turns
/// rows into objects, encodes and sends its reply) instead of waking a thread of the pool to
/// do it: on a virtual machine, waking an idle CPU costs tens of microseconds, more than the
/// work. Start a task with it as its executor preference; see ``LocalJobs``.
public final class InPlaceExecutor: TaskExecutor {
    /// The one instance (the executor keeps no state of its own).
    public static let shared = InPlaceExecutor()

    private init() {}

    public func enqueue(_ job: consuming ExecutorJob) {
        if let local = LocalJobs.current, local.accepting {
            local.append(UnownedJob(job))
        } else {
            globalConcurrentExecutor.enqueue(job)
        }
    }
}
