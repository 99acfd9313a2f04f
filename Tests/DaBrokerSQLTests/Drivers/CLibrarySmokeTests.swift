import CLibPQ
import CMariaDB
import CSQLite3
import DaBrokerTestSupport
import Foundation
import Testing

/// The C client libraries link and talk to the real servers (issue 2: each C target is proved
/// by a smoke test), without any of our driver code in between.
@Suite struct CLibrarySmokeTests {
    @Test func libsqlite3OpensAndRunsAParameterisedQuery() throws {
        var db: OpaquePointer?
        #expect(sqlite3_open(":memory:", &db) == SQLITE_OK)
        defer { sqlite3_close(db) }
        var stmt: OpaquePointer?
        #expect(sqlite3_prepare_v2(db, "SELECT ?1 || 'ü', ?2 * 2", -1, &stmt, nil) == SQLITE_OK)
        defer { sqlite3_finalize(stmt) }
        #expect(sqlite3_bind_text(stmt, 1, "grüß", -1, dab_sqlite_transient()) == SQLITE_OK)
        #expect(sqlite3_bind_int64(stmt, 2, 21) == SQLITE_OK)
        #expect(sqlite3_step(stmt) == SQLITE_ROW)
        let text = sqlite3_column_text(stmt, 0).map { String(cString: $0) }
        #expect(text == "grüßü")
        #expect(sqlite3_column_int64(stmt, 1) == 42)
        #expect(sqlite3_step(stmt) == SQLITE_DONE)
    }

    @Test(.enabled(if: TestServices.isAvailable(.postgres)))
    func libpqConnectsAndExecutesWithParameters() throws {
        let url = try TestServices.url(for: .postgres)
        let conn = PQconnectdb(url)
        defer { PQfinish(conn) }
        #expect(PQstatus(conn) == CONNECTION_OK)
        let res = "41".withCString { p in
            var values: [UnsafePointer<CChar>?] = [p]
            return PQexecParams(conn, "SELECT $1::int + 1", 1, nil, &values, nil, nil, 0)
        }
        defer { PQclear(res) }
        #expect(PQresultStatus(res) == PGRES_TUPLES_OK)
        #expect(PQntuples(res) == 1)
        #expect(String(cString: PQgetvalue(res, 0, 0)) == "42")
    }

    @Test(.enabled(if: TestServices.isAvailable(.mysql)))
    func libmariadbConnectsAndRunsAPreparedStatement() throws {
        let url = try TestServices.url(for: .mysql)
        let parts = try #require(SmokeURL(url))
        #expect(dab_mysql_library_init() == 0)
        let mysql = try #require(mysql_init(nil))
        defer { mysql_close(mysql) }
        let connected = mysql_real_connect(mysql, parts.host, parts.user, parts.password, parts.db, parts.port, nil, 0)
        #expect(connected != nil, "\(String(cString: mysql_error(mysql)))")
        let stmt = try #require(mysql_stmt_init(mysql))
        defer { mysql_stmt_close(stmt) }
        let sql = Array("SELECT ? + 1".utf8)
        #expect(mysql_stmt_prepare(stmt, sql, UInt(sql.count)) == 0)
        var input: Int64 = 41
        var output: Int64 = 0
        var param = MYSQL_BIND()
        param.buffer_type = MYSQL_TYPE_LONGLONG
        var result = MYSQL_BIND()
        result.buffer_type = MYSQL_TYPE_LONGLONG
        withUnsafeMutablePointer(to: &input) { inPtr in
            withUnsafeMutablePointer(to: &output) { outPtr in
                param.buffer = UnsafeMutableRawPointer(inPtr)
                result.buffer = UnsafeMutableRawPointer(outPtr)
                #expect(mysql_stmt_bind_param(stmt, &param) == 0)
                #expect(mysql_stmt_execute(stmt) == 0)
                #expect(mysql_stmt_bind_result(stmt, &result) == 0)
                #expect(mysql_stmt_fetch(stmt) == 0)
            }
        }
        #expect(output == 42)
    }

    /// The parts of the test URL (percent-decoded by Foundation; the driver has its own parser).
    struct SmokeURL {
        var user: String?
        var password: String?
        var host: String?
        var port: UInt32
        var db: String

        init?(_ url: String) {
            guard let c = URLComponents(string: url) else { return nil }
            user = c.user
            password = c.password
            host = c.host
            port = UInt32(c.port ?? 3306)
            db = String(c.path.dropFirst())
        }
    }
}
