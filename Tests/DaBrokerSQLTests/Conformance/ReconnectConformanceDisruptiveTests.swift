import DaBrokerCore
import DaBrokerSQL
import DaBrokerTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Killed connections and server restarts, survived by the next call. Serialized, and the
/// restarts (one per server) run only in CI or with `DABROKER_TEST_RESTARTS=1`, because they
/// interrupt every other test using the shared servers at that moment.
@Suite("Conformance: reconnect", .serialized)
struct ReconnectConformanceDisruptiveTests {
    static let restartsEnabled =
        TestServices.isCI || ProcessInfo.processInfo.environment["DABROKER_TEST_RESTARTS"] == "1"

    /// One connection, never health-checked on checkout: the dead connection is found by the call.
    private static let options = DatabaseOptions(maxConnections: 1, healthCheckAfterIdle: .seconds(3600))

    private static func backendID(_ db: Database) async throws -> Value {
        let sql = db.kind == .postgres ? "SELECT pg_backend_pid()" : "SELECT CONNECTION_ID()"
        return try await db.execute(sql).rows.first?[0] ?? .null
    }

    /// Kills the server connection `id` from another connection.
    private static func kill(_ id: Value, kind: DatabaseKind) async throws {
        try await Conformance.withDatabase(kind) { admin in
            if kind == .postgres {
                _ = try await admin.execute("SELECT pg_terminate_backend($1)", [id])
            } else {
                // KILL takes no parameters; the id is an integer the server gave us.
                guard case .int(let n) = id else { throw Boom() }
                _ = try await admin.execute("KILL \(n)")
            }
        }
        try await Task.sleep(for: .milliseconds(300))  // the server ends the backend asynchronously
    }

    /// Runs `bash script argument` on a thread of its own and returns its exit status.
    /// (Foundation's `Process` missed the child's exit here and hung: posix_spawn + waitpid.)
    private static func run(_ script: String, _ argument: String) async throws -> Int32 {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                let args: [String] = ["/bin/bash", script, argument]
                var cargs: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
                defer { for p in cargs { free(p) } }
                var pid: pid_t = 0
                let rc = posix_spawn(&pid, "/bin/bash", nil, nil, &cargs, environ)
                guard rc == 0 else {
                    continuation.resume(throwing: POSIXError(POSIXErrorCode(rawValue: rc) ?? .EINVAL))
                    return
                }
                var status: Int32 = 0
                while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
                continuation.resume(returning: (status >> 8) & 0xff)
            }
        }
    }

    @Test(arguments: Conformance.serverBackends)
    func killedPooledConnectionIsSurvived(kind: DatabaseKind) async throws {
        try await Conformance.withDatabase(kind, options: Self.options) { db in
            let first = try await Self.backendID(db)
            try await Self.kill(first, kind: kind)
            let second = try await Self.backendID(db)  // plain call: retried once on a new connection
            #expect(second != first)
            try await Self.kill(second, kind: kind)
            let third = try await db.withSession { s in  // session: BEGIN retried once
                try await Self.backendID(s.database)
            }
            #expect(third != second)
            #expect(db.pool.open == 1)
        }
    }

    @Test(arguments: Conformance.serverBackends)
    func healthCheckOnCheckoutReplacesADeadIdleConnection(kind: DatabaseKind) async throws {
        let options = DatabaseOptions(maxConnections: 1, healthCheckAfterIdle: .zero)
        try await Conformance.withDatabase(kind, options: options) { db in
            let first = try await Self.backendID(db)
            try await Self.kill(first, kind: kind)
            // withConnection never retries: it succeeds only because checkout replaced the dead one.
            let sql = kind == .postgres ? "SELECT pg_backend_pid()" : "SELECT CONNECTION_ID()"
            let second = try await db.withConnection { conn in try await conn.execute(sql).rows.first?[0] }
            #expect(second != nil)
            #expect(second != first)
        }
    }

    @Test(.enabled(if: restartsEnabled), arguments: Conformance.serverBackends)
    func serverRestartIsSurvived(kind: DatabaseKind) async throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts/test-stack.sh")
        try await Conformance.withDatabase(kind, options: Self.options) { plain in
            try await Conformance.withDatabase(kind, options: Self.options) { sessions in
                _ = try await plain.execute("SELECT 1")
                _ = try await sessions.execute("SELECT 1")
                let status = try await Self.run(
                    script.path, kind == .postgres ? "restart-postgres" : "restart-mariadb")
                try #require(status == 0, "test-stack.sh restart failed")
                let r = try await plain.execute("SELECT 1")
                #expect(r.rows.count == 1)
                let s = try await sessions.withSession { s in try await s.execute("SELECT 2") }
                #expect(s.rows.count == 1)
            }
        }
    }
}
