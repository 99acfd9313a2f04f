import DaBrokerCore
import DaBrokerTestSupport
import Synchronization
import Testing

@testable import DaBrokerAMQP

/// Issue 14, "a request to a queue with no consumer fails fast", against the real RabbitMQ:
/// the client's consumer check (``AMQPConfiguration/noConsumerCheckAfter``) fails the calls
/// waiting on a declared queue that no server consumes, and only those.
@Suite(.enabled(if: AMQPTest.enabled), .rabbit(.shared), .timeLimit(.minutes(2)))
struct AMQPNoConsumerTests {
    /// Declares the test's request queue as a server would, with no consumer.
    private static func declareWithoutConsumer(_ c: AMQPConfiguration) async throws {
        _ = try await TestStack.onThread {
            let session = try AMQPSession(configuration: AMQPTest.named(c, "declare"))
            _ = try session.declareQueue(c.queue, durable: false, exclusive: false, autoDelete: false)
        }
    }

    @Test func callToAQueueWithoutConsumerFailsWellBeforeTheTimeout() async throws {
        let c = try AMQPTest.configuration(timeout: .seconds(30))
        #expect(c.noConsumerCheckAfter == .seconds(1))  // the default
        try await Self.declareWithoutConsumer(c)
        let client = try await AMQPTest.client(c)
        let clock = ContinuousClock()
        let start = clock.now
        let error = await #expect(throws: BrokerError.self) { try await client.call(AMQPTest.bytes("anyone?")) }
        let elapsed = clock.now - start
        #expect(error?.kind == .unavailable)
        #expect(error?.message.contains("no server consumes queue '\(c.queue)'") == true)
        // About 1 s (the check period); well under the 30 s timeout even when the parallel
        // suite delays the check's timer.
        #expect(elapsed >= .milliseconds(900) && elapsed < .seconds(10), "failed after \(elapsed)")
        print("[security] AMQP call to a queue without consumer failed after \(elapsed) (call timeout 30 s)")

        // Many waiting calls: all fail fast (one check serves them all).
        let many = clock.now
        let kinds = await withTaskGroup(of: BrokerError.Kind?.self) { group in
            for i in 0..<50 {
                group.addTask {
                    do {
                        _ = try await client.call(AMQPTest.bytes("\(i)"))
                        return nil
                    } catch {
                        return (error as? BrokerError)?.kind
                    }
                }
            }
            return await group.reduce(into: [BrokerError.Kind?]()) { $0.append($1) }
        }
        let manyElapsed = clock.now - many
        #expect(kinds.count == 50 && kinds.allSatisfy { $0 == .unavailable })
        #expect(manyElapsed < .seconds(10), "50 calls failed after \(manyElapsed)")
        // One passive declare per period, not one per call: 1 for the first call, then
        // 1 (or 2 with unlucky timing) for the 50.
        #expect(client.consumerChecks <= 3, "\(client.consumerChecks) checks")
        print("[security] 50 concurrent AMQP calls to a queue without consumer all failed after \(manyElapsed)")

        // A server starts: it gets the stale requests (its business) and the new call works.
        let server = try await AMQPTest.echoServer(c, tag: "s:", purge: true)
        #expect(AMQPTest.text(try await client.call(AMQPTest.bytes("again"))) == "s:again")
        await client.close()
        await server.stop()
        await AMQPTest.cleanUp(c)
    }

    @Test func slowButPresentConsumerStillAnswers() async throws {
        let c = try AMQPTest.configuration(timeout: .seconds(30))
        // The server answers only once the client has checked for a consumer (about 1 s in),
        // however late the check's timer fires on a loaded machine.
        let checked = Atomic<Bool>(false)
        let server = AMQPServerTransport(configuration: AMQPTest.named(c, "serverslow:"))
        try await server.start(handler: { request in
            _ = await AMQPTest.eventually(within: .seconds(25)) { checked.load(ordering: .relaxed) }
            return AMQPTest.bytes("slow:") + request
        })
        let client = try await AMQPTest.client(c)
        let watcher = Task {
            _ = await AMQPTest.eventually(within: .seconds(25)) { client.consumerChecks >= 1 }
            checked.store(true, ordering: .relaxed)
        }
        let clock = ContinuousClock()
        let start = clock.now
        // Several at once: one check per period serves them all.
        let replies = try await withThrowingTaskGroup(of: String.self) { group in
            for i in 0..<5 { group.addTask { AMQPTest.text(try await client.call(AMQPTest.bytes("\(i)"))) } }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        let elapsed = clock.now - start
        await watcher.value
        #expect(replies == Set((0..<5).map { "slow:\($0)" }))
        // The check ran and found the consumer: no call failed, and there was about one check
        // per period for the five calls, not one per call.
        let periods = Int((elapsed / .seconds(1)).rounded(.up))
        #expect(client.consumerChecks >= 1 && client.consumerChecks <= periods, "\(client.consumerChecks) checks")
        await client.close()
        await server.stop()
        await AMQPTest.cleanUp(c)
    }

    @Test func queueDeletedWhileCallsWaitFailsAndTheConnectionStays() async throws {
        let c = try AMQPTest.configuration(timeout: .seconds(30))
        try await Self.declareWithoutConsumer(c)
        let client = try await AMQPTest.client(c)
        let resynchronized = Atomic<Int>(0)
        let watcher = Task {
            for await event in client.events {
                if case .resynchronize = event { resynchronized.add(1, ordering: .relaxed) }
            }
        }
        let clock = ContinuousClock()
        let start = clock.now
        let waiting = Task { try await client.call(AMQPTest.bytes("lost")) }
        try await Task.sleep(for: .milliseconds(300))
        // The request sits in the queue; deleting the queue drops it. The check's passive
        // declare then finds no queue (RabbitMQ closes the inspection channel).
        await AMQPTest.cleanUp(c)
        let error = await #expect(throws: BrokerError.self) { _ = try await waiting.value }
        #expect(error?.kind == .unavailable)
        #expect(error?.message.contains("no queue '\(c.queue)'") == true)
        #expect(clock.now - start < .seconds(15))  // well before the 30 s timeout, even on a loaded machine
        // The connection survived, and the inspection channel opens again: a slow call makes a
        // check run that finds the consumer.
        let server = try await AMQPTest.echoServer(c, tag: "s:", delay: .milliseconds(1500))
        #expect(AMQPTest.text(try await client.call(AMQPTest.bytes("again"))) == "s:again")
        #expect(resynchronized.load(ordering: .relaxed) == 0)
        await client.close()
        watcher.cancel()
        await server.stop()
        await AMQPTest.cleanUp(c)
    }

    @Test func withTheCheckOffTheCallWaitsItsTimeout() async throws {
        var c = try AMQPTest.configuration(timeout: .seconds(30))
        c.noConsumerCheckAfter = nil
        try await Self.declareWithoutConsumer(c)
        let clock = ManualClock()
        let client = try await AMQPTest.client(c, clock: clock)
        let call = Task { try await client.call(AMQPTest.bytes("anyone?")) }
        #expect(await AMQPTest.eventually { client.pendingCalls == 1 && clock.sleepers == 1 })
        clock.advance(by: .seconds(29))
        #expect(await AMQPTest.eventually { clock.sleepers == 1 })
        #expect(client.pendingCalls == 1, "still waiting a second before the timeout")
        clock.advance(by: .seconds(1))
        let error = await #expect(throws: BrokerError.self) { _ = try await call.value }
        #expect(error?.message.contains("no server answered within") == true)
        #expect(client.consumerChecks == 0)
        await client.close()
        await AMQPTest.cleanUp(c)
    }

    @Test func theConsumerCheckRunsWhenItsPeriodPassesOnTheClock() async throws {
        let c = try AMQPTest.configuration(timeout: .seconds(30))  // checks after 1 s, the default
        try await Self.declareWithoutConsumer(c)
        let clock = ManualClock()
        let client = try await AMQPTest.client(c, clock: clock)
        let call = Task { try await client.call(AMQPTest.bytes("anyone?")) }
        #expect(await AMQPTest.eventually { client.pendingCalls == 1 && clock.sleepers == 1 })
        clock.advance(by: .milliseconds(999))
        #expect(await AMQPTest.eventually { clock.sleepers == 1 })
        #expect(client.consumerChecks == 0 && client.pendingCalls == 1, "no check before the period")
        clock.advance(by: .milliseconds(1))
        let error = await #expect(throws: BrokerError.self) { _ = try await call.value }
        #expect(error?.message.contains("no server consumes queue '\(c.queue)'") == true)
        #expect(client.consumerChecks == 1)
        await client.close()
        await AMQPTest.cleanUp(c)
    }

    @Test func inspectionReportsConsumersAndSurvivesAMissingQueue() async throws {
        let c = try AMQPTest.configuration()
        try await Self.declareWithoutConsumer(c)
        let (missing, before, after) = try await TestStack.onThread {
            () throws -> (AMQPSession.QueueStatus, AMQPSession.QueueStatus, AMQPSession.QueueStatus) in
            let session = try AMQPSession(configuration: AMQPTest.named(c, "inspect"))
            try session.openInspectionChannel()
            let missing = try session.inspectQueue(c.queue + "_missing")
            try session.openInspectionChannel()
            let before = try session.inspectQueue(c.queue)
            // Channel 1 is untouched by the inspection channel's close.
            _ = try session.consume(c.queue, noAck: true)
            let after = try session.inspectQueue(c.queue)
            return (missing, before, after)
        }
        guard case .refused(let code, _) = missing else {
            Issue.record("a missing queue was not refused: \(missing)")
            return
        }
        #expect(code == 404)
        #expect(before == .exists(consumers: 0, messages: 0))
        #expect(after == .exists(consumers: 1, messages: 0))
        await AMQPTest.cleanUp(c)
    }
}
