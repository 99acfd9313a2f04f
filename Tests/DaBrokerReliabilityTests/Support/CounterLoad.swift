import DaBrokerCore
import Foundation

/// Increments one counter row through the broker with old-value checks (`update` with
/// `k: {n: [old, old + 1]}`), reading the current value with `get` before each attempt, and
/// tallies how each attempt ended.
struct CounterLoad: Sendable {
    struct Tally: Sendable, CustomStringConvertible {
        var attempts = 0
        var successes = 0
        var stale = 0
        /// Attempts that failed otherwise (connection lost, server gone): their outcome is unknown
        /// to the client, so they may or may not have been applied.
        var failed = 0
        var failedKinds: [String: Int] = [:]
        var readFailures = 0
        var failureMessages: [String] = []
        /// When each success and each failure (read or write) happened, for recovery times.
        var successAt: [ContinuousClock.Instant] = []
        var failureAt: [ContinuousClock.Instant] = []

        mutating func add(_ o: Tally) {
            attempts += o.attempts
            successes += o.successes
            stale += o.stale
            failed += o.failed
            readFailures += o.readFailures
            for (k, v) in o.failedKinds { failedKinds[k, default: 0] += v }
            failureMessages += o.failureMessages.prefix(3)
            successAt += o.successAt
            failureAt += o.failureAt
        }

        /// For a disturbance at `event`: the time from it until the first success after the
        /// last failure that followed it within `window` (zero failures: until the first success).
        func recovery(after event: ContinuousClock.Instant, window: Duration) -> Duration? {
            let lastFailure = failureAt.filter { $0 >= event && $0 <= event + window }.max() ?? event
            return successAt.filter { $0 > lastFailure }.min().map { $0 - event }
        }

        var description: String {
            "attempts \(attempts), successes \(successes), StaleData \(stale), failed \(failed) "
                + "\(failedKinds.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }), read failures \(readFailures)"
        }
    }

    /// The counter row's ref and the counter column.
    let row: Ref
    let column: String
    /// Sends one encoded request and returns the encoded reply (throws when the transport fails).
    let send: @Sendable ([UInt8]) async throws -> [UInt8]

    /// The current value, or nil when the read failed.
    func read() async -> Int64? {
        let codec = JSONCodec()
        guard let bytes = try? await send(codec.encode(Request(method: "get", args: [.ref(row)]).message)),
            let reply = try? codec.decode(bytes), case .object(let o) = reply.data, case .int(let n)? = o.fields[column]
        else { return nil }
        return n
    }

    /// Makes `attempts` update attempts (or runs until `until` says stop), one at a time.
    func run(attempts: Int, until stop: (@Sendable () -> Bool)? = nil) async -> Tally {
        var t = Tally()
        let codec = JSONCodec()
        let clock = ContinuousClock()
        while t.attempts < attempts && !(stop?() ?? false) {
            guard let old = await read() else {
                t.readFailures += 1
                t.failureAt.append(clock.now)
                try? await Task.sleep(for: .milliseconds(20))
                continue
            }
            t.attempts += 1
            let request = Request(
                method: "update", args: [.ref(row)], named: ["k": .dict([column: .list([.int(old), .int(old + 1)])])])
            do {
                let reply = try codec.decode(try await send(codec.encode(request.message)))
                if let e = reply.error {
                    if e.kind == .staleData {
                        t.stale += 1
                    } else {
                        t.failed += 1
                        t.failedKinds[e.kind.rawValue, default: 0] += 1
                        if t.failureMessages.count < 3 { t.failureMessages.append(e.description) }
                        t.failureAt.append(clock.now)
                    }
                } else {
                    t.successes += 1
                    t.successAt.append(clock.now)
                }
            } catch {
                t.failed += 1
                let kind = (error as? BrokerError)?.kind.rawValue ?? "transport"
                t.failedKinds[kind, default: 0] += 1
                if t.failureMessages.count < 3 { t.failureMessages.append("\(error)") }
                t.failureAt.append(clock.now)
            }
        }
        return t
    }
}
