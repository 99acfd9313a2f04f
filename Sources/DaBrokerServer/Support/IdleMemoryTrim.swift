import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Gives memory back to the operating system once the server has gone idle after a burst.
///
/// glibc keeps the memory that large replies and result sets freed in its arenas (one per
/// thread that allocated, up to 8 per core), so a burst of big searches left the server's
/// RSS three times its idle level for good. When no request has arrived for ``delay`` after
/// the last one finished, this runs glibc's `malloc_trim(0)` on a thread of its own (it walks
/// every arena: never on the cooperative pool). Found with `dlsym`, since Swift's Glibc
/// module does not import `malloc.h`; a no-op where the C library has no `malloc_trim`.
final class IdleMemoryTrim: Sendable {
    private let pending = Atomic<Bool>(false)
    let delay: Duration

    init(delay: Duration = .milliseconds(500)) { self.delay = delay }

    /// Called when the last request in flight has finished; `stillIdle` tells, after the
    /// delay, whether no request has come since.
    func wentIdle(stillIdle: @escaping @Sendable () -> Bool) {
        guard pending.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        else { return }
        let delay = delay
        Task.detached(priority: .background) { [self] in
            try? await Task.sleep(for: delay)
            pending.store(false, ordering: .releasing)
            guard stillIdle() else { return }
            Thread.detachNewThread { Self.trim() }
        }
    }

    private typealias MallocTrim = @convention(c) (Int) -> Int32

    /// glibc's `malloc_trim`, when the process has one.
    private static let mallocTrim = AllocatorSettings.glibcFunction("malloc_trim", as: MallocTrim.self)

    /// Returns the allocator's free memory to the system.
    static func trim() { _ = mallocTrim?(0) }
}
