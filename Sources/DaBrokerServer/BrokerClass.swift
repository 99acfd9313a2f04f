import DaBrokerCore
import OrderedCollections

/// A class of served objects: its ``BrokeredInfo`` (what clients see) plus the closures
/// behind its calls.
///
/// A class is itself served as an info object: register it with
/// ``BrokerServer/addStatic(_:_:)`` (the manual's `add_static(rootInfo, "root", "meta")`).
/// Its own meta is the meta singleton unless it has a ``meta`` class, which is how a class
/// offers class-level calls such as `_dab_search` and `_dab_count` ("Searching" in the manual).
public final class BrokerClass: Sendable {
    /// What clients see. `calls` lists the instance calls of ``calls``.
    public let info: BrokeredInfo
    /// The instance calls, by name.
    public let calls: [String: ExportedCall]
    /// The class of this info object, listing class-level calls; `nil` for the meta singleton.
    public let meta: BrokerClass?

    /// Describes a class by hand (the manual's `BrokeredInfo` + `Field` / `Ref` / `Callable`).
    ///
    /// Each call in `calls` is added to `info.calls`.
    public init(info: BrokeredInfo, calls: [ExportedCall] = [], meta: BrokerClass? = nil) {
        var info = info
        for call in calls { info.add(call.callable) }
        self.info = info
        self.calls = Dictionary(calls.map { ($0.callable.name, $0) }, uniquingKeysWith: { _, new in new })
        self.meta = meta
    }

    /// Convenience: a class named `name` with the given plain fields, refs and calls.
    public convenience init(
        _ name: String, fields: [String] = [], refs: [String] = [], backrefs: [String] = [],
        calls: [ExportedCall] = [], cached: Value = .null, meta: BrokerClass? = nil
    ) {
        self.init(
            info: BrokeredInfo(
                name: name, cached: cached, fields: fields.map(Field.init), refs: refs.map(RefField.init),
                backrefs: backrefs.map(BackRef.init)),
            calls: calls, meta: meta)
    }

    /// A searchable class ("Searching" in the manual): `_dab_cached` is set and its meta
    /// class lists `_dab_search` and `_dab_count` (both cached), backed by the closures.
    ///
    /// `search` gets the `_limit` (already capped by the server's maximum) and the equality
    /// filters; it returns the objects found, which are sent whole. Register both the class
    /// and its ``meta`` with `addStatic`.
    public static func searchable(
        _ name: String, fields: [String] = [], refs: [String] = [], calls: [ExportedCall] = [],
        search:
            @escaping @Sendable (_ limit: Int?, _ filters: OrderedDictionary<String, Value>) async throws
            -> [BrokerValue],
        count: @escaping @Sendable (_ filters: OrderedDictionary<String, Value>) async throws -> Int
    ) -> BrokerClass {
        let searchCall = ExportedCall(Callable(Method.search, cached: true), include: true) { _, args in
            var filters = args.named
            let limit = filters.removeValue(forKey: "_limit")
            let n: Int?
            switch limit {
            case nil, .null?: n = nil
            case .int(let i)?: n = Int(i)
            default: throw BrokerError.badRequest("_dab_search on \(name): _limit must be an integer")
            }
            return .list(try await search(n, filters))
        }
        let countCall = ExportedCall(Callable(Method.count, cached: true)) { _, args in
            .int(try await count(args.named))
        }
        let metaClass = BrokerClass(info: BrokerClass.metaInfo(named: "meta_" + name), calls: [searchCall, countCall])
        return BrokerClass(
            info: BrokeredInfo(
                name: name, cached: .bool(true), fields: fields.map(Field.init), refs: refs.map(RefField.init)),
            calls: calls, meta: metaClass)
    }

    /// The info of an info object: its fields are those of every info (`name`, `_dab_cached`,
    /// `fields`, `refs`, `backrefs`, `calls`), as the original describes its metas.
    public static func metaInfo(named name: String, calls: [Callable] = []) -> BrokeredInfo {
        BrokeredInfo(
            name: name,
            fields: ["name", "_dab_cached", "fields", "refs", "backrefs", "calls"].map(Field.init),
            calls: calls)
    }
}
