#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A job's wait on a file descriptor, served by the thread that polls it (``LocalJobs/watch(_:)``):
/// a database driver waits for its server's answer on the AMQP I/O thread that runs the request,
/// instead of blocking a thread of its own and waking it.
public struct DescriptorWatch {
    /// The descriptor to poll.
    public var descriptor: Int32
    /// The `poll` events to wait for (`POLLIN`, …).
    public var events: Int16
    /// Called on the polling thread with the descriptor's `revents`, and `true` when the
    /// thread stops polling (then `revents` is 0 and the watch ends whatever it returns);
    /// returns whether the wait is over. Must not block.
    public var ready: (_ revents: Int16, _ abandoned: Bool) -> Bool

    /// A wait on `descriptor` for `events`, reported to `ready`.
    public init(descriptor: Int32, events: Int16, ready: @escaping (_ revents: Int16, _ abandoned: Bool) -> Bool) {
        self.descriptor = descriptor
        self.events = events
        self.ready = ready
    }
}
