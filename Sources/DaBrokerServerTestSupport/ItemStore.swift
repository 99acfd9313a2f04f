import DaBrokerCore
import DaBrokerServer
import OrderedCollections
import Synchronization

/// The manual example's searchable class `Item` (`id`, `name`) and its objects, ids 1…5,
/// with a count of the searches that reached it.
public final class ItemStore: Sendable {
    /// The key of the class's info object (as `root.data["Item"]` publishes it).
    public static let infoKey = ObjectKey(["static", "item", "info"])

    /// What the class's search closures share with the store: the items (set once the class
    /// exists) and the count of searches.
    private final class Shared: Sendable {
        let items = Mutex<[StaticObject]>([])
        let searches = Mutex(0)

        func search(_ filters: OrderedDictionary<String, Value>) -> [StaticObject] {
            searches.withLock { $0 += 1 }
            return items.withLock { $0 }.filter { ItemStore.matches($0, filters) }
        }
    }

    private let objects: [(Int64, StaticObject)]
    private let shared: Shared
    public let itemClass: BrokerClass

    public init() {
        let shared = Shared()
        self.shared = shared
        itemClass = BrokerClass.searchable(
            "Item", fields: ["id", "name"],
            search: { limit, filters in
                let found = shared.search(filters)
                return Array(found.prefix(limit ?? found.count)).map { .object($0) }
            },
            count: { filters in shared.search(filters).count })
        let itemClass = itemClass
        objects = (1...5).map { id in
            (Int64(id), StaticObject(class: itemClass, values: ["id": .int(id), "name": .string("item \(id)")]))
        }
        let made = objects.map(\.1)
        shared.items.withLock { $0 = made }
    }

    /// Every item with its id, in id order.
    public var all: [(Int64, StaticObject)] { objects }
    /// How many `_dab_search` / `_dab_count` calls reached the server.
    public var searchCount: Int { shared.searches.withLock { $0 } }

    /// The item `id`, if there is one.
    public func item(_ id: Int64) -> StaticObject? { objects.first { $0.0 == id }?.1 }

    /// Publishes the class, its meta and the items under `["static", "item", …]`.
    public func add(to server: BrokerServer) throws {
        try server.addStatic(itemClass, "item", "info")
        if let meta = itemClass.meta { try server.addStatic(meta, "item", "meta") }
        for (id, item) in objects { try server.addStatic(item, "item", .int(id)) }
    }

    fileprivate static func matches(_ item: StaticObject, _ filters: OrderedDictionary<String, Value>) -> Bool {
        filters.allSatisfy { name, value in
            if case .value(let v) = item.brokerValue(name) { return v == value }
            return false
        }
    }
}
