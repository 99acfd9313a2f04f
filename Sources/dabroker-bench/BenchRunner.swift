import DaBrokerAMQP
import DaBrokerClient
import DaBrokerCore
import DaBrokerHTTP
import DaBrokerSQL
import Foundation

/// Runs every benchmark step and collects the rows. A step that fails (service missing or
/// broken) becomes a printed note; the run goes on.
final class BenchRunner {
    let settings: BenchSettings
    private(set) var results: [BenchResult] = []
    private(set) var notes: [String] = []
    /// Set when a step failed for a reason other than a missing service.
    private(set) var crashed = false

    private let env = ProcessInfo.processInfo.environment
    private var echoFloor: [String: Double] = [:]

    init(settings: BenchSettings) { self.settings = settings }

    var amqpURL: String? { env["DABROKER_TEST_AMQP_URL"].flatMap { $0.isEmpty ? nil : $0 } }

    func run() async {
        let clock = ContinuousClock()
        let started = clock.now
        print(
            "dabroker-bench \(settings.short ? "--short" : "(full)"), \(BenchMachine.buildConfiguration) build, "
                + "\(ProcessInfo.processInfo.activeProcessorCount) cores, load \(BenchMachine.loadAverage())")
        if BenchMachine.buildConfiguration == "debug" {
            note("debug build: these figures are NOT the release figures (swift run -c release dabroker-bench)")
        }
        await step("echo floors") { try await echoFloors() }
        var backends: [(String, String?)] = [("sqlite", nil)]
        for (name, variable) in [("postgres", "DABROKER_TEST_POSTGRES_URL"), ("mysql", "DABROKER_TEST_MYSQL_URL")] {
            if let url = env[variable], !url.isEmpty {
                backends.append((name, url))
            } else {
                note("\(variable) not set: \(name) rows skipped")
            }
        }
        if amqpURL == nil { note("DABROKER_TEST_AMQP_URL not set: AMQP rows and throughput skipped") }
        var throughputDatabase: BenchDatabase?
        for (index, (backend, base)) in backends.enumerated() {
            await step("\(backend) gateway") {
                print("… \(backend): preparing \(settings.rows) rows")
                let database = try await BenchDatabase.prepare(backend: backend, base: base, rows: settings.rows)
                try await backendRows(database, withEcho: index == 0)
                if !settings.short { try await queryRows(database) }
                if backend == "sqlite" { try await metricsCost(database) }
                if backend == "postgres" || (throughputDatabase == nil && backend == "sqlite") {
                    throughputDatabase?.cleanUp()
                    throughputDatabase = database
                } else {
                    database.cleanUp()
                }
            }
        }
        if let amqpURL, let database = throughputDatabase {
            await step("throughput") { try await throughput(database, amqpURL: amqpURL) }
        }
        throughputDatabase?.cleanUp()
        if let amqpURL {
            if let tools = PeerHTTPBench.tools() {
                await step("HTTP peer comparison") { try await peerComparison(tools, amqpURL: amqpURL) }
            } else {
                note(
                    "datasette or wrk not installed: the HTTP comparison with Datasette is skipped "
                        + "(pip install datasette; apt-get install wrk)")
            }
        }
        note(
            "run took \(Int(BenchStats.micros(clock.now - started) / 1_000_000)) s; load average now "
                + BenchMachine.loadAverage())
    }

    // MARK: - Steps

    private func echoFloors() async throws {
        let inProcess = InProcessServerTransport()
        try await inProcess.start { $0 }
        let client = inProcess.makeClient()
        try await client.connect()
        let request = Array(#"{"data":{"_m":"echo","_a":{"_o":"LIST","_d":["hi"]}}}"#.utf8)
        let local = try await BenchStats.latency(calls: settings.calls, warmUp: settings.warmUp) {
            _ = try await client.call(request)
        }
        await client.close()
        await inProcess.stop()
        add("echo_floor", "inprocess", "-", local, note: "transport alone, handler returns the request")
        echoFloor["inprocess"] = local.p50

        let h = try await runHTTPEchoBenchmark(calls: settings.calls, warmUp: settings.warmUp)
        add("echo_floor", "http", "-", h, note: "Hummingbird route answering the body, HTTPClientTransport")
        echoFloor["http"] = h.p50

        if let amqpURL {
            let raw = try await runRawAMQPEchoBenchmark(url: amqpURL, calls: settings.calls, warmUp: settings.warmUp)
            let r = (p50: raw.p50 * 1000, p99: raw.p99 * 1000)
            add("echo_floor", "amqp", "-", r, note: "raw librabbitmq, direct reply-to, no DaBroker code")
            echoFloor["amqp"] = r.p50
            let acked = try await runRawAMQPEchoBenchmark(
                url: amqpURL, calls: settings.calls, warmUp: settings.warmUp, acks: true)
            add(
                "echo_floor_acked", "amqp", "-", (acked.p50 * 1000, acked.p99 * 1000),
                note: "as echo_floor, the server acknowledging each request after its reply (as ours does); not a floor"
            )
        }
    }

    private func backendRows(_ database: BenchDatabase, withEcho: Bool) async throws {
        let backend = database.backend
        let floors = try await DriverFloors.measure(database, settings: settings)
        add("select_pk_floor", "driver", backend, floors.selectPK)
        if database.url.hasPrefix("sqlite:") {
            let path = String(database.url.dropFirst("sqlite:".count))
            add(
                "select_pk_floor", "libsqlite3", backend,
                try await SQLiteCFloor.selectPK(path: path, settings: settings),
                note: "C loop over libsqlite3, one prepared statement: the floor under the driver")
        }
        add("select50_floor", "driver", backend, floors.select50)
        add("count_floor", "driver", backend, floors.count)
        add("update_pk_floor", "driver", backend, floors.update)
        let amqp = try amqpURL.map { try benchConfiguration($0) }
        let gateway = try await BenchGateway(database: database, amqp: amqp)
        do {
            for transport in ["inprocess", "amqp", "http"] where transport != "amqp" || amqp != nil {
                print("… \(backend) over \(transport)")
                let f: GatewayLatency.Figures
                do {
                    let floor = try await PairedFloor.open(transport: transport, database: database, amqpURL: amqpURL)
                    do {
                        f = try await GatewayLatency(
                            gateway: gateway, transport: transport, settings: settings, floor: floor
                        ).run(withEcho: withEcho)
                    } catch {
                        await floor.stop()
                        throw error
                    }
                    await floor.stop()
                } catch {
                    // One transport failing (e.g. the shared RabbitMQ restarted) keeps the others.
                    crashed = true
                    note("\(backend) over \(transport) failed: \(error)")
                    continue
                }
                let echo = echoFloor[transport]
                if let e = f.echo { add("echo", transport, "-", e, floor: echo) }
                add(
                    "get_by_key", transport, backend, f.getByKey, floor: f.getByKeyFloor,
                    note: "cache cleared before each call; floor = SELECT + echo RPC, in rounds between these calls")
                add("cached_get", transport, backend, f.cachedGet, note: "client cache hit; batches of 100")
                add(
                    "find50", transport, backend, f.find50, floor: f.find50Floor,
                    note: "cache cleared; floor = SELECT 50 rows + echo RPC, in rounds between these calls")
                add(
                    "count", transport, backend, f.count, floor: f.countFloor,
                    note: "cache cleared; floor = COUNT(*) + echo RPC, in rounds between these calls")
                add(
                    "invalidation", transport, backend, f.invalidation, floor: sum(floors.update.p50, echo),
                    note: "update until a 2nd client's copy is obsolete; floor = UPDATE + echo RPC"
                        + (f.invalidationTimeouts > 0 ? "; \(f.invalidationTimeouts) timeouts (2 s)" : ""))
            }
            if withEcho { try await clientMemory(gateway) }
        } catch {
            await gateway.stop()
            if let amqp { _ = try? await onBenchThread { try RawEcho.deleteNames(amqp) } }
            throw error
        }
        await gateway.stop()
        // A server leaves its queue for the next one; the benchmark's are its own.
        if let amqp { _ = try? await onBenchThread { try RawEcho.deleteNames(amqp) } }
    }

    /// The query rows of issue 19 (``QueryBench``), full runs only: 100,000 rows per backend.
    private func queryRows(_ database: BenchDatabase) async throws {
        print("… \(database.backend): query rows (100,000 rows)")
        let rows = try await QueryBench(url: database.url, rows: 100_000, calls: settings.calls / 4).run()
        for (name, figures, note) in rows { add(name, "inprocess", database.backend, figures, note: note) }
    }

    /// get-by-key in process without and with metrics (a Prometheus registry).
    func metricsCost(_ database: BenchDatabase) async throws {
        print("… metrics cost (\(database.backend), in-process get-by-key)")
        let cost = try await MetricsCost.measure(database, settings: settings)
        add("get_by_key_no_metrics", "inprocess", database.backend, cost.without, note: "cache cleared; metrics off")
        add(
            "get_by_key_metrics", "inprocess", database.backend, cost.with, floor: cost.without.p50,
            note: "the same with metrics into a Prometheus registry; floor = without")
    }

    /// RSS growth of this process while an in-process client caches `rows` objects.
    private func clientMemory(_ gateway: BenchGateway) async throws {
        let warm = try await gateway.client("inprocess", cacheSize: 20_000)
        for id in 1...1000 { _ = try await warm.get(gateway.rowRef(id)) }
        await warm.close()
        let client = try await gateway.client("inprocess", cacheSize: 20_000)
        let before = BenchMachine.rss() ?? 0
        for id in 1...settings.rows { _ = try await client.get(gateway.rowRef(id)) }
        let after = BenchMachine.rss() ?? 0
        let cached = client.statistics.objects
        await client.close()
        let perTenThousand = Double(after - before) / Double(max(cached, 1)) * 10_000
        results.append(
            BenchResult(
                name: "client_memory_per_10k", transport: "inprocess", backend: gateway.database.backend,
                note: String(
                    format: "%.1f MiB RSS growth per 10,000 cached objects (%d cached)",
                    perTenThousand / 1_048_576, cached)))
    }

    /// The throughput rows, then (unless `alone`) the second server, server CPU and memory rows.
    private func throughput(_ database: BenchDatabase, amqpURL: String, alone: Bool = false) async throws {
        print("… throughput over AMQP (\(database.backend))")
        var raw: [Int: Double] = [:]
        for callers in settings.concurrency {
            let r = try await runRawAMQPEchoThroughput(
                url: amqpURL, callers: callers, duration: settings.throughputDuration)
            raw[callers] = r
            results.append(
                BenchResult(
                    name: "throughput_floor_c\(callers)", transport: "amqp", backend: "-", callsPerSecond: r,
                    note: "raw librabbitmq echo, 1 server thread, \(callers) caller connections"))
        }
        let rawGet = try await getFloors(database, amqpURL: amqpURL)
        let amqp = try benchConfiguration(amqpURL)
        let gateway = try await BenchGateway(database: database, amqp: amqp)
        var clients: [BrokerClient] = []
        do {
            for _ in 0..<4 { clients.append(try await gateway.client("amqp")) }
            try await throughputRows(clients, gateway: gateway, servers: "1 server", raw: raw, rawGet: rawGet)
            try await rawCallerRows(gateway, amqp: amqp, rawGet: rawGet)
            if let server = BenchMachine.rss() {
                results.append(
                    BenchResult(
                        name: "server_rss", transport: "amqp", backend: database.backend,
                        note: String(
                            format: "%.1f MiB: this process (gateway + 4 clients) after the load",
                            Double(server) / 1_048_576)))
            }
            if !alone {
                try await secondServer(
                    database, amqpURL: amqpURL, amqp: amqp, clients: clients, gateway: gateway, raw: raw,
                    rawGet: rawGet)
                await step("server CPU per call") { try await serverCPU(database, amqpURL: amqpURL, gateway: gateway) }
                await step("memory burst") { try await memoryBurst(database, amqpURL: amqpURL) }
            }
        } catch {
            for c in clients { await c.close() }
            await gateway.stop()
            _ = try? await onBenchThread { try RawEcho.deleteNames(amqp) }
            throw error
        }
        for c in clients { await c.close() }
        await gateway.stop()
        _ = try? await onBenchThread { try RawEcho.deleteNames(amqp) }
    }

    private func secondServer(
        _ database: BenchDatabase, amqpURL: String, amqp: AMQPConfiguration, clients: [BrokerClient],
        gateway: BenchGateway, raw: [Int: Double], rawGet: [Int: Double]
    ) async throws {
        var second: SecondServer?
        if let executable = SecondServer.executable() {
            do {
                second = try await SecondServer(
                    executable: executable, database: database, amqpURL: amqpURL, amqp: amqp, timeout: .seconds(60))
            } catch {
                note("second server process: \(error); using a second in-process BrokerServer instead")
            }
        } else {
            note("no dabroker binary next to dabroker-bench: the second server runs in-process (same queue)")
        }
        if let second {
            do {
                try await throughputRows(
                    clients, gateway: gateway, servers: "2 servers (2nd: dabroker serve process)", raw: raw,
                    rawGet: rawGet)
                if let rss = BenchMachine.rss(pid: second.pid) {
                    results.append(
                        BenchResult(
                            name: "server_rss", transport: "amqp", backend: database.backend,
                            note: String(
                                format: "%.1f MiB: second server process (dabroker serve) after the load",
                                Double(rss) / 1_048_576)))
                }
            } catch {
                second.stop()
                throw error
            }
            second.stop()
        } else {
            let other = try await BenchGateway(database: database, amqp: amqp)
            do {
                try await throughputRows(
                    clients, gateway: gateway, servers: "2 servers (2nd in-process)", raw: raw, rawGet: rawGet)
            } catch {
                await other.stop()
                throw error
            }
            await other.stop()
        }
    }

    private func throughputRows(
        _ clients: [BrokerClient], gateway: BenchGateway, servers: String, raw: [Int: Double], rawGet: [Int: Double]
    ) async throws {
        let refs = (1...1000).map { gateway.rowRef($0) }
        let suffix = servers.hasPrefix("1 ") ? "" : "_2srv"
        for callers in settings.concurrency {
            let used = Array(clients.prefix(min(callers, clients.count)))
            let get = try await BenchStats.throughput(callers: callers, duration: settings.throughputDuration) {
                caller in
                let client = used[caller % used.count]
                _ = try await client.call(Method.get, .ref(refs[(caller * 37 + Int.random(in: 0..<1000)) % refs.count]))
            }
            let echo = try await BenchStats.throughput(callers: callers, duration: settings.throughputDuration) {
                caller in
                _ = try await used[caller % used.count].call(Method.echo, "hi")
            }
            let fraction = rawGet[callers].map { get / $0 }
            results.append(
                BenchResult(
                    name: "throughput_c\(callers)" + suffix, transport: "amqp", backend: gateway.database.backend,
                    callsPerSecond: get, throughputFraction: fraction,
                    note: "get-by-key, \(servers), \(used.count) clients; "
                        + "ratio = fraction of throughput_get_floor_c\(callers)"))
            results.append(
                BenchResult(
                    name: "throughput_echo_c\(callers)" + suffix, transport: "amqp", backend: "-", callsPerSecond: echo,
                    throughputFraction: raw[callers].map { echo / $0 },
                    note: "echo, \(servers), \(used.count) clients"))
        }
    }

    /// `throughput_raw_callers_cN`: the gateway answering get-by-key to the floor's own raw
    /// callers, which send the requests `BrokerClient` would send (its cache off). The same
    /// callers on both sides, so the ratio compares the servers alone; `throughput_cN` also
    /// counts `BrokerClient`'s work, on the same two cores.
    private func rawCallerRows(_ gateway: BenchGateway, amqp: AMQPConfiguration, rawGet: [Int: Double]) async throws {
        let requests = (1...1000).map { String(decoding: gateway.encodedGet($0), as: UTF8.self) }
        let answer = try JSONCodec().decode(try await onBenchThread { try RawEcho.reply(amqp, body: requests[0]) })
        if let error = answer.error {
            throw BenchFailure("the gateway answered a raw caller's get with an error: \(error)")
        }
        for callers in settings.concurrency {
            let get = try await rawCallers(amqp, callers: callers) { caller in
                (0..<1000).map { requests[($0 * 37 + caller * 101) % 1000] }
            }
            results.append(
                BenchResult(
                    name: "throughput_raw_callers_c\(callers)", transport: "amqp", backend: gateway.database.backend,
                    callsPerSecond: get, throughputFraction: rawGet[callers].map { get / $0 },
                    note: "get-by-key, 1 server, the floor's raw callers; "
                        + "ratio = fraction of throughput_get_floor_c\(callers)"))
        }
    }

    /// `throughput_get_floor_cN`: ``RawGetFloor`` (C libraries only, as many database
    /// connections as the gateway's pool) answering get-by-key to N raw caller connections.
    private func getFloors(_ database: BenchDatabase, amqpURL: String) async throws -> [Int: Double] {
        let c = try benchConfiguration(amqpURL)
        let threads = DatabaseOptions().maxConnections
        let floor = try await RawGetFloor(database: database, amqp: c, threads: threads)
        var out: [Int: Double] = [:]
        do {
            for callers in settings.concurrency {
                out[callers] = try await rawCallers(c, callers: callers) { caller in
                    (0..<1000).map { "g\(($0 * 37 + caller * 101) % 1000 + 1)" }
                }
                results.append(
                    BenchResult(
                        name: "throughput_get_floor_c\(callers)", transport: "amqp", backend: database.backend,
                        callsPerSecond: out[callers],
                        note: "raw librabbitmq + C driver, \(threads) server threads/connections, no DaBroker code"))
            }
        } catch {
            floor.stop()
            throw error
        }
        floor.stop()
        try await onBenchThread { try RawEcho.deleteNames(c) }
        return out
    }

    /// Calls per second of `callers` raw librabbitmq caller connections (``RawEcho``, the
    /// throughput floors' callers) calling back to back for the throughput duration, each
    /// sending its `bodies` in turn.
    private func rawCallers(
        _ c: AMQPConfiguration, callers: Int, bodies: (Int) -> [String]
    ) async throws -> Double {
        let seconds =
            Double(settings.throughputDuration.components.seconds)
            + Double(settings.throughputDuration.components.attoseconds) / 1e18
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for caller in 0..<callers {
                let mine = bodies(caller)
                group.addTask { try await onBenchThread { try RawEcho.callFor(c, seconds: seconds, bodies: mine) } }
            }
            return try await group.reduce(0, +)
        }
        return Double(total) / seconds
    }

    /// `server_cpu_*`: µs of server CPU per call, the gateway process against the raw floor.
    private func serverCPU(_ database: BenchDatabase, amqpURL: String, gateway: BenchGateway) async throws {
        print("… server CPU per call (\(database.backend))")
        let cpu = try await ServerCPU.measure(
            database: database, amqpURL: amqpURL, gateway: gateway, calls: settings.calls)
        for (name, f) in [("echo", cpu.echo), ("get_by_key", cpu.getByKey), ("find50", cpu.find50)] {
            results.append(
                BenchResult(
                    name: "server_cpu_" + name, transport: "amqp", backend: database.backend, p50: f.gateway,
                    floorP50: f.floor,
                    note: "µs of server CPU per call (not latency): dabroker serve process vs the raw floor server; "
                        + String(format: "%.1f", f.gatewayWakeUps) + " thread wake-ups per call"))
        }
    }

    /// A step that can run alone (to see what a change to the server does).
    enum SingleStep { case memoryBurst, serverCPU, throughput, latency }

    /// Only `step`'s rows, on `backend`.
    func only(_ step: SingleStep, _ backend: String) async throws {
        guard let amqpURL else { throw BenchFailure("DABROKER_TEST_AMQP_URL is not set") }
        if step == .latency { try await echoFloors() }
        let variables = ["postgres": "DABROKER_TEST_POSTGRES_URL", "mysql": "DABROKER_TEST_MYSQL_URL"]
        let base = variables[backend].flatMap { env[$0] }
        if backend != "sqlite" && base == nil { throw BenchFailure("no URL for \(backend)") }
        let database = try await BenchDatabase.prepare(backend: backend, base: base, rows: settings.rows)
        defer { database.cleanUp() }
        switch step {
        case .throughput:
            try await throughput(database, amqpURL: amqpURL, alone: true)
        case .latency:
            try await backendRows(database, withEcho: true)
        case .memoryBurst:
            try await memoryBurst(database, amqpURL: amqpURL)
        case .serverCPU:
            let amqp = try benchConfiguration(amqpURL)
            let gateway = try await BenchGateway(database: database, amqp: amqp)
            do {
                try await serverCPU(database, amqpURL: amqpURL, gateway: gateway)
            } catch {
                await gateway.stop()
                _ = try? await onBenchThread { try RawEcho.deleteNames(amqp) }
                throw error
            }
            await gateway.stop()
            _ = try? await onBenchThread { try RawEcho.deleteNames(amqp) }
        }
    }

    /// Only the `http_row_cN` and `http_page50_cN` rows.
    func onlyPeerHTTP() async throws {
        guard let amqpURL else { throw BenchFailure("DABROKER_TEST_AMQP_URL is not set") }
        guard let tools = PeerHTTPBench.tools() else { throw BenchFailure("datasette or wrk is not installed") }
        try await peerComparison(tools, amqpURL: amqpURL)
    }

    /// `rss_burst`: the gateway process's RSS before, at the peak of and idle after 64 (16 in
    /// `--short`) concurrent finds of every row; ratio = after / before (goal ≤ 1.5).
    private func memoryBurst(_ database: BenchDatabase, amqpURL: String) async throws {
        print("… memory burst (\(database.backend))")
        // --short runs the debug build on a loaded CI machine: a smaller burst.
        let burstRows = settings.short ? 2000 : settings.rows
        let concurrency = settings.short ? 16 : 64
        let m = try await MemoryBurst.measure(
            database: database, amqpURL: amqpURL, rows: burstRows, concurrency: concurrency,
            settle: settings.short ? .seconds(1) : .seconds(3))
        let mib = { (n: Int) in String(format: "%.1f", Double(n) / 1_048_576) }
        results.append(
            BenchResult(
                name: "rss_burst", transport: "http", backend: database.backend,
                throughputFraction: Double(m.after) / Double(max(m.before, 1)),
                note:
                    "dabroker serve RSS MiB: idle \(mib(m.before)), peak \(mib(m.peak)) during \(concurrency) concurrent finds of "
                    + "\(burstRows) rows, idle after \(mib(m.after)) "
                    + "(anonymous: \(mib(m.anonBefore)) before, \(mib(m.anonAfter)) after); ratio = after / before"))
    }

    /// `http_row_cN`, `http_page50_cN`: the REST face against Datasette on one SQLite file.
    private func peerComparison(_ tools: (datasette: String, wrk: String), amqpURL: String) async throws {
        print("… HTTP side by side with Datasette (sqlite)")
        let database = try await BenchDatabase.prepare(backend: "sqlite", base: nil, rows: settings.rows)
        defer { database.cleanUp() }
        let figures = try await PeerHTTPBench.run(
            tools: tools, database: database, amqpURL: amqpURL, seconds: settings.short ? 1 : 5)
        for f in figures {
            results.append(
                BenchResult(
                    name: "\(f.name)_c\(f.connections)", transport: "http", backend: "sqlite", callsPerSecond: f.ours,
                    throughputFraction: f.ours / max(f.datasette, 0.001),
                    note: String(
                        format: "wrk, REST face; Datasette %.0f calls/s; ratio = ours / Datasette", f.datasette)))
        }
    }

    // MARK: - Helpers

    private func step(_ name: String, _ body: () async throws -> Void) async {
        do {
            try await body()
        } catch {
            crashed = true
            note("\(name) failed: \(error)")
        }
    }

    private func note(_ text: String) {
        print("note: " + text)
        notes.append(text)
    }

    private func sum(_ a: Double, _ b: Double?) -> Double? { b.map { a + $0 } }

    private func add(
        _ name: String, _ transport: String, _ backend: String, _ figures: (p50: Double, p99: Double),
        floor: Double? = nil, note: String? = nil
    ) {
        results.append(
            BenchResult(
                name: name, transport: transport, backend: backend, p50: figures.p50, p99: figures.p99,
                floorP50: floor, note: note))
    }
}
