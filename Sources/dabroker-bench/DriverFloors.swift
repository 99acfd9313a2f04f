import DaBrokerCore
import DaBrokerSQL

/// The database floors of one backend, straight through the driver (one connection, no
/// pool, no broker): primary-key SELECT, SELECT of 50 rows, COUNT(*), primary-key UPDATE.
struct DriverFloors {
    var selectPK: (p50: Double, p99: Double)
    var select50: (p50: Double, p99: Double)
    var count: (p50: Double, p99: Double)
    var update: (p50: Double, p99: Double)

    static func measure(_ database: BenchDatabase, settings: BenchSettings) async throws -> DriverFloors {
        let conn = try await DatabaseConnector.connect(
            url: database.url, options: DatabaseOptions(logger: BenchGateway.quiet("driver")))
        do {
            let floors = try await measure(conn, settings: settings)
            await conn.close()
            return floors
        } catch {
            await conn.close()
            throw error
        }
    }

    private static func measure(_ conn: any DatabaseConnection, settings: BenchSettings) async throws -> DriverFloors {
        let d = conn.dialect
        let t = d.quote(BenchDatabase.table)
        let id = d.quote("id")
        var i = 0
        let selectPK = try await BenchStats.latency(calls: settings.calls, warmUp: settings.warmUp) {
            i = i % 1000 + 1
            let r = try await conn.execute(Self.selectPK(d), [.int(Int64(i))])
            guard r.rows.count == 1 else { throw BenchFailure("primary-key SELECT found \(r.rows.count) rows") }
        }
        let select50 = try await BenchStats.latency(calls: settings.calls, warmUp: settings.warmUp) {
            _ = try await conn.execute(Self.select50(d), [])
        }
        let count = try await BenchStats.latency(calls: settings.calls, warmUp: settings.warmUp) {
            _ = try await conn.execute(Self.count(d), [])
        }
        var round = 0
        let update = try await BenchStats.latency(calls: settings.calls, warmUp: settings.warmUp) {
            round += 1
            _ = try await conn.execute(
                "UPDATE \(t) SET \(d.quote("note")) = \(d.placeholder(0)) WHERE \(id) = \(d.placeholder(1))",
                [.string("floor \(round)"), .int(999)])
        }
        return DriverFloors(selectPK: selectPK, select50: select50, count: count, update: update)
    }
}

extension DriverFloors {
    private static func columns(_ d: any SQLDialect) -> String {
        ["id", "name", "n", "note"].map(d.quote).joined(separator: ", ")
    }

    /// The floor's SELECT by key (one parameter, the id).
    static func selectPK(_ d: any SQLDialect) -> String {
        "SELECT \(columns(d)) FROM \(d.quote(BenchDatabase.table)) WHERE \(d.quote("id")) = \(d.placeholder(0))"
    }

    /// The floor's SELECT of 50 rows.
    static func select50(_ d: any SQLDialect) -> String {
        "SELECT \(columns(d)) FROM \(d.quote(BenchDatabase.table)) ORDER BY \(d.quote("id")) LIMIT 50"
    }

    /// The floor's COUNT(*).
    static func count(_ d: any SQLDialect) -> String { "SELECT COUNT(*) FROM \(d.quote(BenchDatabase.table))" }
}
