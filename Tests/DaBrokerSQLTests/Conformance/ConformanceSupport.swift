import DaBrokerCore
import DaBrokerSQL
import DaBrokerTestSupport
import Foundation
import Logging
import Synchronization

/// Opening the three backends for the conformance suite, and small helpers shared by its tests.
enum Conformance {
    /// The backends to run: SQLite always (a temp file); PostgreSQL and MariaDB when their URL is
    /// configured, and always in CI (where a missing URL fails).
    static let backends: [DatabaseKind] = DatabaseKind.allCases.filter { kind in
        switch kind {
        case .sqlite: true
        case .postgres: TestServices.isAvailable(.postgres)
        case .mysql: TestServices.isAvailable(.mysql)
        }
    }

    /// The server backends (for connection-killing and restart tests).
    static let serverBackends: [DatabaseKind] = backends.filter { $0 != .sqlite }

    /// A URL for `kind`: the configured server, or a fresh SQLite file.
    static func url(for kind: DatabaseKind) throws -> String {
        switch kind {
        case .postgres: try TestServices.url(for: .postgres)
        case .mysql: try TestServices.url(for: .mysql)
        case .sqlite:
            "sqlite:"
                + FileManager.default.temporaryDirectory.appendingPathComponent("conf_\(UUID().uuidString).sqlite")
                .path
        }
    }

    /// Opens `kind`, runs `body`, then closes the database and removes an SQLite file.
    static func withDatabase<T>(
        _ kind: DatabaseKind, options: DatabaseOptions = DatabaseOptions(),
        _ body: (Database) async throws -> T
    ) async throws -> T {
        let url = try url(for: kind)
        let db = try await Database.open(url: url, options: options)
        defer {
            if kind == .sqlite, let path = SQLiteConnection.filename(fromURL: url) {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            }
        }
        do {
            let r = try await body(db)
            await db.close()
            return r
        } catch {
            await db.close()
            throw error
        }
    }

    /// A table name unique to this test run: `conf_<what>_<random>`.
    static func table(_ what: String) -> String {
        "conf_\(what)_" + UUID().uuidString.prefix(8).lowercased()
    }

    /// Creates `conf_…(id INTEGER PRIMARY KEY, name VARCHAR(100))`, runs `body`, drops it.
    static func withTable<T>(
        _ db: Database, _ what: String, engine: String? = nil, _ body: (String) async throws -> T
    ) async throws -> T {
        let name = table(what)
        let q = db.dialect.quote(name)
        _ = try await db.execute(
            "CREATE TABLE \(q) (id INTEGER PRIMARY KEY, name VARCHAR(100))" + (engine.map { " ENGINE=\($0)" } ?? ""))
        do {
            let r = try await body(name)
            _ = try await db.execute("DROP TABLE \(q)")
            return r
        } catch {
            _ = try? await db.execute("DROP TABLE \(q)")
            throw error
        }
    }

    /// Inserts a row `(id, "row <id>")` through the current session (or the pool).
    static func insert(_ db: Database, _ table: String, _ id: Int64) async throws {
        let d = db.dialect
        _ = try await db.execute(
            "INSERT INTO \(d.quote(table)) (id, name) VALUES (\(d.placeholder(0)), \(d.placeholder(1)))",
            [.int(id), .string("row \(id)")])
    }

    /// The ids in `table`, ascending.
    static func ids(_ db: Database, _ table: String) async throws -> [Int64] {
        try await db.execute("SELECT id FROM \(db.dialect.quote(table)) ORDER BY id").rows.map {
            if case .int(let i) = $0[0] { return i }
            return -1
        }
    }

    /// The error `body` throws, or `nil`.
    static func errorOf(_ body: @Sendable () async throws -> Void) async -> (any Error)? {
        do {
            try await body()
            return nil
        } catch {
            return error
        }
    }

    /// A logger whose messages the test can read.
    static func capturingLogger() -> (Logger, CapturedLog) {
        let log = CapturedLog()
        return (Logger(label: "conf", factory: { _ in CapturingLogHandler(log: log) }), log)
    }
}

/// An error thrown on purpose by a test.
struct Boom: Error {}

/// Messages captured by `CapturingLogHandler`.
final class CapturedLog: Sendable {
    private let stored = Mutex<[String]>([])

    var messages: [String] { stored.withLock { $0 } }

    func append(_ m: String) { stored.withLock { $0.append(m) } }
}

/// A log handler that records messages into a `CapturedLog`.
struct CapturingLogHandler: LogHandler {
    let log: CapturedLog
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        log.append("\(event.level): \(event.message)")
    }
}
