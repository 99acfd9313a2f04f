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
        try await CLIErrors.reporting {
            let c = try await client.connect()
            let object = try await c.model(table).get(try ArgumentValue.filters(filters))
            client.output(object.value)
            await c.close()
        }
    }
}

/// `dabroker find TABLE col=value… [--limit N]`.
struct FindCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "find", abstract: "List rows of TABLE matching equality filters.")
    @OptionGroup var client: ClientOptionGroup
    @Option(name: .long, help: "At most this many rows.") var limit: Int?
    @Argument(help: "The table (as exported).") var table: String
    @Argument(help: "Filters: column=value.") var filters: [String] = []

    func run() async throws {
        try await CLIErrors.reporting {
            let c = try await client.connect()
            let rows = try await c.model(table).find(try ArgumentValue.filters(filters), limit: limit)
            client.output(.list(rows.map(\.value)))
            await c.close()
        }
    }
}

/// `dabroker count TABLE col=value…`.
struct CountCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "count", abstract: "Count rows of TABLE matching equality filters.")
    @OptionGroup var client: ClientOptionGroup
    @Argument(help: "The table (as exported).") var table: String
    @Argument(help: "Filters: column=value.") var filters: [String] = []

    func run() async throws {
        try await CLIErrors.reporting {
            let c = try await client.connect()
            let n = try await c.model(table).count(try ArgumentValue.filters(filters))
            client.output(.int(Int64(n)))
            await c.close()
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
        try await CLIErrors.reporting {
            let c = try await client.connect()
            let result = try await c.call(method, arguments: arguments.map(ArgumentValue.parse))
            client.output(result)
            await c.close()
        }
    }
}

/// `dabroker update TABLE col=value… --set col=value…`: changes one row, checking that the
/// values it read are still current (StaleData otherwise).
struct UpdateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update", abstract: "Change exactly one row of TABLE (found by filters) with --set col=value.")
    @OptionGroup var client: ClientOptionGroup
    @Option(name: .long, help: "A change: column=value (repeatable).") var set: [String] = []
    @Argument(help: "The table (as exported).") var table: String
    @Argument(help: "Filters that find the row: column=value.") var filters: [String] = []

    func run() async throws {
        try await CLIErrors.reporting {
            let changes = try ArgumentValue.filters(set)
            guard !changes.isEmpty else {
                throw ConfigurationError("update needs at least one --set column=value")
            }
            let c = try await client.connect()
            let model = try await c.model(table)
            let row = try await model.get(try ArgumentValue.filters(filters))
            let updated = try await model.update(row, changes)
            client.output(updated.value)
            await c.close()
        }
    }
}
