import DaBrokerTestSupport
import Foundation

/// Chinook loaded with each database's own command-line client, in a database of the CLI
/// tests' own (`cli_chinook`).
enum ChinookCLIFixture: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite, postgres, mariadb

    var description: String { rawValue }

    static var available: [ChinookCLIFixture] {
        allCases.filter {
            switch $0 {
            case .sqlite: true
            case .postgres: TestServices.isAvailable(.postgres)
            case .mariadb: TestServices.isAvailable(.mysql)
            }
        }
    }

    struct LoadFailed: Error, CustomStringConvertible {
        var description: String
    }

    static var chinookDirectory: URL {
        if let dir = ProcessInfo.processInfo.environment["DABROKER_CHINOOK_DIR"] { return URL(fileURLWithPath: dir) }
        return CLITestPaths.root.deletingLastPathComponent().appendingPathComponent("shared/datasets/chinook")
    }

    /// Loads Chinook (once per process) and returns the database URL to give `dabroker`.
    func load() async throws -> String {
        let dir = Self.chinookDirectory
        switch self {
        case .sqlite:
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("cli_chinook-\(getpid()).sqlite")
                .path
            if !FileManager.default.fileExists(atPath: path) {
                try await Self.shell(["sqlite3", path], input: dir.appendingPathComponent("Chinook_Sqlite.sql"))
            }
            return "sqlite:" + path
        case .postgres:
            let base = try TestServices.url(for: .postgres)
            try await Self.shell(["psql", base, "-q", "-c", "DROP DATABASE IF EXISTS cli_chinook WITH (FORCE)"])
            try await Self.shell(["psql", base, "-q", "-c", "CREATE DATABASE cli_chinook"])
            let url = Self.replacingDatabase(base, with: "cli_chinook")
            try await Self.shell(
                ["psql", url, "-q", "-v", "ON_ERROR_STOP=1"],
                input: dir.appendingPathComponent("Chinook_PostgreSql.sql"))
            return url
        case .mariadb:
            let base = try TestServices.url(for: .mysql)
            guard let c = URLComponents(string: base), let host = c.host else { throw LoadFailed(description: base) }
            let args = [
                "mariadb", "-h", host, "-P", String(c.port ?? 3306), "-u", c.user ?? "", "-p" + (c.password ?? ""),
            ]
            try await Self.shell(args + ["-e", "DROP DATABASE IF EXISTS cli_chinook; CREATE DATABASE cli_chinook"])
            try await Self.shell(args + ["cli_chinook"], input: dir.appendingPathComponent("Chinook_MySql.sql"))
            return Self.replacingDatabase(base, with: "cli_chinook")
        }
    }

    static func replacingDatabase(_ url: String, with name: String) -> String {
        guard var c = URLComponents(string: url) else { return url }
        c.path = "/" + name
        return c.string ?? url
    }

    /// Runs a command, feeding it `input` without the lines that create or switch databases.
    static func shell(_ args: [String], input: URL? = nil) async throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = args
        let stdin = Pipe()
        let err = Pipe()
        p.standardInput = stdin
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        if let input {
            let text = try String(contentsOf: input, encoding: .utf8)
            let kept = text.split(separator: "\n", omittingEmptySubsequences: false).filter { line in
                let l = line.trimmingCharacters(in: .whitespaces).uppercased()
                return
                    !(l.hasPrefix("DROP DATABASE") || l.hasPrefix("CREATE DATABASE") || l.hasPrefix("USE ")
                    || l.hasPrefix("\\C "))
            }
            let data = Data(kept.joined(separator: "\n").utf8)
            DispatchQueue.global().async {
                stdin.fileHandleForWriting.write(data)
                try? stdin.fileHandleForWriting.close()
            }
        } else {
            try? stdin.fileHandleForWriting.close()
        }
        while p.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        guard p.terminationStatus == 0 else {
            let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw LoadFailed(description: "\(args[0]) failed (\(p.terminationStatus)): \(message.prefix(500))")
        }
    }
}
