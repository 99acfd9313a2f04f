import Foundation

/// The parts of a `mysql://` / `mariadb://` URL:
/// `mysql://user:password@host:port/database?socket=/run/mysqld/mysqld.sock&connect_timeout=5`.
///
/// User, password and database are percent-decoded. Query options: `socket` (unix socket
/// path; the host is then ignored), `connect_timeout`, `read_timeout`, `write_timeout`
/// (seconds), `ssl` (`true` requires TLS), `ssl_ca` (CA file), `ssl_verify` (`true` checks the
/// server certificate). Any other option is an error, so a typo is not silently ignored.
struct MariaDBURL: Sendable, Equatable {
    var user: String?
    var password: String?
    var host: String = "localhost"
    var port: UInt32 = 3306
    var database: String?
    var socket: String?
    var connectTimeout: UInt32 = 10
    var readTimeout: UInt32?
    var writeTimeout: UInt32?
    var ssl = false
    var sslCA: String?
    var sslVerify = false

    static let options = ["socket", "connect_timeout", "read_timeout", "write_timeout", "ssl", "ssl_ca", "ssl_verify"]

    init(_ url: String) throws {
        guard let c = URLComponents(string: url), let scheme = c.scheme?.lowercased(),
            scheme == "mysql" || scheme == "mariadb"
        else {
            throw DatabaseError(.connection, "not a MariaDB/MySQL URL (expected mysql://user:password@host:port/db)")
        }
        user = c.user
        password = c.password
        if let h = c.host, !h.isEmpty { host = h }
        if let p = c.port {
            guard p > 0, p < 65536 else { throw DatabaseError(.connection, "MariaDB URL: port \(p) is out of range") }
            port = UInt32(p)
        }
        let path = c.path.hasPrefix("/") ? String(c.path.dropFirst()) : c.path
        database = path.isEmpty ? nil : path
        for item in c.queryItems ?? [] {
            let value = item.value ?? ""
            func seconds() throws -> UInt32 {
                guard let s = UInt32(value) else {
                    throw DatabaseError(.connection, "MariaDB URL: \(item.name)=\(value) is not a whole number of seconds")
                }
                return s
            }
            func flag() throws -> Bool {
                switch value.lowercased() {
                case "true", "1", "yes", "": return true
                case "false", "0", "no": return false
                default: throw DatabaseError(.connection, "MariaDB URL: \(item.name)=\(value) is not true or false")
                }
            }
            switch item.name {
            case "socket": socket = value
            case "connect_timeout": connectTimeout = try seconds()
            case "read_timeout": readTimeout = try seconds()
            case "write_timeout": writeTimeout = try seconds()
            case "ssl": ssl = try flag()
            case "ssl_ca": sslCA = value
            case "ssl_verify": sslVerify = try flag()
            default:
                throw DatabaseError(
                    .connection,
                    "MariaDB URL: unknown option \(item.name) (known: \(Self.options.joined(separator: ", ")))")
            }
        }
    }

    /// "host:port/database" or "socket/database", for messages (never the password).
    var place: String {
        "MariaDB at \(socket ?? "\(host):\(port)")/\(database ?? "")"
    }
}
