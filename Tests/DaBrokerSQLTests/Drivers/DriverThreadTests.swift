import DaBrokerCore
import Synchronization
import Testing

@testable import DaBrokerSQL

#if canImport(Glibc)
    import Glibc
#endif

/// A connection's thread and the request tasks that prefer `InPlaceExecutor`.
@Suite struct DriverThreadTests {
    final class Connection {
        var statements = 0
    }

    static func threadID() -> UInt { UInt(pthread_self()) }

    static func makeThread() -> DriverThread<Connection> {
        DriverThread(name: "dabroker-test-driver", makeState: { Connection() }, finish: { _ in })
    }

    /// After its statement, such a task carries on on the connection's thread, and its next
    /// statement there runs at once, without a hand-off.
    @Test func aRequestTaskCarriesOnOnTheConnectionsThread() async throws {
        let driver = Self.makeThread()
        defer { driver.stop() }
        let ids = try await withTaskExecutorPreference(InPlaceExecutor.shared) {
            let first = try await driver.run("test") { c in
                // Long enough for the task to have suspended: a job done before that lets
                // the task go on where it was, which is no hand-off either.
                usleep(20_000)
                c.statements += 1
                return Self.threadID()
            }
            let after = Self.threadID()
            let second = try await driver.run("test") { c in
                c.statements += 1
                return Self.threadID()
            }
            return [first, after, second, Self.threadID()]
        }
        #expect(Set(ids).count == 1, "threads \(ids)")
        #expect(try await driver.run("test") { $0.statements } == 2)
    }

    /// The thread is busy while it runs a statement and the task carrying on after it, idle
    /// once both are done.
    @Test func busyWhileItWorks() async throws {
        let driver = Self.makeThread()
        defer { driver.stop() }
        #expect(!driver.isBusy)
        let seen = try await withTaskExecutorPreference(InPlaceExecutor.shared) {
            let inStatement = try await driver.run("test") { _ in
                usleep(20_000)
                return driver.isBusy
            }
            return (inStatement, driver.isBusy)
        }
        #expect(seen == (true, true))
        while driver.isBusy { await Task.yield() }
    }

    /// A task without that preference goes back to the pool after its statement.
    @Test func anOrdinaryTaskGoesBackToThePool() async throws {
        let driver = Self.makeThread()
        defer { driver.stop() }
        let inside = try await driver.run("test") { _ in Self.threadID() }
        #expect(Self.threadID() != inside)
    }

    /// A statement after `stop()` fails with `closed`, also for a task on the thread.
    @Test func aStoppedThreadRefusesWork() async throws {
        let driver = Self.makeThread()
        let refused = await withTaskExecutorPreference(InPlaceExecutor.shared) { () async -> Bool in
            _ = try? await driver.run("test") { _ in () }
            driver.stop()
            do {
                try await driver.run("test") { _ in () }
                return false
            } catch {
                return (error as? DatabaseError)?.kind == .closed
            }
        }
        #expect(refused)
    }
}
