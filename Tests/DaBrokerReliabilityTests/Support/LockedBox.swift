import Foundation

/// A value shared between a test and its tasks, behind a lock.
final class LockedBox<T: Sendable>: @unchecked Sendable {
    // @unchecked: `value` is only touched while `lock` is held.
    private let lock = NSLock()
    private var value: T

    init(_ value: T) { self.value = value }

    func withLock<R>(_ body: (inout T) -> R) -> R { lock.withLock { body(&value) } }
}
