import DaBrokerCore
import DaBrokerHTTP
import DaBrokerServer
import Logging

/// A `BrokerServer` with static objects served over HTTP on a loopback ephemeral port:
/// a root (`version`, ref `status`), a status object (`health`) and a searchable class
/// `Nums` of 20 numbers (`n`, `square`), and the read-write table `album` of a
/// ``MemoryTableLoader`` (in `root.data`).
struct StaticBroker {
    let server: BrokerServer
    let http: HTTPServerTransport
    let status: StaticObject
    let port: Int

    init(token: String? = nil, extra: (any ServerTransport)? = nil) async throws {
        var logger = Logger(label: "http-e2e")
        logger.logLevel = .warning
        server = BrokerServer(configuration: .init(secret: "http-tests", maxFindLimit: 100, logger: logger))
        http = HTTPServerTransport(configuration: .init(port: 0, bearerToken: token), logger: logger)
        server.addTransport(http)
        if let extra { server.addTransport(extra) }

        let statusClass = BrokerClass("Status", fields: ["health"])
        status = StaticObject(class: statusClass, values: ["health": "OK"])
        try server.addStatic(statusClass, "status", "meta")
        try server.addStatic(status, "status", 0)

        let numClass = BrokerClass("Num", fields: ["n", "square"])
        let numbers = (1...20).map { i in
            StaticObject(class: numClass, values: ["n": .value(.int(Int64(i))), "square": .value(.int(Int64(i * i)))])
        }
        for (i, number) in numbers.enumerated() { try server.addStatic(number, "num", .int(Int64(i + 1))) }
        try server.addStatic(numClass, "num", "meta")
        let nums = BrokerClass.searchable(
            "Nums", fields: ["n", "square"],
            search: { limit, filters in
                var hits = numbers
                if case .int(let n)? = filters["n"] { hits = hits.filter { $0["n"].intValue == n } }
                return hits.prefix(limit ?? hits.count).map { .object($0) }
            },
            count: { filters in
                if case .int(let n)? = filters["n"] { return numbers.filter { $0["n"].intValue == n }.count }
                return numbers.count
            })
        try server.addStatic(nums, "nums")
        if let numsMeta = nums.meta { try server.addStatic(numsMeta, "nums", "meta") }

        try server.addLoader(MemoryTableLoader())
        let rootClass = BrokerClass("Root", fields: ["version", "data"], refs: ["status", "nums"])
        let root = StaticObject(
            class: rootClass,
            values: [
                "version": "1.0", "status": .object(status), "nums": .key(ObjectKey(["static", "nums"])),
                "data": .dict(["album": .key(MemoryTableLoader.tableKey)]),
            ])
        try server.addStatic(rootClass, "root", "meta")
        try server.addStatic(root, "root")
        server.root = root
        try await server.start()
        guard let port = http.port else { throw BrokerError.internal("no bound port") }
        self.port = port
    }

    func stop() async { await server.stop() }
}

extension BrokerValue {
    var intValue: Int64? {
        if case .value(.int(let i)) = self { return i }
        return nil
    }
}
