import Foundation

/// A value guarded by a lock, for the little shared mutable state the server keeps
/// (registries, counters) where an actor hop per access would cost more than it protects.
///
/// `@unchecked Sendable` is safe here: `value` is only read or written inside `withLock`,
/// which holds `lock` for the whole access, and the closure cannot leak an `inout` reference.
final class Locked<State>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: State

    init(_ value: State) { self.value = value }

    func withLock<R>(_ body: (inout State) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
