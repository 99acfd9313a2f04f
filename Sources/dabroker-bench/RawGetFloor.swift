import CLibPQ
import CRabbitMQ
import CSQLite3
import DaBrokerAMQP
import Foundation
import Synchronization

/// The honest floor for the gateway's throughput and CPU per call: raw server threads built
/// from the C libraries alone (librabbitmq and libpq or libsqlite3, no DaBroker code), each
/// with its own AMQP connection consuming the benchmark queue and its own database
/// connection, as many threads as the gateway has database connections.
///
/// A request's body says what to do: `g<id>` runs the primary-key SELECT of `bench_item` and
/// answers the row as a small JSON object; `f` runs the SELECT of 50 rows and answers a JSON
/// list; anything else is echoed. The threads count their calls and their own CPU time
/// (`CLOCK_THREAD_CPUTIME_ID`), so that ``cpuNanoseconds`` over a window divided by the
/// calls in it is the floor's CPU per call.
final class RawGetFloor: Sendable {
    private let stopFlag = Atomic<Bool>(false)
    private let ready = Atomic<Int>(0)
    private let failed = Atomic<Int>(0)
    private let calls = Atomic<Int>(0)
    private let cpu: [CPUSlot]
    let threads: Int

    /// Starts `threads` server threads on the queue of `amqp`, each with a connection to the
    /// benchmark database `database`; returns once all consume.
    init(database: BenchDatabase, amqp: AMQPConfiguration, threads: Int) async throws {
        self.threads = threads
        cpu = (0..<threads).map { _ in CPUSlot() }
        for index in 0..<threads {
            let url = database.url
            Thread { [self] in
                do {
                    try serve(index: index, url: url, amqp: amqp)
                } catch {
                    failed.add(1, ordering: .relaxed)
                }
            }.start()
        }
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(20)
        while ready.load(ordering: .acquiring) + failed.load(ordering: .acquiring) < threads {
            guard clock.now < deadline else { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        guard failed.load(ordering: .acquiring) == 0, ready.load(ordering: .acquiring) == threads else {
            stop()
            throw BenchFailure("the raw floor server's threads could not connect to the database or RabbitMQ")
        }
    }

    /// Calls answered so far.
    var answered: Int { calls.load(ordering: .relaxed) }

    /// CPU time the server threads have used so far, in nanoseconds.
    var cpuNanoseconds: Int { cpu.reduce(0) { $0 + $1.nanoseconds.load(ordering: .relaxed) } }

    func stop() { stopFlag.store(true, ordering: .releasing) }

    private func serve(index: Int, url: String, amqp: AMQPConfiguration) throws {
        let db = try RawDatabase(url: url)
        defer { db.close() }
        let conn = try RawEcho.connect(amqp)
        defer { RawEcho.close(conn) }
        let queue = RawEcho.bytes(amqp.queue)
        defer { amqp_bytes_free(queue) }
        amqp_queue_declare(conn, 1, queue, 0, 0, 0, 0, dab_amqp_empty_table())
        amqp_basic_consume(conn, 1, queue, dab_amqp_empty_bytes(), 0, 1, 0, dab_amqp_empty_table())
        guard amqp_get_rpc_reply(conn).reply_type == AMQP_RESPONSE_NORMAL else {
            throw BenchFailure("declare/consume failed")
        }
        ready.add(1, ordering: .releasing)
        while !stopFlag.load(ordering: .acquiring) {
            amqp_maybe_release_buffers(conn)
            var envelope = amqp_envelope_t()
            var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
            let reply = amqp_consume_message(conn, &envelope, &timeout, 0)
            guard reply.reply_type == AMQP_RESPONSE_NORMAL else { continue }
            let body = envelope.message.body
            let bytes = UnsafeRawBufferPointer(start: body.bytes, count: body.len)
            var answer = db.answer(bytes)
            var props = amqp_basic_properties_t()
            props._flags = amqp_flags_t(AMQP_BASIC_CORRELATION_ID_FLAG)
            props.correlation_id = envelope.message.properties.correlation_id
            answer.withUnsafeMutableBytes { out in
                let reply = amqp_bytes_t(len: out.count, bytes: out.baseAddress)
                amqp_basic_publish(
                    conn, 1, dab_amqp_empty_bytes(), envelope.message.properties.reply_to, 0, 0, &props, reply)
            }
            amqp_destroy_envelope(&envelope)
            calls.add(1, ordering: .relaxed)
            cpu[index].nanoseconds.store(Self.threadCPU(), ordering: .relaxed)
        }
    }

    /// This thread's CPU time in nanoseconds.
    static func threadCPU() -> Int {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return ts.tv_sec * 1_000_000_000 + ts.tv_nsec
    }
}

/// One server thread's CPU time so far.
private final class CPUSlot: Sendable {
    let nanoseconds = Atomic<Int>(0)
}

/// One raw database connection of ``RawGetFloor``: libpq or libsqlite3 with the two
/// prepared statements, answering a request body.
private final class RawDatabase {
    private var pg: OpaquePointer?
    private var lite: OpaquePointer?
    private var litePK: OpaquePointer?
    private var lite50: OpaquePointer?

    init(url: String) throws {
        let columns = "id, name, n, note"
        let pk = "SELECT \(columns) FROM \(BenchDatabase.table) WHERE id = "
        let fifty = "SELECT \(columns) FROM \(BenchDatabase.table) ORDER BY id LIMIT 50"
        if url.hasPrefix("sqlite:") {
            let path = String(url.dropFirst("sqlite:".count))
            guard sqlite3_open_v2(path, &lite, SQLITE_OPEN_READONLY, nil) == SQLITE_OK,
                sqlite3_prepare_v2(lite, pk + "?1", -1, &litePK, nil) == SQLITE_OK,
                sqlite3_prepare_v2(lite, fifty, -1, &lite50, nil) == SQLITE_OK
            else {
                close()
                throw BenchFailure("libsqlite3 could not open or prepare on the benchmark file")
            }
        } else if url.hasPrefix("postgres") {
            pg = PQconnectdb(url)
            guard PQstatus(pg) == CONNECTION_OK, Self.ok(PQprepare(pg, "pk", pk + "$1", 1, nil)),
                Self.ok(PQprepare(pg, "fifty", fifty, 0, nil))
            else {
                close()
                throw BenchFailure("libpq could not connect or prepare")
            }
        } else {
            throw BenchFailure("the raw floor server runs on PostgreSQL or SQLite")
        }
    }

    private static func ok(_ result: OpaquePointer?) -> Bool {
        defer { PQclear(result) }
        return PQresultStatus(result) == PGRES_COMMAND_OK
    }

    func close() {
        sqlite3_finalize(litePK)
        sqlite3_finalize(lite50)
        sqlite3_close_v2(lite)
        PQfinish(pg)
        (pg, lite, litePK, lite50) = (nil, nil, nil, nil)
    }

    /// The reply to one request body.
    func answer(_ body: UnsafeRawBufferPointer) -> [UInt8] {
        guard let first = body.first else { return [] }
        if first == UInt8(ascii: "g"), let id = Int64(String(decoding: body.dropFirst(), as: UTF8.self)) {
            return Array(selectPK(id).utf8)
        }
        if first == UInt8(ascii: "f") { return Array(select50().utf8) }
        return Array(body)
    }

    private func selectPK(_ id: Int64) -> String {
        if let litePK {
            sqlite3_bind_int64(litePK, 1, id)
            defer { sqlite3_reset(litePK) }
            return sqlite3_step(litePK) == SQLITE_ROW ? Self.row(litePK) : "null"
        }
        let text = String(id)
        let result = text.withCString { p -> OpaquePointer? in
            var values: [UnsafePointer<CChar>?] = [p]
            return PQexecPrepared(pg, "pk", 1, &values, nil, nil, 0)
        }
        defer { PQclear(result) }
        return PQntuples(result) == 1 ? Self.row(result, 0) : "null"
    }

    private func select50() -> String {
        var rows: [String] = []
        if let lite50 {
            defer { sqlite3_reset(lite50) }
            while sqlite3_step(lite50) == SQLITE_ROW { rows.append(Self.row(lite50)) }
        } else {
            let result = PQexecPrepared(pg, "fifty", 0, nil, nil, nil, 0)
            defer { PQclear(result) }
            for i in 0..<PQntuples(result) { rows.append(Self.row(result, i)) }
        }
        return "[" + rows.joined(separator: ",") + "]"
    }

    /// The benchmark's rows hold digits and plain ASCII text: no escaping needed.
    private static func row(_ s: OpaquePointer) -> String {
        let name = sqlite3_column_text(s, 1).map { String(cString: $0) } ?? ""
        let note = sqlite3_column_text(s, 3).map { String(cString: $0) } ?? ""
        return
            #"{"id":\#(sqlite3_column_int64(s, 0)),"name":"\#(name)","n":\#(sqlite3_column_int64(s, 2)),"note":"\#(note)"}"#
    }

    private static func row(_ r: OpaquePointer?, _ i: Int32) -> String {
        func text(_ c: Int32) -> String { PQgetvalue(r, i, c).map { String(cString: $0) } ?? "" }
        return #"{"id":\#(text(0)),"name":"\#(text(1))","n":\#(text(2)),"note":"\#(text(3))"}"#
    }
}
