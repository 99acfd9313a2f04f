import DaBrokerClient
import DaBrokerCore

/// The per-transport latency rows of one gateway: echo, get-by-key (cache off), cached get,
/// find (limit 50), count, and update → invalidation seen by a second client.
struct GatewayLatency {
    let gateway: BenchGateway
    let transport: String
    let settings: BenchSettings

    /// The transport's floor, sampled in rounds between the gateway's calls.
    let floor: PairedFloor

    struct Figures {
        var echo: (p50: Double, p99: Double)?
        var getByKey: (p50: Double, p99: Double)
        /// The p50 of the floor sampled alongside (SELECT by key + echo floor), in µs.
        var getByKeyFloor: Double
        var cachedGet: (p50: Double, p99: Double)
        var find50: (p50: Double, p99: Double)
        var find50Floor: Double
        var count: (p50: Double, p99: Double)
        var countFloor: Double
        var invalidation: (p50: Double, p99: Double)
        var invalidationTimeouts: Int
    }

    func run(withEcho: Bool) async throws -> Figures {
        let a = try await gateway.client(transport)
        let b = try await gateway.client(transport)
        do {
            let figures = try await measure(a, b, withEcho: withEcho)
            await a.close()
            await b.close()
            return figures
        } catch {
            await a.close()
            await b.close()
            throw error
        }
    }

    private func measure(_ a: BrokerClient, _ b: BrokerClient, withEcho: Bool) async throws -> Figures {
        let calls = settings.calls
        let warmUp = settings.warmUp
        var echo: (p50: Double, p99: Double)?
        if withEcho {
            echo = try await BenchStats.latency(calls: calls, warmUp: warmUp) {
                _ = try await a.call(Method.echo, "hi")
            }
        }
        let refs = (1...1000).map { gateway.rowRef($0) }
        var i = 0
        let floor = self.floor
        let getByKey = try await BenchStats.paired(
            calls: calls, warmUp: warmUp,
            subject: { n in
                try await BenchStats.samples(n) {
                    a.clearCache()
                } body: {
                    i = (i + 1) % refs.count
                    _ = try await a.get(refs[i])
                }
            }, floor: [floor.selectsByKey, floor.echoes])
        _ = try await a.get(refs[0])
        let cachedGet = try await BenchStats.batchedLatency(batches: settings.batches, batch: 100) {
            _ = try await a.get(refs[0])
        }
        let model = try await a.model(BenchDatabase.table)
        // Before each find or count: an empty cache, but the table's description at hand.
        let coldButDescribed = {
            a.clearCache()
            _ = try await model.table.meta()
        }
        let find50 = try await BenchStats.paired(
            calls: calls, warmUp: warmUp,
            subject: { n in
                try await BenchStats.samples(n, setup: coldButDescribed) {
                    let found = try await model.find([:], limit: 50)
                    guard found.count == 50 else { throw BenchFailure("find returned \(found.count) objects, not 50") }
                }
            }, floor: [floor.selects50, floor.echoes])
        let count = try await BenchStats.paired(
            calls: calls, warmUp: warmUp,
            subject: { n in try await BenchStats.samples(n, setup: coldButDescribed) { _ = try await model.count() } },
            floor: [floor.counts, floor.echoes])
        let (invalidation, timeouts) = try await invalidations(a, b, ref: refs[41])
        return Figures(
            echo: echo, getByKey: getByKey.subject, getByKeyFloor: getByKey.floor, cachedGet: cachedGet,
            find50: find50.subject, find50Floor: find50.floor, count: count.subject, countFloor: count.floor,
            invalidation: invalidation, invalidationTimeouts: timeouts)
    }

    /// `a` updates a row that `b` holds; timed until `b`'s copy is marked obsolete (by the
    /// broadcast). A copy not invalidated within 2 s counts as 2 s and as a timeout.
    private func invalidations(_ a: BrokerClient, _ b: BrokerClient, ref: Ref) async throws -> (
        (p50: Double, p99: Double), Int
    ) {
        var current = try await a.get(ref)
        let clock = ContinuousClock()
        var samples: [Double] = []
        var timeouts = 0
        let rounds = settings.invalidations + settings.warmUp / 10
        for round in 0..<rounds {
            let held = try await b.get(ref)
            let start = clock.now
            current = try await a.update(current, ["note": .string("round \(round) \(transport)")])
            let deadline = start + .seconds(2)
            while !held.isObsolete {
                if clock.now > deadline {
                    timeouts += 1
                    break
                }
                await Task.yield()
            }
            if round >= settings.warmUp / 10 { samples.append(BenchStats.micros(clock.now - start)) }
        }
        return (BenchStats.percentiles(samples), timeouts)
    }
}
