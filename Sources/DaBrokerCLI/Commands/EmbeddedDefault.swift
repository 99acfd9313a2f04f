import Foundation

/// The gateway that runs with nothing installed: a SQLite demo database made from
/// `migrations/sqlite` on first start, served over HTTP on 127.0.0.1:8080.
enum EmbeddedDefault {
    static let databaseFile = "dabroker-demo.sqlite"

    static var configuration: GatewayConfiguration {
        var c = GatewayConfiguration()
        c.database = "sqlite:" + databaseFile
        c.http = .init()
        var person = GatewayConfiguration.TableSettings()
        person.mode = .readWrite
        person.hide = ["password_hash"]
        var project = GatewayConfiguration.TableSettings()
        project.mode = .readWrite
        c.tables = ["person": person, "project": project]
        return c
    }

    static func migrationsDirectory(flag: String?) -> String {
        if let flag { return flag }
        if let env = ProcessInfo.processInfo.environment["DABROKER_MIGRATIONS"], !env.isEmpty { return env }
        let fm = FileManager.default
        if fm.fileExists(atPath: "migrations/sqlite") { return "migrations" }
        // A binary built in a checkout: <checkout>/.build/<triple>/<config>/dabroker.
        var dir = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath()
        for _ in 0..<5 {
            dir = dir.deletingLastPathComponent()
            let candidate = dir.appendingPathComponent("migrations")
            if fm.fileExists(atPath: candidate.appendingPathComponent("sqlite").path) { return candidate.path }
        }
        return "migrations"
    }
}
