import ArgumentParser

/// `dabroker-bench [measure]`: the gateway against its physical floor (driver SELECT, raw
/// echo RPC) in one run, printed as a table.
struct MeasureCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "measure",
        abstract: "Measure DaBroker against its floor: driver SELECT, raw AMQP and HTTP echo.",
        discussion: """
            Services come from DABROKER_TEST_POSTGRES_URL, DABROKER_TEST_MYSQL_URL and \
            DABROKER_TEST_AMQP_URL; a missing one skips its rows. SQLite always runs.
            """)

    @Flag(help: "CI mode: small iteration counts, finishes in well under 2 minutes, only prints.")
    var short = false

    @Option(help: "Also write the results as JSON to this file.")
    var json: String?

    @Flag(help: "Then run the schema reflection benchmark with its defaults (never with --short).")
    var reflection = false

    @Flag(help: "Only measure the cost of metrics on get-by-key (SQLite, in process).")
    var metricsCostOnly = false

    @Option(help: "Only measure the memory burst on this database (postgres, mysql, sqlite).")
    var memoryBurstOnly: String?

    @Option(help: "Only measure the server's CPU per call on this database (postgres, mysql, sqlite).")
    var serverCPUOnly: String?

    @Option(help: "Only measure throughput over AMQP on this database (postgres, mysql, sqlite).")
    var throughputOnly: String?

    @Option(help: "Only measure the echo floors and this database's latency rows (postgres, mysql, sqlite).")
    var latencyOnly: String?

    @Flag(help: "Only compare the REST face with Datasette over HTTP (SQLite; needs datasette and wrk).")
    var peerHTTPOnly = false

    @Option(
        help: ArgumentHelp("Only run N get-by-key calls and N/10 find-50 calls, for a profiler.", visibility: .hidden))
    var profile: Int?

    @Option(
        help: ArgumentHelp(
            "With --profile: both, gets, finds, floor (driver SELECTs only), compare (floor and gets interleaved), codec, echoes or amqpparts.",
            visibility: .hidden))
    var profileCalls = "both"

    @Flag(help: ArgumentHelp("With --profile: as --profile-calls finds (the older spelling).", visibility: .hidden))
    var profileFindsOnly = false

    @Option(help: ArgumentHelp("With --profile: the database (postgres, mysql, sqlite).", visibility: .hidden))
    var profileBackend = "sqlite"

    @Option(help: ArgumentHelp("With --profile: the transport (inprocess, http).", visibility: .hidden))
    var profileTransport = "inprocess"

    @Option(
        help: ArgumentHelp(
            "With --profile-calls amqpparts: run only this part (raw-raw, ours-ours, …).", visibility: .hidden))
    var profilePart: String?

    func run() async throws {
        BenchCommand.bootstrapLogging()
        if let profile {
            guard let kind = profileFindsOnly ? .finds : ProfileLoop.Calls(rawValue: profileCalls) else {
                throw ValidationError(
                    "--profile-calls must be both, gets, finds, floor, compare, codec, echoes or amqpparts")
            }
            try await ProfileLoop(
                calls: profile, kind: kind, backend: profileBackend, transport: profileTransport, part: profilePart
            )
            .run()
            return
        }
        let runner = BenchRunner(settings: BenchSettings(short: short))
        if metricsCostOnly {
            let database = try await BenchDatabase.prepare(backend: "sqlite", base: nil, rows: runner.settings.rows)
            defer { database.cleanUp() }
            try await runner.metricsCost(database)
            BenchReport(results: runner.results, notes: runner.notes).print()
            return
        }
        if peerHTTPOnly {
            try await runner.onlyPeerHTTP()
            BenchReport(results: runner.results, notes: runner.notes).print()
            return
        }
        if let backend = memoryBurstOnly ?? serverCPUOnly ?? throughputOnly ?? latencyOnly {
            let step: BenchRunner.SingleStep =
                memoryBurstOnly != nil
                ? .memoryBurst : serverCPUOnly != nil ? .serverCPU : throughputOnly != nil ? .throughput : .latency
            try await runner.only(step, backend)
            BenchReport(results: runner.results, notes: runner.notes).print()
            return
        }
        await runner.run()
        let report = BenchReport(results: runner.results, notes: runner.notes)
        report.print()
        if let json { try report.write(json: json) }
        if reflection && !short { try await ReflectionBenchmarkOptions().runAll() }
        if runner.crashed { throw ExitCode(1) }
    }
}
