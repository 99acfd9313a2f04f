import DaBrokerCore
import Testing

@testable import DaBrokerSQL

/// Driver pieces that need no server: URL parsing, the statement cache, calendar arithmetic.
@Suite struct DriverUnitTests {
    @Test func mariaDBURLIsPercentDecodedWithDefaults() throws {
        let u = try MariaDBURL("mariadb://us%40er:p%3Ass%2Fw%20rd@db.example:3307/my%20db")
        #expect(u.user == "us@er")
        #expect(u.password == "p:ss/w rd")
        #expect(u.host == "db.example")
        #expect(u.port == 3307)
        #expect(u.database == "my db")
        #expect(u.socket == nil)
        let d = try MariaDBURL("mysql://root@localhost")
        #expect(d.port == 3306)
        #expect(d.database == nil)
        #expect(d.password == nil)
        #expect(d.connectTimeout == 10)
    }

    @Test func mariaDBURLOptions() throws {
        let u = try MariaDBURL(
            "mysql://u:p@localhost/db?socket=/run/mysqld/mysqld.sock&connect_timeout=3&read_timeout=7&ssl=true")
        #expect(u.socket == "/run/mysqld/mysqld.sock")
        #expect(u.connectTimeout == 3)
        #expect(u.readTimeout == 7)
        #expect(u.ssl)
        #expect(u.place == "MariaDB at /run/mysqld/mysqld.sock/db")
    }

    @Test(arguments: [
        "postgres://u:p@h/db", "mysql://u:p@h/db?sockt=/tmp/x", "mysql://u:p@h/db?connect_timeout=soon",
        "mysql://u:p@h:99999/db", "mysql://u:p@h/db?ssl=maybe",
    ])
    func badMariaDBURLsAreRejectedClearly(_ url: String) {
        #expect(throws: DatabaseError.self) { try MariaDBURL(url) }
    }

    @Test func badURLsNeverReachTheDrivers() async {
        await #expect { try await PostgresConnection.connect(url: "mysql://u@h/db") } throws: {
            ($0 as? DatabaseError)?.kind == .connection
        }
        await #expect { try await MariaDBConnection.connect(url: "sqlite::memory:") } throws: {
            ($0 as? DatabaseError)?.kind == .connection
        }
    }

    @Test func statementTimeoutsAreValidated() throws {
        #expect(try statementTimeoutMilliseconds(nil) == 0)
        #expect(try statementTimeoutMilliseconds(0) == 0)
        #expect(try statementTimeoutMilliseconds(0.0001) == 1)
        #expect(try statementTimeoutMilliseconds(1.5) == 1500)
        for bad in [-1, Double.infinity, Double.nan, 1e12] {
            #expect(throws: DatabaseError.self) { try statementTimeoutMilliseconds(bad) }
        }
    }

    @Test(arguments: [-719_528, -1, 0, 1, 10_957, 11_016, 2_932_896])
    func civilCalendarRoundTrips(_ days: Int64) {
        let d = CivilCalendar.date(days: days)
        #expect(CivilCalendar.days(of: d) == days)
    }

    @Test func civilCalendarKnownDates() {
        #expect(CivilCalendar.date(days: 0) == DateValue(year: 1970, month: 1, day: 1))
        #expect(CivilCalendar.date(days: 11_016) == DateValue(year: 2000, month: 2, day: 29))
        #expect(CivilCalendar.date(days: -719_528) == DateValue(year: 0, month: 1, day: 1))
        let (d, t) = CivilCalendar.split(-1)
        #expect(d == DateValue(year: 1969, month: 12, day: 31))
        #expect(t == TimeValue(hour: 23, minute: 59, second: 59, microsecond: 999_999))
    }
}
