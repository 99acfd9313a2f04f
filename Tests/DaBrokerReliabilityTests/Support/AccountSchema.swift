import DaBrokerCore
import DaBrokerSQL
import DaBrokerServer

/// The small schema of the hostile-input and fault tests: `rel_account(id, owner, balance,
/// secret_pin)` with `secret_pin` hidden and exported readWrite, and `rel_txn(id, account_id →
/// rel_account, amount, memo)` with `memo` hidden and exported readOnly. Every hidden value is
/// a unique marker, so a leak is found by scanning bytes.
struct AccountSchema {
    static let accountColumns = ["id", "owner", "balance", "secret_pin"]
    static let txnColumns = ["id", "account_id", "amount", "memo"]

    /// The hidden values written (pins and memos).
    var markers: [String] = []

    /// Creates and fills the tables (`accounts` rows, three transactions per account).
    mutating func create(on db: Database, accounts: Int = 20, seed: UInt64 = 1) async throws {
        var rng = SeededRandom(seed: seed)
        let q = db.dialect.quote
        _ = try await db.execute(
            "CREATE TABLE \(q("rel_account")) (\(q("id")) INTEGER NOT NULL PRIMARY KEY, "
                + "\(q("owner")) VARCHAR(200) NOT NULL, \(q("balance")) INTEGER NOT NULL, \(q("secret_pin")) VARCHAR(100))"
        )
        _ = try await db.execute(
            "CREATE TABLE \(q("rel_txn")) (\(q("id")) INTEGER NOT NULL PRIMARY KEY, "
                + "\(q("account_id")) INTEGER NOT NULL, \(q("amount")) INTEGER NOT NULL, \(q("memo")) VARCHAR(200), "
                + "FOREIGN KEY (\(q("account_id"))) REFERENCES \(q("rel_account")) (\(q("id"))))")
        let p = db.dialect.placeholder
        for id in 1...accounts {
            let pin = rng.marker("PIN")
            markers.append(pin)
            _ = try await db.execute(
                "INSERT INTO \(q("rel_account")) VALUES (\(p(0)), \(p(1)), \(p(2)), \(p(3)))",
                [.int(Int64(id)), .string("owner\(id)"), .int(100), .string(pin)])
            for n in 0..<3 {
                let memo = rng.marker("MEMO")
                markers.append(memo)
                _ = try await db.execute(
                    "INSERT INTO \(q("rel_txn")) VALUES (\(p(0)), \(p(1)), \(p(2)), \(p(3)))",
                    [.int(Int64(id * 10 + n)), .int(Int64(id)), .int(Int64(n)), .string(memo)])
            }
        }
    }

    /// Exports both tables into the root's `data`.
    static func export(_ loader: SQLLoader, root: StaticObject) throws {
        try loader.addModel("rel_account", into: root, rw: .readWrite, hide: ["secret_pin"])
        try loader.addModel("rel_txn", into: root, rw: .readOnly, hide: ["memo"])
    }
}
