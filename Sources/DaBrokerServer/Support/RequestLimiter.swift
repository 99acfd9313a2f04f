/// Bounds how many requests run at once and tracks those in flight, so that a draining
/// server can wait for them.
actor RequestLimiter {
    private let limit: Int
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []
    private var admitted = 0

    init(limit: Int) { self.limit = limit }

    /// Registers a request as in flight (before it waits for a slot).
    func enter() { admitted += 1 }

    /// Waits for a free slot.
    func acquire() async {
        if running < limit {
            running += 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// Frees the slot and ends the request.
    func release() {
        if waiting.isEmpty {
            running -= 1
        } else {
            waiting.removeFirst().resume()
        }
        admitted -= 1
        if admitted == 0 {
            let waiters = idleWaiters
            idleWaiters = []
            for w in waiters { w.resume() }
        }
    }

    /// The number of requests in flight.
    var inFlight: Int { admitted }

    /// Returns once no request is in flight.
    func waitIdle() async {
        if admitted == 0 { return }
        await withCheckedContinuation { idleWaiters.append($0) }
    }
}
