import DaBrokerCore
import Synchronization
import Testing

@testable import DaBrokerAMQP

/// RPC and broadcasts of the AMQP transports against the real RabbitMQ.
@Suite(.enabled(if: AMQPTest.enabled), .rabbit(.shared), .timeLimit(.minutes(2)))
struct AMQPTransportTests {
    @Test func echoCall() async throws {
        let c = try AMQPTest.configuration()
        let server = try await AMQPTest.echoServer(c, tag: "s:")
        let client = try await AMQPTest.client(c)
        let reply = try await client.call(AMQPTest.bytes("hello"))
        #expect(AMQPTest.text(reply) == "s:hello")
        let empty = try await client.call([])
        #expect(AMQPTest.text(empty) == "s:")
        await client.close()
        await server.stop()
        await AMQPTest.cleanUp(c)
    }

    /// Messages are written as whole frame sequences in one `sendmsg` (`AMQPFrames`): bodies
    /// around the frame size (131,072 bytes, less 8 a frame) and one of 6 MiB, more than the
    /// socket takes at once, come back whole both ways, and an ack follows each reply.
    @Test func bodiesAroundTheFrameSizeAndLargerOnesArriveWhole() async throws {
        let c = try AMQPTest.configuration()
        let server = try await AMQPTest.echoServer(c)
        let client = try await AMQPTest.client(c)
        for size in [131_063, 131_064, 131_065, 2 * 131_064 + 17, 6 * 1024 * 1024] {
            let body = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ size) }
            let reply = try await client.call(body)
            #expect(reply == body, "a body of \(size) bytes")
        }
        #expect(AMQPTest.text(try await client.call(AMQPTest.bytes("after"))) == "after")
        // A malformed frame or an ack of an unknown delivery tag would have made RabbitMQ
        // close the connection.
        #expect(server.reconnects == 0)
        await client.close()
        await server.stop()
        await AMQPTest.cleanUp(c)
    }

    @Test func twoHundredConcurrentCallsAreCorrelated() async throws {
        // What this test looks for is a reply given to the wrong call, not speed: at the start
        // of the parallel suite on 2 cores, 200 calls may wait longer than the usual 10 s.
        let c = try AMQPTest.configuration(timeout: .seconds(60))
        let server = try await AMQPTest.echoServer(c, delay: .milliseconds(5))
        let client = try await AMQPTest.client(c)
        let results = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for i in 0..<200 {
                group.addTask { (i, AMQPTest.text(try await client.call(AMQPTest.bytes("call \(i)")))) }
            }
            return try await group.reduce(into: [Int: String]()) { $0[$1.0] = $1.1 }
        }
        #expect(results.count == 200)
        for i in 0..<200 { #expect(results[i] == "call \(i)") }
        await client.close()
        await server.stop()
        await AMQPTest.cleanUp(c)
    }

    /// A request starts on the link's I/O thread; after suspending, it carries on on the
    /// thread that resumed it (`InPlaceExecutor`: here a timer's, so the pool), and meanwhile
    /// the link goes on serving other calls: two in flight at once both start there. A request
    /// larger than `largeRequest` starts on the pool.
    @Test func requestsStartOnTheServersIOThread() async throws {
        let c = try AMQPTest.configuration()
        let threads = Mutex<[UInt]>([])
        let after = Mutex<[UInt]>([])
        let started = Atomic<Int>(0)
        let server = AMQPServerTransport(configuration: AMQPTest.named(c, "server"))
        try await server.start(handler: { request in
            if AMQPTest.text(request).hasPrefix("pair") {
                threads.withLock { $0.append(AMQPLink.currentThreadID()) }
                started.add(1, ordering: .relaxed)
                // Both in flight at once, however the machine schedules them.
                _ = await AMQPTest.eventually(within: .seconds(30)) { started.load(ordering: .relaxed) >= 2 }
                return request
            }
            threads.withLock { $0.append(AMQPLink.currentThreadID()) }
            try? await Task.sleep(for: .milliseconds(20))
            after.withLock { $0.append(AMQPLink.currentThreadID()) }
            return request
        })
        let client = try await AMQPTest.client(c)
        for i in 0..<4 { #expect(AMQPTest.text(try await client.call(AMQPTest.bytes("\(i)"))) == "\(i)") }
        let io = try #require(server.ioThreadID)
        #expect(io != 0)
        #expect(threads.withLock { $0.count } == 4)
        #expect(threads.withLock { $0.allSatisfy { $0 == io } })
        #expect(after.withLock { $0.count } == 4)
        #expect(after.withLock { $0.allSatisfy { $0 != io } })
        threads.withLock { $0.removeAll() }
        let replies = try await withThrowingTaskGroup(of: String.self) { group in
            for name in ["pair-a", "pair-b"] {
                group.addTask { AMQPTest.text(try await client.call(AMQPTest.bytes(name))) }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(replies == ["pair-a", "pair-b"])
        let pair = threads.withLock { $0 }
        #expect(pair.count == 2 && pair.allSatisfy { $0 == io }, "threads \(pair), I/O thread \(io)")
        threads.withLock { $0.removeAll() }
        let large = "pair-large-" + String(repeating: "x", count: AMQPServerTransport.largeRequest)
        #expect(AMQPTest.text(try await client.call(AMQPTest.bytes(large))) == large)
        let alone = threads.withLock { $0 }
        #expect(alone.count == 1 && alone.allSatisfy { $0 != io }, "threads \(alone), I/O thread \(io)")
        await client.close()
        await server.stop()
        await AMQPTest.cleanUp(c)
    }

    /// A request published by a task, and a reply published by a request resumed off the I/O
    /// thread, leave from the thread that made them (the I/O thread waits in `poll`), not by
    /// waking the I/O thread; a message too large for that goes through the I/O thread, and
    /// every call is answered either way.
    @Test func tasksPublishDirectlyWhenTheIOThreadWaits() async throws {
        let c = try AMQPTest.configuration()
        let server = try await AMQPTest.echoServer(c, delay: .milliseconds(2))
        let client = try await AMQPTest.client(c)
        for i in 0..<20 { #expect(AMQPTest.text(try await client.call(AMQPTest.bytes("\(i)"))) == "\(i)") }
        #expect(client.directSends > 0)
        #expect(server.directSends > 0)
        let before = (client.directSends, server.directSends)
        let large = [UInt8](repeating: UInt8(ascii: "x"), count: AMQPLink.directLimit + 1)
        #expect(try await client.call(large) == large)
        #expect(client.directSends == before.0)
        #expect(server.directSends == before.1)
        await client.close()
        await server.stop()
        await AMQPTest.cleanUp(c)
    }

    @Test func twoServersOnOneQueueBothServe() async throws {
        var c = try AMQPTest.configuration()
        c.prefetch = 2
        let a = try await AMQPTest.echoServer(c, tag: "A", delay: .milliseconds(20))
        let b = try await AMQPTest.echoServer(c, tag: "B", delay: .milliseconds(20))
        let client = try await AMQPTest.client(c)
        let replies = try await withThrowingTaskGroup(of: String.self) { group in
            for i in 0..<40 { group.addTask { AMQPTest.text(try await client.call(AMQPTest.bytes("\(i)"))) } }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(replies.count == 40)
        #expect(replies.contains { $0.hasPrefix("A") })
        #expect(replies.contains { $0.hasPrefix("B") })
        await client.close()
        await a.stop()
        await b.stop()
        await AMQPTest.cleanUp(c)
    }

    @Test func stoppingOneOfTwoServersMidLoadLosesNoCall() async throws {
        // 200 calls through one server at the end, on a loaded machine beside the rest of the
        // suite: a generous call timeout, since a lost call is what this test looks for.
        var c = try AMQPTest.configuration(timeout: .seconds(60))
        c.prefetch = 4
        let a = try await AMQPTest.echoServer(c, tag: "A", delay: .milliseconds(20))
        let b = try await AMQPTest.echoServer(c, tag: "B", delay: .milliseconds(20))
        let client = try await AMQPTest.client(c)
        let answeredByA = Counter()
        let replies = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for i in 0..<200 {
                group.addTask {
                    let reply = AMQPTest.text(try await client.call(AMQPTest.bytes("\(i)")))
                    if reply.hasPrefix("A") { answeredByA.increment() }
                    return (i, reply)
                }
            }
            // Mid-load, whatever the machine's load: once A has answered a few calls. A finishes
            // what it started; what it had not started goes back to the queue.
            _ = await AMQPTest.eventually(within: .seconds(30)) { answeredByA.value >= 4 }
            await a.stop()
            return try await group.reduce(into: [Int: String]()) { $0[$1.0] = $1.1 }
        }
        #expect(replies.count == 200)
        for i in 0..<200 { #expect(replies[i] == "A\(i)" || replies[i] == "B\(i)") }
        #expect(replies.values.contains { $0.hasPrefix("A") } && replies.values.contains { $0.hasPrefix("B") })
        await client.close()
        await b.stop()
        await AMQPTest.cleanUp(c)
    }

    @Test func broadcastReachesTwoClients() async throws {
        let c = try AMQPTest.configuration()
        let server = try await AMQPTest.echoServer(c)
        let one = try await AMQPTest.client(c, "one")
        let two = try await AMQPTest.client(c, "two")
        try await server.broadcast(AMQPTest.bytes("first"), msgid: 1)
        try await server.broadcast(AMQPTest.bytes("second"), msgid: 2)
        for client in [one, two] {
            var got: [String] = []
            for await event in client.events {
                if case .broadcast(let b) = event { got.append(AMQPTest.text(b)) }
                if got.count == 2 { break }
            }
            #expect(got == ["first", "second"])
        }
        await one.close()
        await two.close()
        await server.stop()
        await AMQPTest.cleanUp(c)
    }

    @Test func callWithoutServerFailsUnavailableAfterTheTimeout() async throws {
        let c = try AMQPTest.configuration(timeout: .milliseconds(800))
        // The queue must exist, or RabbitMQ drops the request silently; declare it like a server would.
        let server = try await AMQPTest.echoServer(c)
        await server.stop()
        let client = try await AMQPTest.client(c)
        let start = ContinuousClock.now
        await #expect {
            _ = try await client.call(AMQPTest.bytes("anyone?"))
        } throws: { error in
            (error as? BrokerError)?.kind == .unavailable
        }
        let elapsed = ContinuousClock.now - start
        #expect(elapsed >= .milliseconds(750) && elapsed < .seconds(8))  // the timeout, then at once
        await client.close()
        await AMQPTest.cleanUp(c)
    }

    @Test func lateReplyIsDroppedAndLaterCallsWork() async throws {
        let c = try AMQPTest.configuration(timeout: .milliseconds(300))
        // The slow reply is sent only once the client has given up, however late its timer
        // fires on a loaded machine: the order is what this test is about, not the timing.
        let gaveUp = Atomic<Bool>(false)
        let lateReplySent = Atomic<Bool>(false)
        let slowServer = AMQPServerTransport(configuration: AMQPTest.named(c, "server"))
        try await slowServer.start(handler: { request in
            if request == AMQPTest.bytes("slow") {
                _ = await AMQPTest.eventually(within: .seconds(60)) { gaveUp.load(ordering: .relaxed) }
                lateReplySent.store(true, ordering: .relaxed)
            }
            return request
        })
        let client = try await AMQPTest.client(c)
        await #expect(throws: BrokerError.self) { _ = try await client.call(AMQPTest.bytes("slow")) }
        gaveUp.store(true, ordering: .relaxed)
        #expect(await AMQPTest.eventually(within: .seconds(30)) { lateReplySent.load(ordering: .relaxed) })
        try await Task.sleep(for: .milliseconds(200))  // the late reply arrives and is dropped
        #expect(client.pendingCalls == 0)
        #expect(try await client.call(AMQPTest.bytes("fast")) == AMQPTest.bytes("fast"))
        await client.close()
        await slowServer.stop()
        await AMQPTest.cleanUp(c)
    }

    @Test func purgeDropsRequestsLeftInTheQueue() async throws {
        let c = try AMQPTest.configuration(timeout: .milliseconds(300))
        let first = try await AMQPTest.echoServer(c)
        await first.stop()
        let client = try await AMQPTest.client(c)
        for _ in 0..<3 { _ = try? await client.call(AMQPTest.bytes("stale")) }
        let handled = Atomic<Int>(0)
        let server = AMQPServerTransport(configuration: AMQPTest.named(c, "server"))
        try await server.start(
            handler: { request in
                handled.add(1, ordering: .relaxed)
                return request
            }, purge: true)
        try await Task.sleep(for: .milliseconds(300))
        #expect(handled.load(ordering: .relaxed) == 0)
        var patient = c
        patient.callTimeout = .seconds(10)
        let second = try await AMQPTest.client(patient, "second")
        #expect(try await second.call(AMQPTest.bytes("fresh")) == AMQPTest.bytes("fresh"))
        #expect(handled.load(ordering: .relaxed) == 1)
        await client.close()
        await second.close()
        await server.stop()
        await AMQPTest.cleanUp(c)
    }

    /// With a 1 s heartbeat RabbitMQ closes a connection that stays silent for ~2 s: the I/O
    /// threads must send heartbeats while idle.
    @Test func heartbeatsKeepIdleConnectionsOpen() async throws {
        var c = try AMQPTest.configuration()
        c.heartbeat = 1
        let server = try await AMQPTest.echoServer(c)
        let client = try await AMQPTest.client(c)
        let resynchronized = Atomic<Bool>(false)
        let watcher = Task {
            for await event in client.events {
                if case .resynchronize = event { resynchronized.store(true, ordering: .relaxed) }
            }
        }
        #expect(try await client.call(AMQPTest.bytes("a")) == AMQPTest.bytes("a"))
        try await Task.sleep(for: .seconds(4))
        #expect(try await client.call(AMQPTest.bytes("b")) == AMQPTest.bytes("b"))
        let resynced = resynchronized.load(ordering: .relaxed)
        #expect(!resynced)
        await client.close()
        watcher.cancel()
        await server.stop()
        await AMQPTest.cleanUp(c)
    }

    @Test func unreachableBrokerFailsToConnect() async throws {
        var c = try AMQPTest.configuration()
        c.port = 1  // nothing listens there
        let client = AMQPClientTransport(configuration: c)
        await #expect {
            try await client.connect()
        } throws: { error in
            (error as? BrokerError)?.kind == .unavailable
        }
        let server = AMQPServerTransport(configuration: c)
        await #expect(throws: BrokerError.self) { try await server.start(handler: { $0 }) }
    }
}

/// A count shared by concurrent tasks.
private final class Counter: Sendable {
    private let count = Atomic<Int>(0)
    func increment() { count.add(1, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}
