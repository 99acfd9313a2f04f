import ArgumentParser
import DaBrokerClient
import DaBrokerCore
import Foundation

/// `dabroker find TABLE filter… [--order -col,…] [--limit N] [--page] [--after CURSOR] [--all]`.
struct FindCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "find", abstract: "List rows of TABLE matching filters, in order, in pages.",
        discussion: """
            Filters: column=value (equality), column!=v, column<v, column<=v, column>v, column>=v, \
            column~pattern (LIKE: % any run, _ one character, \\ escapes), column~~pattern (case-insensitive), \
            and column:op[=value] for the other operators (column:null, column:not_null, column:in=a,b,c, \
            column:prefix=text, column:contains=text, column:iprefix=…, column:icontains=…). \
            --order takes column names, -column for descending (NULLs last ascending, first descending). \
            --page answers one page {"rows": […], "next": cursor}; --after CURSOR the page after it; \
            --all every matching row, fetched page by page (keyset, so each row once).
            """)
    @OptionGroup var client: ClientOptionGroup
    // `.unconditional`: `--limit -5` reaches `validate()` and is explained, instead of
    // ArgumentParser taking `-5` for an option and saying the value is missing.
    @Option(name: .long, parsing: .unconditional, help: "At most this many rows (0 or more); the page size.")
    var limit: Int?
    @Option(
        name: .long, parsing: .unconditionalSingleValue,
        help: "Order: column names, -column for descending (comma-separated or repeated).") var order: [String] = []
    @Flag(name: .long, help: "Answer one page with the cursor of the next.") var page = false
    @Option(name: .long, help: "The page after this cursor (from an earlier page's next).") var after: String?
    @Flag(name: .long, help: "Every matching row, fetched a page at a time.") var all = false
    @Argument(help: "The table (as exported).") var table: String
    @Argument(help: "Filters (see below).") var filters: [String] = []

    func validate() throws {
        if let limit, limit < 0 {
            throw ValidationError("--limit must be 0 or more (got \(limit)); leave it out for the server's maximum")
        }
        if all && (page || after != nil) {
            throw ValidationError("--all walks every page: leave out --page and --after")
        }
    }

    func run() async throws {
        try await client.run { [table, filters, limit, order, page, after, all] c in
            var query = try QueryArgument.query(try await c.model(table), filters)
            let terms = order.flatMap { $0.split(separator: ",") }.map { term in
                term.hasPrefix("-") ? Column(String(term.dropFirst())).desc : Column(String(term)).asc
            }
            if !terms.isEmpty { query = query.order(terms) }
            if all {
                var rows: [Value] = []
                for try await row in query.rows(pageSize: limit) { rows.append(row.value) }
                return .list(rows)
            }
            if page || after != nil {
                let p = try await query.page(after: after, size: limit)
                return .dict(["rows": .list(p.rows.map(\.value)), "next": p.next.map { .string($0) } ?? .null])
            }
            if let limit { query = query.limit(limit) }
            return .list(try await query.fetchAll().map(\.value))
        }
    }
}

/// `dabroker count TABLE filter… [--estimate]`.
struct CountCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "count", abstract: "Count rows of TABLE matching filters (the filters of find).")
    @OptionGroup var client: ClientOptionGroup
    @Flag(
        name: .long,
        help: "Without filters, the database's estimate (PostgreSQL, MariaDB): {\"count\": n, \"estimated\": true}.")
    var estimate = false
    @Argument(help: "The table (as exported).") var table: String
    @Argument(help: "Filters, as for find.") var filters: [String] = []

    func run() async throws {
        try await client.run { [table, filters, estimate] c in
            let query = try QueryArgument.query(try await c.model(table), filters)
            guard estimate else { return .int(Int64(try await query.fetchCount())) }
            let (n, estimated) = try await query.estimatedCount()
            return .dict(["count": .int(Int64(n)), "estimated": .bool(estimated)])
        }
    }
}

/// `dabroker new TABLE col=value…` or `dabroker new TABLE --file rows.jsonl`.
struct NewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new", abstract: "Insert one row into TABLE (column=value fields), or every row of --file.",
        discussion: """
            --file reads one JSON object per line (`-` for standard input) and inserts them all in one call \
            and one transaction: all or none; an error names the failing row's index (from 0).
            """)
    @OptionGroup var client: ClientOptionGroup
    @Option(name: .long, help: "A JSON-lines file of rows to insert together.") var file: String?
    @Argument(help: "The table (as exported).") var table: String
    @Argument(help: "Fields: column=value.") var fields: [String] = []

    func validate() throws {
        if file != nil && !fields.isEmpty { throw ValidationError("give either fields or --file, not both") }
    }

    func run() async throws {
        let rows = try file.map(Self.rows)
        try await client.run { [table, fields] c in
            let model = try await c.model(table)
            if let rows { return .list(try await model.new(rows: rows).map(\.value)) }
            return try await model.new(try ArgumentValue.filters(fields)).value
        }
    }

    /// The rows of a JSON-lines file: one object per non-empty line.
    static func rows(_ path: String) throws -> [[String: Value]] {
        let data: Data
        do {
            data =
                path == "-"
                ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigurationError("cannot read --file '\(path)'")
        }
        var rows: [[String: Value]] = []
        for (i, line) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let bytes = Array(line)
            if bytes.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) { continue }
            guard case .dict(let d)? = try? JSONCodec().decode(value: bytes) else {
                throw ConfigurationError("line \(i + 1) of '\(path)' is not a JSON object")
            }
            rows.append(Dictionary(uniqueKeysWithValues: d.map { ($0.key, $0.value) }))
        }
        return rows
    }
}
