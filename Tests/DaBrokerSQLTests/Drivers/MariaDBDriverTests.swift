import DaBrokerCore
import DaBrokerSQL
import DaBrokerTestSupport
import Foundation
import Testing

/// MariaDB-specific driver behaviour: URL forms and session settings.
@Suite(.enabled(if: TestServices.isAvailable(.mysql)))
struct MariaDBDriverTests {
    static func url(_ change: (inout URLComponents) -> Void) throws -> String {
        var c = try #require(URLComponents(string: try TestServices.url(for: .mysql)))
        change(&c)
        return try #require(c.string)
    }

    @Test func localhostMeansTCPOnTheGivenPort() async throws {
        let db = try await MariaDBConnection.connect(url: try Self.url { $0.host = "localhost" })
        #expect(try await db.execute("SELECT 1 AS one").rows.first?[0] == .int(1))
        await db.close()
    }

    @Test func unixSocketFromTheSocketOption() async throws {
        let probe = try await DriverTestEnvironment.mariadb()
        guard case .string(let socket) = try await probe.execute("SELECT @@socket").rows.first?[0] ?? .null,
            FileManager.default.fileExists(atPath: socket)
        else {
            Issue.record("the test server reports no usable unix socket")
            return
        }
        await probe.close()
        let viaSocket = try Self.url {
            $0.host = "ignored.invalid"
            $0.queryItems = [URLQueryItem(name: "socket", value: socket)]
        }
        let db = try await MariaDBConnection.connect(url: viaSocket)
        #expect(try await db.execute("SELECT 2 AS two").rows.first?[0] == .int(2))
        await db.close()
    }

    @Test func mariadbSchemeAndWrongPasswordIsAConnectionError() async throws {
        let good = try await MariaDBConnection.connect(url: try Self.url { $0.scheme = "mariadb" })
        await good.close()
        await #expect {
            try await MariaDBConnection.connect(url: try Self.url { $0.password = "drv-wrong-password" })
        } throws: {
            let e = $0 as? DatabaseError
            return e?.kind == .connection && e?.code == 1045 && e?.message.contains("drv-wrong") == false
        }
    }

    @Test func sessionRunsInUTCWithUTF8MB4() async throws {
        let db = try await DriverTestEnvironment.mariadb()
        let r = try await db.execute("SELECT @@session.time_zone AS tz, @@character_set_client AS cs")
        #expect(r.rows.first?.values == ["+00:00", "utf8mb4"])
        await db.close()
    }
}
