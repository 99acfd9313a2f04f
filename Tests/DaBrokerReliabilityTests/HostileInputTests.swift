import DaBrokerAMQP
import DaBrokerCore
import DaBrokerSQL
import DaBrokerServer
import DaBrokerTestSupport
import Foundation
import Testing

/// Issue 10, part 1: a seeded corpus of malformed and hostile requests. Every one gets an
/// error reply of a stable kind with a message (or, for injection strings used as filter
/// values, an empty result); the server never hangs, answers `ping` afterwards, and the
/// tables are byte-for-byte unchanged.
@Suite("Hostile input")
struct HostileInputTests {
    static let count = 10_000

    /// Builds the generator's targets from the running server.
    static func targets(_ s: RelServer) async throws -> HostileTargets {
        let codec = JSONCodec()
        func json(_ r: Ref) -> String { String(decoding: codec.encode(value: .ref(r)), as: UTF8.self) }
        let a1 = s.rowRef("rel_account", 1)
        let a2 = s.rowRef("rel_account", 2)
        let table = try await s.table("rel_account")
        let txnTable = try await s.table("rel_txn")
        return HostileTargets(
            account1: json(a1), account2: json(a2), accountTable: json(table),
            accountMeta: json(s.signed(s.loader.metaKey("rel_account"))), txnTable: json(txnTable),
            txn1: json(s.rowRef("rel_txn", 10)),
            account1Key: String(decoding: codec.encode(value: .list(a1.key.parts)), as: UTF8.self),
            account1Code: a1.code ?? "", account2Code: a2.code ?? "", hiddenColumn: "secret_pin",
            accountTableName: "rel_account")
    }

    /// Sends `count` cases through `send` (4 at a time), checking each reply and, every 500
    /// cases and at the end, that `ping` works and nothing changed.
    static func attack(
        count: Int, seed: UInt64, targets: HostileTargets, markers: [String], concurrency: Int = 4,
        skipLargerThan: Int = .max,
        send: @escaping @Sendable ([UInt8]) async throws -> [UInt8],
        checksum: @escaping @Sendable () async throws -> String
    ) async throws -> HostileRun {
        var corpus = HostileCorpus(seed: seed, targets: targets)
        var run = HostileRun()
        let markerBytes = markers.map { Array($0.utf8) }
        let before = try await checksum()
        let codec = JSONCodec()
        let ping = codec.encode(Request(method: "ping").message)
        var sent = 0
        while sent < count {
            var batch: [HostileCase] = []
            while batch.count < 500 && sent + batch.count < count {
                let c = corpus.next()
                if c.bytes.count <= skipLargerThan { batch.append(c) }
            }
            let replies = try await withThrowingTaskGroup(of: (Int, [UInt8]).self) { group in
                var out: [(Int, [UInt8])] = []
                var next = 0
                func add(_ i: Int) {
                    let bytes = batch[i].bytes
                    group.addTask {
                        (i, try await withDeadline(.seconds(20), "a hostile request") { try await send(bytes) })
                    }
                }
                while next < min(concurrency, batch.count) {
                    add(next)
                    next += 1
                }
                while let r = try await group.next() {
                    out.append(r)
                    if next < batch.count {
                        add(next)
                        next += 1
                    }
                }
                return out
            }
            for (i, bytes) in replies {
                let reply: Message
                do { reply = try codec.decode(bytes) } catch {
                    run.unexpected.append("reply does not decode: \(HostileRun.excerpt(bytes))")
                    continue
                }
                run.check(batch[i], reply: reply, markers: markerBytes, replyBytes: bytes)
            }
            sent += batch.count
            let pong = try codec.decode(try await withDeadline(.seconds(10), "ping") { try await send(ping) })
            #expect(pong.error == nil, "ping after \(sent) hostile requests: \(String(describing: pong.error))")
        }
        let after = try await checksum()
        #expect(before == after, "the tables changed during the hostile run")
        return run
    }

    static func report(_ label: String, _ run: HostileRun) {
        print("[reliability] hostile \(label): \(run)")
        print(
            "[reliability] hostile \(label) by category: "
                + run.byCategory.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        for u in run.unexpected.prefix(20) { print("[reliability]   unexpected: \(u)") }
        #expect(
            run.unexpected.isEmpty, "\(run.unexpected.count) unexpected replies, first: \(run.unexpected.first ?? "")")
    }

    @Test(
        "hostile requests through the in-process transport (10,000 on SQLite, 2,000 on PostgreSQL)",
        arguments: RelBackend.available.filter { $0 != .mariadb })
    func inProcess(_ backend: RelBackend) async throws {
        let name = "hostile_\(backend.rawValue)"
        let url = try await backend.createDatabase(name)
        let db = try await Database.open(url: url)
        var schema = AccountSchema()
        try await schema.create(on: db)
        let s = try await RelServer.start(db: db) { loader, root in try AccountSchema.export(loader, root: root) }
        let targets = try await Self.targets(s)
        let clock = ContinuousClock()
        let start = clock.now
        let count = backend == .sqlite ? Self.count : 2_000
        let run = try await Self.attack(
            count: count, seed: 0xDAB0_0010, targets: targets, markers: schema.markers,
            send: { try await s.client.call($0) },
            checksum: {
                try await s.checksum("rel_account", columns: AccountSchema.accountColumns, orderBy: "id")
                    + s.checksum("rel_txn", columns: AccountSchema.txnColumns, orderBy: "id")
            })
        Self.report("\(backend) in-process (\(clock.now - start))", run)
        #expect(run.tried == count)
        // Nothing hidden anywhere in the traffic either (broadcasts included).
        let outgoing = s.log.outgoing
        for m in schema.markers.map({ Array($0.utf8) }) {
            #expect(!outgoing.contains { contains($0, m) }, "hidden value \(String(decoding: m, as: UTF8.self)) leaked")
        }
        let normal = try await s.call("get", args: [.ref(s.rowRef("rel_account", 1))])
        if case .object(let o) = normal {
            #expect(o.fields["owner"] == "owner1")
        } else {
            Issue.record("get: \(normal)")
        }
        await s.stop()
        await db.close()
        await backend.dropDatabase(name)
    }

    @Test("1,000 hostile requests through AMQP", .enabled(if: TestServices.isAvailable(.amqp)))
    func throughAMQP() async throws {
        let name = "hostile_amqp"
        let url = try await RelBackend.sqlite.createDatabase(name)
        let db = try await Database.open(url: url)
        var schema = AccountSchema()
        try await schema.create(on: db)
        let c = try StackHelper.amqp(callTimeout: .seconds(20))
        let amqpServer = AMQPServerTransport(configuration: StackHelper.named(c, "server"))
        let s = try await RelServer.start(db: db, extraTransport: amqpServer) { loader, root in
            try AccountSchema.export(loader, root: root)
        }
        let client = AMQPClientTransport(configuration: StackHelper.named(c, "client"))
        try await client.connect()
        let targets = try await Self.targets(s)
        let clock = ContinuousClock()
        let start = clock.now
        let run = try await Self.attack(
            count: 1_000, seed: 0xDAB0_A000, targets: targets, markers: schema.markers, concurrency: 8,
            send: { try await client.call($0) },
            checksum: {
                try await s.checksum("rel_account", columns: AccountSchema.accountColumns, orderBy: "id")
                    + s.checksum("rel_txn", columns: AccountSchema.txnColumns, orderBy: "id")
            })
        Self.report("sqlite AMQP (\(clock.now - start))", run)
        #expect(run.tried == 1_000)
        await client.close()
        await s.stop()
        await db.close()
        await StackHelper.cleanUp(c)
        await RelBackend.sqlite.dropDatabase(name)
    }
}
