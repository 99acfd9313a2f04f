import DaBrokerCore
import DaBrokerServer
import OrderedCollections
import Synchronization

/// A read-write table `album` (id, title) kept in memory, served by loader id `mem` the way
/// the SQL loader serves a table in readWrite mode: `_dab_search`, `_dab_count`, `new`,
/// `delete`, server-level `update` with StaleData, and `invalid_key` broadcasts. Test-only:
/// it lets the HTTP tests drive every table operation without a database.
public final class MemoryTableLoader: BrokerLoader {
    public let id = "mem"
    /// The table's info key (what `root.data["album"]` publishes).
    public static let tableKey = ObjectKey(["mem", "album"])
    /// The key of the table's meta info.
    public static let metaKey = ObjectKey(["mem", "_meta", "album"])
    private let rows = Mutex<(next: Int64, titles: [Int64: String])>((4, [1: "Red", 2: "Blue", 3: "Blue"]))

    /// The table's info object.
    public static let tableInfo = InfoValue(
        ref: Ref(key: tableKey),
        info: BrokeredInfo(
            name: "album", cached: true, fields: [Field("id"), Field("title")],
            calls: [Callable(Method.update), Callable(Method.delete)]),
        meta: Ref(key: metaKey))

    /// The table's meta info: the class-level calls.
    public static let metaInfo = InfoValue(
        ref: Ref(key: metaKey),
        info: BrokerClass.metaInfo(
            named: "_meta_album",
            calls: [
                Callable(Method.search, cached: true), Callable(Method.count, cached: true),
                Callable(Method.new, meta: true), Callable(Method.delete, meta: true),
            ]),
        meta: Ref(key: .metaRoot))

    /// The key of row `id`.
    public static func rowKey(_ id: Int64) -> ObjectKey { ObjectKey(["mem", "album", .int(id)]) }

    /// Row `id` as a client receives it.
    public static func object(_ id: Int64, _ title: String) -> ObjectValue {
        ObjectValue(
            ref: Ref(key: rowKey(id)), fields: ["id": .int(id), "title": .string(title)],
            refs: ["_meta": Ref(key: tableKey)])
    }

    private func rowID(_ key: ObjectKey) -> Int64? {
        guard key.parts.count == 3, key.parts[1] == "album", case .int(let id) = key.parts[2] else { return nil }
        return id
    }

    public init() {}

    public func load(_ key: ObjectKey, server: BrokerServer) async throws -> Value {
        if key == Self.tableKey { return .info(Self.tableInfo) }
        if key == Self.metaKey { return .info(Self.metaInfo) }
        guard let id = rowID(key), let title = rows.withLock({ $0.titles[id] }) else {
            throw BrokerError.noData("no album \(key)")
        }
        return .object(Self.object(id, title))
    }

    public func call(_ method: String, on key: ObjectKey, arguments: CallArguments, server: BrokerServer) async throws
        -> CallOutcome
    {
        if key == Self.tableKey {
            switch method {
            case Method.search, Method.count:
                var filters = arguments.named
                var limit = Int.max
                if case .int(let n)? = filters.removeValue(forKey: "_limit") { limit = Int(n) }
                let hits = rows.withLock { r in
                    r.titles.sorted { $0.key < $1.key }.filter { id, title in
                        filters.allSatisfy { name, value in
                            name == "id" ? value == .int(id) : name == "title" && value == .string(title)
                        }
                    }
                }
                if method == Method.count { return CallOutcome(.value(.int(Int64(hits.count)))) }
                return CallOutcome(
                    .list(hits.prefix(limit).map { .value(.object(Self.object($0.key, $0.value))) }), include: true)
            case Method.new:
                guard case .string(let title)? = arguments.named["title"] else {
                    throw BrokerError.badRequest("new on album: title (a string) is required")
                }
                let id = rows.withLock { r in
                    defer { r.next += 1 }
                    r.titles[r.next] = title
                    return r.next
                }
                await server.broadcastInvalidation(
                    key: nil, meta: Self.tableKey, changes: ["id": [.int(id)], "title": [.string(title)]])
                return CallOutcome(.value(.object(Self.object(id, title))), include: true)
            case Method.delete:
                guard case .ref(let ref) = arguments[0] else { throw BrokerError.badRequest("delete on album: a ref") }
                return try await delete(ref.key, server: server)
            default: break
            }
        } else if rowID(key) != nil, method == Method.delete {
            return try await delete(key, server: server)
        }
        throw BrokerError.unknownCommand("unknown method '\(method)' on \(key)")
    }

    private func delete(_ key: ObjectKey, server: BrokerServer) async throws -> CallOutcome {
        guard let id = rowID(key), let title = rows.withLock({ $0.titles.removeValue(forKey: id) }) else {
            throw BrokerError.noData("no album \(key)")
        }
        await server.broadcastInvalidation(
            key: key, meta: Self.tableKey, changes: ["id": [.int(id)], "title": [.string(title)]])
        return CallOutcome(.value(.null))
    }

    public func update(_ key: ObjectKey, changes: OrderedDictionary<String, [Value]>, server: BrokerServer) async throws
        -> Value
    {
        guard let id = rowID(key) else { throw BrokerError.readOnly("\(key) cannot be updated") }
        guard let pair = changes["title"], changes.count == 1 else {
            throw BrokerError.badRequest("album: only title can be updated")
        }
        guard case .string(let new) = pair[1] else { throw BrokerError.badRequest("album.title must be a string") }
        let old: String? = try rows.withLock { r in
            guard let current = r.titles[id] else { return nil }
            guard pair[0] == .string(current) else {
                throw BrokerError(.staleData, "album \(id): title changed meanwhile", details: ["field": "title"])
            }
            r.titles[id] = new
            return current
        }
        guard let old else { throw BrokerError.noData("no album \(key)") }
        await server.broadcastInvalidation(
            key: key, meta: Self.tableKey, changes: ["title": [.string(old), .string(new)]])
        return .object(Self.object(id, new))
    }

    public func backrefCount(_ key: ObjectKey, name: String, server: BrokerServer) async throws -> Int {
        throw BrokerError.noData("album has no backref '\(name)'")
    }

    public func backrefObject(_ key: ObjectKey, name: String, index: Int, server: BrokerServer) async throws -> Value {
        throw BrokerError.noData("album has no backref '\(name)'")
    }
}
