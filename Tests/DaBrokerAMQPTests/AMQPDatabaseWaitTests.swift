import DaBrokerCore
import DaBrokerSQL
import DaBrokerTestSupport
import Synchronization
import Testing

@testable import DaBrokerAMQP

/// A request alone runs on the server link's I/O thread, and its PostgreSQL statement is sent
/// from there and answered in that thread's `poll` (its brief SQLite query runs there): the
/// request carries on on the I/O thread, with no hand-off to the connection's thread.
@Suite(.enabled(if: AMQPTest.enabled), .rabbit(.shared), .timeLimit(.minutes(2)))
struct AMQPDatabaseWaitTests {
    @Test(.enabled(if: TestServices.isAvailable(.postgres)))
    func aRequestAloneAwaitsItsStatementOnTheIOThread() async throws {
        let db = try await PostgresConnection.connect(url: try TestServices.url(for: .postgres))
        try await runsOnTheIOThread(db, "SELECT $1::int * 2 AS n")
        #expect(db.watchedStatements == 7)
        await db.close()
    }

    @Test func aBriefSQLiteQueryOfARequestAloneRunsOnTheIOThread() async throws {
        let db = try await SQLiteConnection.connect(url: "sqlite::memory:")
        try await runsOnTheIOThread(db, "SELECT ? * 2 AS n")
        #expect(db.briefStatements == 7)
        await db.close()
    }

    /// Eight requests alone, one after the other, each running `sql` (which doubles its
    /// parameter) on `db`: all start on the I/O thread, and all but the first (which prepares
    /// the statement on the connection's thread) carry on there.
    private func runsOnTheIOThread(_ db: any DatabaseConnection, _ sql: String) async throws {
        let c = try AMQPTest.configuration()
        let threads = Mutex<[(before: UInt, after: UInt)]>([])
        let server = AMQPServerTransport(configuration: AMQPTest.named(c, "server"))
        try await server.start(handler: { request in
            let before = AMQPLink.currentThreadID()
            let n = Int64(AMQPTest.text(request)) ?? 0
            let result = try? await db.execute(sql, [.int(n)])
            threads.withLock { $0.append((before, AMQPLink.currentThreadID())) }
            guard case .int(let doubled)? = result?.rows.first?[0] else { return AMQPTest.bytes("error") }
            return AMQPTest.bytes("\(doubled)")
        })
        let client = try await AMQPTest.client(c)
        for i in 0..<8 {
            // The connection's thread may still be finishing the previous request: wait until
            // it is idle (a busy connection is not borrowed).
            _ = await AMQPTest.eventually(within: .seconds(5)) { !db.isBusy }
            #expect(AMQPTest.text(try await client.call(AMQPTest.bytes("\(i)"))) == "\(i * 2)")
        }
        let io = try #require(server.ioThreadID)
        let calls = threads.withLock { $0 }
        // The first run prepares the statement on the connection's thread; the others wait in
        // the I/O thread's poll and carry on there.
        #expect(calls.count == 8)
        #expect(calls.allSatisfy { $0.before == io })
        #expect(calls.dropFirst().allSatisfy { $0.after == io }, "threads \(calls), I/O thread \(io)")
        await client.close()
        await server.stop()
        await AMQPTest.cleanUp(c)
    }
}
