import DaBrokerCore

#if canImport(Glibc)
    import Glibc
#endif

extension DriverThread where State: WatchableDriver {
    /// Runs one statement: on a thread that polls descriptors for its jobs (an AMQP I/O thread
    /// running a request) and with this connection idle, it is sent from there and its answer
    /// awaited in that thread's `poll`, without waking this thread; otherwise it runs here.
    func execute(
        _ sql: String, _ parameters: [Value], _ what: String, hooks: StatementHooks = StatementHooks()
    ) async throws -> QueryResult {
        if let local = LocalJobs.current, local.pollsWatches, let core = borrow() {
            return try await withCheckedThrowingContinuation { continuation in
                send(sql, parameters, core: core, local: local, hooks: hooks, continuation)
            }
        }
        return try await run(what) { core in
            hooks.begin()
            return try hooks.end(Result { try core.execute(sql, parameters) }).get()
        }
    }

    /// Most rows of a result whose task carries on on the polling thread.
    static var rowsCarriedOnHere: Int { 1000 }

    /// How many statements were answered in another thread's `poll` (for tests).
    var watchedStatements: Int { watched.load(ordering: .relaxed) }

    /// Sends the statement with the borrowed `core` and has `local`'s thread wait for the
    /// answer; whatever cannot go that way (a statement not prepared yet here, a thread that
    /// stops polling, an invalidated plan) finishes on this thread.
    private func send(
        _ sql: String, _ parameters: [Value], core: State, local: LocalJobs, hooks: StatementHooks,
        _ continuation: CheckedContinuation<QueryResult, any Error>
    ) {
        /// Gives the state back; `result` ends the statement. The task carries on on this
        /// thread, unless the result is large: then on the global executor, so that turning
        /// many rows into a reply does not hold up the polling thread's other work.
        func finish(_ result: Result<QueryResult, any Error>) {
            giveBack()
            let outcome = hooks.end(result)
            if case .success(let r) = outcome, r.rows.count > Self.rowsCarriedOnHere {
                LocalJobs.onGlobalExecutor { continuation.resume(with: outcome) }
            } else {
                continuation.resume(with: outcome)
            }
        }
        /// Gives the state back to finish on this thread: reads the rest of the answer if the
        /// statement was sent, else runs it here.
        func finishOnThread(sent: Bool) {
            giveBack { core in
                let result = Result { () throws -> QueryResult in
                    if sent, case .done(let r) = try core.finishBlocking() { return r }
                    return try core.execute(sql, parameters)
                }
                continuation.resume(with: hooks.end(result))
            }
        }
        hooks.begin()
        let started: Bool
        do {
            // The task may have moved off the thread it checked (it should not).
            started = try LocalJobs.current === local && local.pollsWatches && core.start(sql, parameters)
        } catch {
            return finish(.failure(error))
        }
        guard started else { return finishOnThread(sent: false) }
        watched.add(1, ordering: .relaxed)
        // No socket to poll (the connection broke as it sent): the blocking read reports it.
        let socket = core.socket
        guard socket >= 0 else { return finishOnThread(sent: true) }
        local.watch(
            DescriptorWatch(descriptor: socket, events: core.awaitedEvents) { revents, abandoned in
                guard !abandoned else {
                    finishOnThread(sent: true)
                    return true
                }
                do {
                    switch try core.collect(polled: revents) {
                    case .waiting: return false
                    case .done(let result): finish(.success(result))
                    case .again: finishOnThread(sent: false)
                    case .finishOnThread: finishOnThread(sent: true)
                    }
                } catch {
                    finish(.failure(error))
                }
                return true
            })
    }
}

extension DriverThread where State: BriefDriver {
    /// Runs one statement: on a thread that must not wait long (an AMQP I/O thread running a
    /// request) and with this connection idle, a brief query runs there at once, without
    /// waking this thread; otherwise it runs here.
    func execute(_ sql: String, _ parameters: [Value], _ what: String) async throws -> QueryResult {
        if let local = LocalJobs.current, local.pollsWatches, let core = borrow() {
            let outcome = Result { try core.executeBriefly(sql, parameters) }
            giveBack()
            if let result = try outcome.get() {
                watched.add(1, ordering: .relaxed)
                return result
            }
        }
        return try await run(what) { try $0.execute(sql, parameters) }
    }

    /// How many statements ran briefly on another thread (for tests).
    var briefStatements: Int { watched.load(ordering: .relaxed) }
}
