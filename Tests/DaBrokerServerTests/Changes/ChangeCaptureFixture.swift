import DaBrokerClient
import DaBrokerCore
import DaBrokerSQL
import DaBrokerTestSupport
import Foundation
import Logging
import Testing

@testable import DaBrokerServer

/// A database with a table `member` (id, name, and a hidden `secret`) under change capture,
/// and servers that serve it with a change feed: what the change-capture tests share.
struct ChangeCaptureFixture {
    static let secretValue = "SECRET-VALUE-7f3a"

    let kind: DatabaseKind
    let name: String
    let url: String

    /// Creates the database, the table with three rows, and installs capture on it.
    static func make(_ kind: DatabaseKind, name: String) async throws -> ChangeCaptureFixture {
        let url = try await TestDatabases.create(kind, named: name)
        let admin = try await Database.open(url: url)
        let q = admin.dialect.quote("member")
        _ = try await admin.execute(
            "CREATE TABLE \(q) (id INTEGER PRIMARY KEY, name VARCHAR(40) NOT NULL, secret VARCHAR(40))")
        _ = try await admin.execute(
            "INSERT INTO \(q) (id, name, secret) VALUES (1, 'Ada', '\(secretValue)'), (2, 'Alan', '\(secretValue)'), "
                + "(3, 'Grace', '\(secretValue)')")
        let table = try #require(try await SchemaReflector.reflect(admin).tables["member"])
        try await ChangeLog(dialect: admin.dialect).install(admin, tables: [table])
        await admin.close()
        return ChangeCaptureFixture(kind: kind, name: name, url: url)
    }

    func drop() async {
        try? await TestDatabases.drop(kind, named: name)
    }

    /// One gateway: a server with an in-process transport (for a `BrokerClient`) and a
    /// recording one (to read the broadcasts' bytes), the SQL loader and a running feed.
    final class Served: Sendable {
        let server: BrokerServer
        let inProcess: InProcessServerTransport
        let recorder: RecordingTransport
        let db: Database
        let feed: Task<Void, Never>

        init(
            server: BrokerServer, inProcess: InProcessServerTransport, recorder: RecordingTransport, db: Database,
            feed: Task<Void, Never>
        ) {
            self.server = server
            self.inProcess = inProcess
            self.recorder = recorder
            self.db = db
            self.feed = feed
        }

        func client() async throws -> BrokerClient {
            let client = BrokerClient(transport: inProcess.makeClient())
            try await client.connect()
            return client
        }

        /// The decoded data of every broadcast so far.
        var broadcasts: [Value] {
            recorder.broadcasts.compactMap { try? JSONCodec().decode($0).data }
        }

        /// Ends the feed and the server.
        func stop() async {
            feed.cancel()
            _ = await feed.value
            await server.stop()
            await db.close()
        }
    }

    /// `release: false` makes the feed stop as if its process died (it keeps its lease).
    func serve(
        lease: Double = 2, retention: Double = 86_400, pruneEvery: Duration = .seconds(60), release: Bool = true
    ) async throws -> Served {
        var options = DatabaseOptions()
        options.sessionSetup = ChangeLog.sessionSetup(for: kind)
        let db = try await Database.open(url: url, options: options)
        var logger = Logger(label: "changes-test")
        logger.logLevel = .warning
        let server = BrokerServer(configuration: .init(secret: "changes", logger: logger))
        let inProcess = InProcessServerTransport()
        let recorder = RecordingTransport()
        server.addTransport(inProcess)
        server.addTransport(recorder)
        let root = try server.addDataRoot()
        let loader = try await SQLLoader.reflecting(database: db, broker: server)
        try loader.addModel("member", into: root, rw: .readWrite, hide: ["secret"])
        try await server.start()
        var c = ChangeFeed.Configuration(tables: ["member"])
        c.poll = .milliseconds(50)
        c.leaseSeconds = lease
        c.retentionSeconds = retention
        c.pruneEvery = pruneEvery
        c.gapWait = .milliseconds(300)
        c.releaseOnStop = release
        let feed = ChangeFeed(loader: loader, server: server, configuration: c, logger: logger)
        let task = Task<Void, Never> { _ = try? await feed.run() }
        return Served(server: server, inProcess: inProcess, recorder: recorder, db: db, feed: task)
    }

    /// Runs `sql` with the database's own command-line client (psql, mariadb, sqlite3), as
    /// another program would.
    func external(_ sql: String) async throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        switch kind {
        case .postgres:
            p.arguments = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", url, "-c", sql]
        case .mysql:
            let u = try #require(URLComponents(string: url))
            p.arguments = [
                "mariadb", "-h", u.host ?? "127.0.0.1", "-P", String(u.port ?? 3306), "-u", u.user ?? "",
                "-p" + (u.password ?? ""), String(u.path.dropFirst()), "-e", sql,
            ]
        case .sqlite:
            p.arguments = ["sqlite3", TestDatabases.sqlitePath(name), ".timeout 5000", sql]
        }
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        // Waiting for the client blocks: off the cooperative pool the servers under test run on.
        let (status, message) = try await TestStack.onThread { () throws -> (Int32, String) in
            try p.run()
            p.waitUntilExit()
            let message = err.fileHandleForReading.readDataToEndOfFile()
            return (p.terminationStatus, String(decoding: message, as: UTF8.self))
        }
        #expect(status == 0, "\(kind) client failed: \(message)")
    }

    /// Polls `condition` every 20 ms until it holds or `timeout` passes.
    static func eventually(_ timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async rethrows
        -> Bool
    {
        let clock = ContinuousClock()
        let end = clock.now + timeout
        while clock.now < end {
            if try await condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return try await condition()
    }
}

extension Value {
    /// The broadcast's `_key` row key parts, if any.
    var broadcastKey: [Value]? {
        guard case .dict(let d) = self, case .ref(let r)? = d["_key"] else { return nil }
        return r.key.parts
    }

    var isInvalidKey: Bool {
        guard case .dict(let d) = self else { return false }
        return d["_m"] == .string("invalid_key")
    }
}
