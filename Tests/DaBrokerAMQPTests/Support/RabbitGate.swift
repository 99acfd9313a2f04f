import Testing

/// Keeps the tests that disrupt RabbitMQ (closing connections, stopping the app) from running
/// while other AMQP suites of this target use it: suites with `.rabbit(.shared)` run together,
/// a suite with `.rabbit(.exclusive)` runs alone.
actor RabbitGate {
    static let shared = RabbitGate()

    private var readers = 0
    private var writer = false
    private var waiting: [(exclusive: Bool, continuation: CheckedContinuation<Void, Never>)] = []

    func acquire(exclusive: Bool) async {
        if waiting.isEmpty, canEnter(exclusive) {
            enter(exclusive)
            return
        }
        await withCheckedContinuation { waiting.append((exclusive, $0)) }
    }

    func release(exclusive: Bool) {
        if exclusive { writer = false } else { readers -= 1 }
        while let first = waiting.first, canEnter(first.exclusive) {
            waiting.removeFirst()
            enter(first.exclusive)
            first.continuation.resume()
        }
    }

    private func canEnter(_ exclusive: Bool) -> Bool { exclusive ? !writer && readers == 0 : !writer }

    private func enter(_ exclusive: Bool) {
        if exclusive { writer = true } else { readers += 1 }
    }
}

/// The suite trait that takes the ``RabbitGate`` for the suite's whole run.
struct RabbitAccess: SuiteTrait, TestScoping {
    enum Mode { case shared, exclusive }
    let mode: Mode

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let exclusive = mode == .exclusive
        await RabbitGate.shared.acquire(exclusive: exclusive)
        do {
            try await function()
        } catch {
            await RabbitGate.shared.release(exclusive: exclusive)
            throw error
        }
        await RabbitGate.shared.release(exclusive: exclusive)
    }
}

extension Trait where Self == RabbitAccess {
    /// Declares how a suite uses the shared RabbitMQ (see ``RabbitGate``).
    static func rabbit(_ mode: RabbitAccess.Mode) -> Self { RabbitAccess(mode: mode) }
}
