import CLibPQ
import DaBrokerCore
import Foundation
import Logging

/// Where server notices (`NOTICE: relation … already exists, skipping`) go instead of stderr.
private let noticeLogger = Logger(label: "dabroker.sql.postgres")

/// The state of one PostgreSQL connection: the libpq handle, the prepared-statement cache and
/// the resolved user types. Used by one thread at a time: the connection's `DriverThread`, or a
/// thread that borrowed it from there (`DriverThread.borrow`, `WatchableDriver`).
final class PostgresCore: WatchableDriver {
    /// A statement prepared on the server under `name`, with its parameters' types.
    struct Prepared {
        var name: String
        var parameterTypes: [PostgresType]
    }

    private var conn: OpaquePointer?
    private var cache = LRUTable<String, Prepared>(capacity: 128)
    private var userTypes: [UInt32: PostgresType] = [:]
    private var nextStatement = 0
    private let encoder = PostgresParameterEncoder()
    /// "host:port/database", for messages (never the password).
    private var place = "PostgreSQL"

    /// Opens the connection: libpq parses `url` itself (URI or key=value conninfo), we only add
    /// UTF-8 client encoding and a fallback application name.
    func connect(url: String) throws {
        let c = Self.open(url: url, applicationName: "dabroker")
        place = Self.describe(c)
        guard let c, PQstatus(c) == CONNECTION_OK else {
            let detail = c.map { Self.trimmed(PQerrorMessage($0)) } ?? "out of memory"
            PQfinish(c)
            throw DatabaseError(.connection, "cannot connect to \(place): \(detail)")
        }
        PQsetNoticeProcessor(
            c,
            { _, message in
                guard let message else { return }
                let text = String(cString: message).trimmingCharacters(in: .whitespacesAndNewlines)
                noticeLogger.debug("\(text)")
            }, nil)
        conn = c
    }

    /// `PQconnectdbParams` with `url` (URI or conninfo), UTF-8 client encoding and a fallback
    /// application name; the handle, whatever its status, or nil when out of memory.
    static func open(url: String, applicationName: String) -> OpaquePointer? {
        let keys = ["dbname", "client_encoding", "fallback_application_name"]
        let values = [url, "UTF8", applicationName]
        let cKeys = keys.map { strdup($0) }
        let cValues = values.map { strdup($0) }
        defer {
            for p in cKeys + cValues { free(p) }
        }
        let k = cKeys.map { UnsafePointer($0) } + [nil]
        let v = cValues.map { UnsafePointer($0) } + [nil]
        return PQconnectdbParams(k, v, 1)
    }

    /// Gives `body` the open libpq handle (for `PQgetCancel`).
    func withHandle(_ body: (OpaquePointer) -> Void) {
        if let conn { body(conn) }
    }

    func close() {
        PQclear(pending?.result)
        pending = nil
        PQfinish(conn)
        conn = nil
        _ = cache.removeAll()
    }

    /// A cheap round trip: an empty query.
    func ping() -> Bool {
        guard let conn, PQstatus(conn) == CONNECTION_OK else { return false }
        let res = PQexec(conn, "")
        defer { PQclear(res) }
        return PQresultStatus(res) == PGRES_EMPTY_QUERY
    }

    func execute(_ sql: String, _ parameters: [Value]) throws -> QueryResult {
        let conn = try usable()
        var retried = false
        while true {
            let prepared = try prepare(sql, conn)
            let encoded = try encode(parameters, for: prepared)
            let res = Self.withParameters(encoded) { n, values, lengths, formats in
                PQexecPrepared(conn, prepared.name, n, values, lengths, formats, 1)
            }
            defer { PQclear(res) }
            if let result = try answer(res, sql, prepared, conn, mayRetry: !retried) { return result }
            retried = true
        }
    }

    // MARK: Statements whose answer is awaited in another thread's poll (WatchableDriver)

    /// A statement sent by ``start(_:_:)`` whose answer is being read.
    private var pending: (sql: String, prepared: Prepared, result: OpaquePointer?)?

    /// Largest parameters, in bytes, ``start(_:_:)`` sends: sending never waits for the socket.
    static let startLimit = 8 * 1024

    /// The connection's socket, to poll for the answer of a started statement.
    var socket: Int32 { conn.map { PQsocket($0) } ?? -1 }
    /// The answer is read: wait until the socket is readable.
    var awaitedEvents: Int16 { Int16(POLLIN) }

    /// Sends `sql` without waiting for its answer; `false` when the statement must run with
    /// ``execute(_:_:)`` instead: not prepared yet on this connection, parameters over
    /// ``startLimit`` bytes, a TLS connection (whose buffered bytes `poll` cannot see), or
    /// anything unusual. Then read the answer with ``collect(polled:)``. (Its result types were
    /// resolved when the statement first ran here, so reading it asks nothing more of the
    /// server, unless that first run failed: then one short catalog query may run.)
    func start(_ sql: String, _ parameters: [Value]) throws -> Bool {
        guard pending == nil, let conn, PQstatus(conn) == CONNECTION_OK, PQsslInUse(conn) == 0,
            PQisBusy(conn) == 0, let prepared = cache.get(sql)
        else { return false }
        let encoded = try encode(parameters, for: prepared)  // a wrong count throws here, as in `execute`
        guard encoded.reduce(0, { $0 + ($1.bytes?.count ?? 0) }) <= Self.startLimit else { return false }
        let sent = Self.withParameters(encoded) { n, values, lengths, formats in
            PQsendQueryPrepared(conn, prepared.name, n, values, lengths, formats, 1)
        }
        guard sent == 1 else { throw error(nil, conn) }
        pending = (sql, prepared, nil)
        return true
    }

    /// Reads what the server sent for the statement ``start(_:_:)`` sent, without waiting
    /// (its socket polled readable).
    func collect(polled revents: Int16) throws -> WatchedProgress {
        try collect(blocking: false)
    }

    /// Reads the answer of the statement ``start(_:_:)`` sent until it is complete.
    func finishBlocking() throws -> WatchedProgress {
        try collect(blocking: true)
    }

    private func collect(blocking: Bool) throws -> WatchedProgress {
        guard let conn, pending != nil else { throw DatabaseError.closed("PostgreSQL") }
        if !blocking { _ = PQconsumeInput(conn) }  // on failure, PQgetResult reports it
        while blocking || PQisBusy(conn) == 0 || PQstatus(conn) != CONNECTION_OK {
            guard let res = PQgetResult(conn) else { return try finishPending(conn) }
            PQclear(pending?.result)
            pending?.result = res
            let status = PQresultStatus(res)
            if status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH {
                return try finishPending(conn)
            }
        }
        return .waiting
    }

    private func finishPending(_ conn: OpaquePointer) throws -> WatchedProgress {
        guard let (sql, prepared, res) = pending else { throw DatabaseError.closed("PostgreSQL") }
        pending = nil
        defer { PQclear(res) }
        guard res != nil else { throw error(nil, conn) }
        return try answer(res, sql, prepared, conn, mayRetry: true).map { .done($0) } ?? .again
    }

    // MARK: Statements

    /// The parameters encoded for `prepared`'s types.
    private func encode(_ parameters: [Value], for prepared: Prepared) throws -> [PostgresParameterEncoder.Encoded] {
        guard prepared.parameterTypes.count == parameters.count else {
            throw DatabaseError(
                .parameter,
                "the statement has \(prepared.parameterTypes.count) parameters but \(parameters.count) values were given"
            )
        }
        var encoded: [PostgresParameterEncoder.Encoded] = []
        encoded.reserveCapacity(parameters.count)
        for (i, value) in parameters.enumerated() {
            encoded.append(try encoder.encode(value, index: i, type: prepared.parameterTypes[i]))
        }
        return encoded
    }

    /// The result of running `prepared`: rows, or the error thrown; `nil` when its cached plan
    /// was invalidated (a schema change, or someone ran DEALLOCATE/DISCARD) and `mayRetry`: it
    /// is forgotten, to be prepared again, unless a transaction was aborted.
    private func answer(
        _ res: OpaquePointer?, _ sql: String, _ prepared: Prepared, _ conn: OpaquePointer, mayRetry: Bool
    ) throws -> QueryResult? {
        let status = PQresultStatus(res)
        if status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK || status == PGRES_EMPTY_QUERY {
            return try readResult(res, conn)
        }
        if status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH {
            abandonCopy(conn)
            throw DatabaseError(.statement, "COPY to or from the client is not supported through this driver")
        }
        let error = self.error(res, conn)
        if mayRetry && (error.sqlState == "0A000" || error.sqlState == "26000") {
            if cache.remove(sql) != nil && error.sqlState == "0A000" { deallocate(prepared.name, conn) }
            if PQtransactionStatus(conn) == PQTRANS_IDLE { return nil }
        }
        throw error
    }

    /// Leaves the COPY sub-protocol so the connection stays usable.
    private func abandonCopy(_ conn: OpaquePointer) {
        _ = PQputCopyEnd(conn, "COPY is not supported by this client")
        var buffer: UnsafeMutablePointer<CChar>?
        while PQgetCopyData(conn, &buffer, 0) > 0 { PQfreemem(buffer) }
        while let r = PQgetResult(conn) { PQclear(r) }
    }

    private func usable() throws -> OpaquePointer {
        guard let conn else { throw DatabaseError.closed("PostgreSQL") }
        guard PQstatus(conn) == CONNECTION_OK else {
            throw DatabaseError(.connectionLost, "the connection to \(place) was lost")
        }
        return conn
    }

    private func prepare(_ sql: String, _ conn: OpaquePointer) throws -> Prepared {
        if let hit = cache.get(sql) { return hit }
        nextStatement += 1
        let name = "dab_\(nextStatement)"
        let res = PQprepare(conn, name, sql, 0, nil)
        defer { PQclear(res) }
        guard PQresultStatus(res) == PGRES_COMMAND_OK else { throw error(res, conn) }
        let desc = PQdescribePrepared(conn, name)
        defer { PQclear(desc) }
        guard PQresultStatus(desc) == PGRES_COMMAND_OK else {
            let e = error(desc, conn)
            deallocate(name, conn)
            throw e
        }
        var types: [PostgresType] = []
        do {
            for i in 0..<PQnparams(desc) {
                types.append(try resolveType(PQparamtype(desc, i), conn))
            }
        } catch {
            deallocate(name, conn)
            throw error
        }
        let prepared = Prepared(name: name, parameterTypes: types)
        if let evicted = cache.set(sql, prepared) { deallocate(evicted.element.name, conn) }
        return prepared
    }

    private func deallocate(_ name: String, _ conn: OpaquePointer) {
        // `name` is ours ("dab_<n>"), never user input.
        PQclear(PQexec(conn, "DEALLOCATE \(name)"))
    }

    /// Calls `body` with the count, values, lengths and formats of `params` as libpq takes them.
    private static func withParameters<R>(
        _ params: [PostgresParameterEncoder.Encoded],
        _ body: (Int32, [UnsafePointer<CChar>?], [Int32], [Int32]) -> R
    ) -> R {
        // One buffer holding every parameter (text ones NUL-terminated), pointers into it.
        var storage: [UInt8] = []
        storage.reserveCapacity(params.reduce(1) { $0 + ($1.bytes?.count ?? 0) + 1 })
        var offsets: [Int?] = []
        offsets.reserveCapacity(params.count)
        var lengths: [Int32] = []
        lengths.reserveCapacity(params.count)
        var formats: [Int32] = []
        formats.reserveCapacity(params.count)
        for p in params {
            if let bytes = p.bytes {
                offsets.append(storage.count)
                storage.append(contentsOf: bytes)
                if !p.binary { storage.append(0) }
                lengths.append(Int32(bytes.count))
            } else {
                offsets.append(nil)
                lengths.append(0)
            }
            formats.append(p.binary ? 1 : 0)
        }
        if storage.isEmpty { storage.append(0) }
        return storage.withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }
            let values: [UnsafePointer<CChar>?] = offsets.map { offset in offset.flatMap { base?.advanced(by: $0) } }
            return body(Int32(params.count), values, lengths, formats)
        }
    }

    private func readResult(_ res: OpaquePointer?, _ conn: OpaquePointer) throws -> QueryResult {
        let nfields = PQnfields(res)
        let ntuples = PQntuples(res)
        var columns: [String] = []
        columns.reserveCapacity(Int(nfields))
        var types: [PostgresType] = []
        types.reserveCapacity(Int(nfields))
        for c in 0..<nfields {
            let name = String(cString: PQfname(res, c))
            let type = try resolveType(PQftype(res, c), conn)
            if let unmapped = type.unmappedPart {
                throw DatabaseError.unmappedType(
                    table: tableName(PQftable(res, c), conn), column: name, typeName: unmapped)
            }
            columns.append(name)
            types.append(type)
        }
        let decoders = columns.map { PostgresBinaryDecoder(column: $0) }
        var rows: [Row] = []
        rows.reserveCapacity(Int(ntuples))
        for r in 0..<ntuples {
            var values: [Value] = []
            values.reserveCapacity(Int(nfields))
            for c in 0..<nfields {
                if PQgetisnull(res, r, c) != 0 {
                    values.append(.null)
                } else {
                    let bytes = UnsafeRawBufferPointer(
                        start: PQgetvalue(res, r, c), count: Int(PQgetlength(res, r, c)))
                    values.append(try decoders[Int(c)].decode(types[Int(c)], bytes))
                }
            }
            rows.append(Row(columns: columns, values: values))
        }
        let affected = Int64(String(cString: PQcmdTuples(res))) ?? 0
        return QueryResult(columns: columns, rows: rows, affectedRows: affected)
    }

    /// The mapping of a type OID: built-in, or resolved once through `pg_type` (enums, domains,
    /// arrays of user types).
    func resolveType(_ oid: UInt32, _ conn: OpaquePointer, depth: Int = 0) throws -> PostgresType {
        if let t = PostgresType.builtin(oid) { return t }
        if let t = userTypes[oid] { return t }
        let rows = try catalog(
            "SELECT typname, typtype, typelem, typbasetype, typcategory FROM pg_catalog.pg_type WHERE oid = $1",
            String(oid), conn)
        guard let row = rows.first, let name = row[0] else { return .unmapped(name: "oid \(oid)") }
        let element = row[2].flatMap { UInt32($0) } ?? 0
        let base = row[3].flatMap { UInt32($0) } ?? 0
        var type = PostgresType.unmapped(name: name)
        if depth < 8 {
            if row[1] == "e" {
                type = .enumLabel(name: name)
            } else if row[1] == "d", base != 0 {
                type = try resolveType(base, conn, depth: depth + 1)
            } else if row[4] == "A", element != 0 {
                type = .array(element: try resolveType(element, conn, depth: depth + 1))
            }
        }
        userTypes[oid] = type
        return type
    }

    private func tableName(_ oid: UInt32, _ conn: OpaquePointer) -> String? {
        guard oid != 0 else { return nil }
        let rows = try? catalog("SELECT relname FROM pg_catalog.pg_class WHERE oid = $1", String(oid), conn)
        return rows?.first?[0] ?? nil
    }

    /// A one-parameter catalog query in text format.
    private func catalog(_ sql: String, _ parameter: String, _ conn: OpaquePointer) throws -> [[String?]] {
        let res = parameter.withCString { p in
            var values: [UnsafePointer<CChar>?] = [p]
            return PQexecParams(conn, sql, 1, nil, &values, nil, nil, 0)
        }
        defer { PQclear(res) }
        guard PQresultStatus(res) == PGRES_TUPLES_OK else { throw error(res, conn) }
        return (0..<PQntuples(res)).map { r in
            (0..<PQnfields(res)).map { c in
                PQgetisnull(res, r, c) != 0 ? nil : String(cString: PQgetvalue(res, r, c))
            }
        }
    }

    /// The error of a failed result, classified; marks the connection lost when libpq says so.
    /// The server's text (message, detail, hint), which may quote values, goes only into
    /// `serverMessage`; the message names the refusal class, table, column and constraint.
    private func error(_ res: OpaquePointer?, _ conn: OpaquePointer) -> DatabaseError {
        func field(_ code: Character) -> String? {
            guard let ascii = code.asciiValue, let p = PQresultErrorField(res, Int32(ascii)) else { return nil }
            return String(cString: p)
        }
        let state = field("C")
        var text = field("M") ?? Self.trimmed(PQerrorMessage(conn))
        if text.isEmpty { text = "the server reported an error without a message" }
        if let detail = field("D") { text += " — \(detail)" }
        if let hint = field("H") { text += " (hint: \(hint))" }
        let lost = PQstatus(conn) != CONNECTION_OK
        let kind: DatabaseError.Kind
        switch state {
        case _ where lost: kind = .connectionLost
        case let s? where s.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(s): kind = .connectionLost
        case let s? where s.hasPrefix("23"): kind = .constraint
        case "40001", "40P01": kind = .transactionConflict
        case "57014": kind = .timeout
        default: kind = .statement
        }
        let table = field("t")
        let column = field("c")
        let constraint = field("n")
        let dataType = field("d")
        let refusal =
            kind == .constraint || kind == .statement
            ? PostgresRefusal.classify(state, constraint: constraint, dataType: dataType) : nil
        let columns = column.map { [$0] } ?? []
        let message: String
        switch kind {
        case .connectionLost: message = "the connection to \(place) was lost"
        case .timeout: message = "the statement was cancelled (statement timeout)"
        default:
            message = DatabaseError.summary(
                "PostgreSQL", kind: kind, refusal: refusal, table: table, columns: columns, constraint: constraint)
        }
        return DatabaseError(
            kind, message, sqlState: state, table: table, typeName: dataType, refusal: refusal,
            constraint: constraint, columns: columns, serverMessage: text)
    }

    private static func describe(_ c: OpaquePointer?) -> String {
        guard let c else { return "PostgreSQL" }
        func s(_ p: UnsafeMutablePointer<CChar>?) -> String { p.map { String(cString: $0) } ?? "" }
        return "PostgreSQL at \(s(PQhost(c))):\(s(PQport(c)))/\(s(PQdb(c)))"
    }

    private static func trimmed(_ p: UnsafeMutablePointer<CChar>?) -> String {
        p.map { String(cString: $0).trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
    }
}
