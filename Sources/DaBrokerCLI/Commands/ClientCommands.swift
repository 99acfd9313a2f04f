import ArgumentParser
import DaBrokerClient
import DaBrokerCore

/// `dabroker get TABLE col=value…`: exactly one row, or an error.
struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get", abstract: "Fetch exactly one row of TABLE by equality filters (NoData/ManyData otherwise).")
    @OptionGroup var client: ClientOptionGroup
    @Argument(help: "The table (as exported).") var table: String
    @Argument(help: "Filters: column=value.") var filters: [String] = []

    func run() async throws {
        try await client.run { [table, filters] c in
            try await c.model(table).get(try ArgumentValue.filters(filters)).value
        }
    }
}

/// `dabroker call METHOD args…`: a server-level call (`echo`, `ping`, application calls).
struct CallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call", abstract: "Call a server-level method (echo, ping, or one the application registered).")
    @OptionGroup var client: ClientOptionGroup
    @Argument(help: "The method.") var method: String
    @Argument(help: "Positional arguments (42, 1.5, true, null, or text).") var arguments: [String] = []

    func run() async throws {
        let arguments = arguments.map(ArgumentValue.parse)
        try await client.run { [method] c in try await c.call(method, arguments: arguments) }
    }
}

/// `dabroker update TABLE col=value… --set col=value…`: changes one row, checking that the
/// values it read are still current (StaleData otherwise).
struct UpdateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update", abstract: "Change exactly one row of TABLE (found by filters) with --set col=value….",
        discussion: """
            Filters come first, then --set and every change: `dabroker update item id=10 --set title=Hammer qty=3` \
            finds the row with id 10 and sets both title and qty. Every word after --set, up to the next \
            option, is a change; `--set title=Hammer --set qty=3` means the same. An update without filters \
            (`dabroker update item --set id=10 qty=3`) is refused: put the filters before --set.
            """)
    @OptionGroup var client: ClientOptionGroup
    @Option(
        name: .long, parsing: .upToNextOption,
        help: "The changes: column=value… (every word up to the next option).") var set: [String] = []
    @Argument(help: "The table (as exported).") var table: String
    @Argument(help: "Filters that find the row: column=value (before --set).") var filters: [String] = []

    func run() async throws {
        try await client.run { [table, filters, set] c in
            let changes = try ArgumentValue.filters(set)
            guard !changes.isEmpty else { throw ConfigurationError("update needs at least one --set column=value") }
            guard !filters.isEmpty else {
                throw ConfigurationError(
                    "update needs filters that find the row, before --set: every word after --set is a change "
                        + "(dabroker update \(table) id=10 --set \(set.first ?? "col=value"))")
            }
            let filters = try ArgumentValue.filters(filters)
            let model = try await c.model(table)
            return try await model.update(try await model.get(filters), changes).value
        }
    }
}

/// `dabroker delete TABLE col=value…`: deletes exactly one row (read-write tables only).
struct DeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete", abstract: "Delete exactly one row of TABLE, found by equality filters.")
    @OptionGroup var client: ClientOptionGroup
    @Argument(help: "The table (as exported).") var table: String
    @Argument(help: "Filters that find the row: column=value.") var filters: [String] = []

    func run() async throws {
        try await client.run { [table, filters] c in
            let model = try await c.model(table)
            let row = try await model.get(try ArgumentValue.filters(filters))
            try await model.delete(row)
            return row.value
        }
    }
}
