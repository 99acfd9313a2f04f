import DaBrokerCore
import DaBrokerSQL
import Foundation
import Logging
import ServiceLifecycle

/// Tails the change log (``ChangeLog``) of a served database and broadcasts what other
/// programs changed, as the gateway broadcasts its own writes: `invalid_key` for an updated
/// or deleted row, the table's `invalid_key` without a key for an inserted one.
///
/// Of several servers on one database exactly one tails the log: the holder of a lease in
/// the log's state row, renewed every third of its length; when it stops renewing (it died),
/// another takes over once the lease expires and goes on from the position the first one
/// saved, so no change is lost (a change may be broadcast twice around a takeover). Records
/// the gateway wrote itself are skipped. Records older than the retention are pruned; when
/// pruning removed records nobody had read (every server was down for long), the tables'
/// clients are told to drop their cached rows (``BrokerServer/broadcastResync(meta:)``).
public struct ChangeFeed: Service {
    /// How the feed polls, leases and prunes.
    public struct Configuration: Sendable {
        /// The exported tables whose changes are broadcast.
        public var tables: Set<String>
        /// How often the log is read when no notification wakes the feed (MariaDB, SQLite;
        /// PostgreSQL as a fallback).
        public var poll: Duration = .milliseconds(250)
        /// How long the lease lasts unless renewed (seconds).
        public var leaseSeconds: Double = 5
        /// How long records are kept (seconds).
        public var retentionSeconds: Double = 86_400
        /// How often the log is pruned.
        public var pruneEvery: Duration = .seconds(60)
        /// How long a gap in the ids is waited for (a transaction that took an id but has not
        /// committed yet) before it is passed over (one that rolled back).
        public var gapWait: Duration = .seconds(1)
        /// Records read at once.
        public var batch = 1000
        /// Whether a stopping feed gives its lease up, so that another server takes over at
        /// once (false: as if the process died; the others wait for the lease to expire).
        public var releaseOnStop = true

        public init(tables: Set<String>) { self.tables = tables }
    }

    let loader: SQLLoader
    let server: BrokerServer
    let configuration: Configuration
    let logger: Logger
    let wakeup = Wakeup()

    public init(
        loader: SQLLoader, server: BrokerServer, configuration: Configuration,
        logger: Logger = Logger(label: "dabroker.changes")
    ) {
        self.loader = loader
        self.server = server
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        let db = loader.database
        var listener: PostgresNotificationListener?
        if db.kind == .postgres {
            listener = PostgresNotificationListener(url: db.url, channel: ChangeLog.channel, logger: logger) {
                [wakeup] in wakeup.signal()
            }
        }
        defer { listener?.stop() }
        try? await cancelWhenGracefulShutdown { try await tail() }
        if configuration.releaseOnStop {
            try? await ChangeLog(dialect: db.dialect).releaseLease(db, holder: server.instanceID)
        }
    }

    private func tail() async throws {
        let db = loader.database
        let log = ChangeLog(dialect: db.dialect)
        let clock = ContinuousClock()
        let renewEvery = Duration.milliseconds(Int(configuration.leaseSeconds * 1000 / 3))
        var leader = false
        var position: Int64 = 0
        var lastRenew = clock.now - renewEvery
        var lastPrune = clock.now - configuration.pruneEvery
        var gapSince: ContinuousClock.Instant?
        while true {
            var more = false
            do {
                if !leader || clock.now - lastRenew >= renewEvery {
                    let held = try await log.acquireLease(
                        db, holder: server.instanceID, seconds: configuration.leaseSeconds)
                    lastRenew = clock.now
                    if held && !leader {
                        position = try await log.progress(db).position
                        lastPrune = clock.now - configuration.pruneEvery
                        logger.notice("tailing the change log of \(db.displayURL) from record \(position)")
                    } else if !held && leader {
                        logger.notice("another server tails the change log now")
                    }
                    leader = held
                }
                if leader {
                    if clock.now - lastPrune >= configuration.pruneEvery {
                        lastPrune = clock.now
                        let pruned = try await log.prune(olderThan: configuration.retentionSeconds, db)
                        if pruned > position {
                            logger.warning(
                                """
                                change log records \(position + 1)...\(pruned) were pruned before they were \
                                broadcast: telling clients to drop their cached rows of \
                                \(configuration.tables.sorted().joined(separator: ", "))
                                """)
                            for table in configuration.tables.sorted() {
                                await server.broadcastResync(meta: loader.tableKey(table))
                            }
                            position = pruned
                            try await log.savePosition(db, holder: server.instanceID, position: position)
                        }
                    }
                    let records = try await log.records(after: position, limit: configuration.batch, db)
                    let start = position
                    for r in records {
                        if r.id != position + 1 {
                            let since = gapSince ?? clock.now
                            gapSince = since
                            if clock.now - since < configuration.gapWait { break }
                        }
                        gapSince = nil
                        await broadcast(r)
                        position = r.id
                    }
                    if position != start {
                        try await log.savePosition(db, holder: server.instanceID, position: position)
                    }
                    more = records.count == configuration.batch && position != start
                }
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                logger.notice("reading the change log failed (\(error)); trying again")
            }
            if more { continue }
            let pause = leader ? (gapSince == nil ? configuration.poll : .milliseconds(50)) : renewEvery
            await wakeup.wait(upTo: pause)
            try Task.checkCancellation()
        }
    }

    /// Broadcasts one record, unless the gateway wrote it (and broadcast it) or its table is
    /// not one whose changes are broadcast.
    private func broadcast(_ r: ChangeLog.Record) async {
        guard !r.byGateway, configuration.tables.contains(r.table), let m = loader.model(r.table) else { return }
        guard let values = Self.keyValues(r.key, columns: m.keyColumns, table: m.table) else {
            logger.notice("change log record \(r.id) of '\(r.table)' has a key that does not fit its columns")
            await server.broadcastResync(meta: loader.tableKey(r.table))
            return
        }
        let key = r.operation == .insert ? nil : loader.rowKey(r.table, values)
        await server.broadcastInvalidation(key: key, meta: loader.tableKey(r.table), changes: [:])
    }

    /// The key column values of a record's JSON key, typed as the columns' values are.
    static func keyValues(_ json: String, columns: [String], table: TableDescription) -> [Value]? {
        guard case .list(let parts)? = try? JSONCodec().decode(value: Array(json.utf8)), parts.count == columns.count
        else { return nil }
        var out: [Value] = []
        for (part, name) in zip(parts, columns) {
            let kind = table.columns.first { $0.name == name }?.kind
            guard let v = typed(part, kind) else { return nil }
            out.append(v)
        }
        return out
    }

    private static func typed(_ v: Value, _ kind: ValueKind?) -> Value? {
        switch (kind, v) {
        case (_, .null): return .null
        case (.int?, .int): return v
        case (.int?, .string(let s)): return Int64(s).map(Value.int)
        case (.decimal?, .int(let i)): return .decimal(String(i))
        case (.decimal?, .string(let s)): return .decimal(s)
        case (.decimal?, .double(let d)): return .decimal(String(d))
        case (.uuid?, .string(let s)): return UUID(uuidString: s).map(Value.uuid)
        case (.bool?, .bool), (.bool?, .int): return v
        default: return v
        }
    }
}
