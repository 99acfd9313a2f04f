import Synchronization

/// A `Mutex` held by reference: for state that several objects, or escaping closures, share
/// (a `Mutex` itself cannot be copied or captured). The project's one lock primitive is
/// `Mutex`; this only gives it an owner that can be shared.
package final class SharedMutex<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    package init(_ value: Value) { mutex = Mutex(value) }

    /// Runs `body` with the value, holding the lock.
    package func withLock<Result: Sendable>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        try mutex.withLock { value in try body(&value) }
    }
}
