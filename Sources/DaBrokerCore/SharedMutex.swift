import Synchronization

/// A `Mutex` held by reference: for state that several objects, escaping closures or tasks
/// share (a `Mutex` itself cannot be copied or captured). The project's one lock primitive
/// is `Mutex`; this only gives it an owner that can be shared.
package final class SharedMutex<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    package init(_ value: Value) { mutex = Mutex(value) }

    /// Runs `body` with the value, holding the lock.
    package func withLock<R, E: Error>(_ body: (inout sending Value) throws(E) -> sending R) throws(E) -> sending R {
        try mutex.withLock(body)
    }
}
