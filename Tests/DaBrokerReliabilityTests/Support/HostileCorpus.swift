import DaBrokerCore
import Foundation

/// One hostile request: the bytes sent, what kind of attack it is, and what the server may answer.
struct HostileCase: Sendable {
    enum Expect: Sendable, Equatable {
        /// An error reply, of one of these kinds (any stable kind when empty).
        case error(Set<BrokerError.Kind>)
        /// A request that may legitimately succeed without effect (an injection string used as a
        /// filter value finds nothing; extra arguments the server ignores); it must still change
        /// nothing and leak nothing.
        case harmlessRead
    }
    let category: String
    let bytes: [UInt8]
    let expect: Expect
}

/// What the generator needs to know about the server under attack: signed refs it was given,
/// and the names of the hidden column and tables.
struct HostileTargets: Sendable {
    /// The JSON of a signed ref to account 1, account 2, the account table info and its meta,
    /// the read-only transaction table and one of its rows.
    let account1, account2, accountTable, accountMeta, txnTable, txn1: String
    /// Key JSON (a LIST) and code of account 1, to forge variants.
    let account1Key: String
    let account1Code: String
    let account2Code: String
    let hiddenColumn: String
    let accountTableName: String
}

/// A seeded generator of malformed and hostile requests (see ``HostileCase``).
struct HostileCorpus {
    var rng: SeededRandom
    let t: HostileTargets

    init(seed: UInt64, targets: HostileTargets) {
        rng = SeededRandom(seed: seed)
        t = targets
    }

    static let categories = [
        "unknown-method", "wrong-arity", "wrong-types", "forged-code", "cross-object", "hidden-probe",
        "sql-injection-name", "sql-injection-value", "o-escape", "oversized", "deep-nesting", "cycle",
        "malformed-json", "read-only-table", "mt-tricks",
    ]

    mutating func next() -> HostileCase {
        let category = rng.pick(Self.categories)
        let (json, expect) = make(category)
        return HostileCase(category: category, bytes: Array(json.utf8), expect: expect)
    }

    // MARK: building blocks

    static func str(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
    static func list(_ items: [String]) -> String { "{\"_o\":\"LIST\",\"_d\":[\(items.joined(separator: ","))]}" }
    static func ref(_ key: String, _ code: String?) -> String {
        "{\"_o\":\"Ref\",\"k\":\(key)" + (code.map { ",\"c\":\(str($0))" } ?? "") + "}"
    }
    static func request(_ method: String, target: String? = nil, args: [String]? = nil, extra: String = "") -> String {
        var parts = ["\"_m\":\(str(method))"]
        if let target { parts.append("\"_o_\":\(target)") }
        if let args { parts.append("\"_a\":\(list(args))") }
        if !extra.isEmpty { parts.append(extra) }
        return "{\"data\":{\(parts.joined(separator: ","))}}"
    }

    static let any: HostileCase.Expect = .error([])
    static func only(_ k: BrokerError.Kind...) -> HostileCase.Expect { .error(Set(k)) }

    mutating func randomCode() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        return String((0..<12).map { _ in rng.pick(alphabet) })
    }

    mutating func junkString() -> String {
        rng.pick([
            "", " ", "\u{0}", "'", "\"", "\\", "%", "_", "*", "../../etc/passwd", "\u{202E}evil", "😀", "NULL",
            "null", "undefined", "__proto__", "constructor", String(repeating: "A", count: rng.int(1...5000)),
        ])
    }

    static let injections = [
        "' OR '1'='1", "'; DROP TABLE rel_account; --", "\" OR \"\"=\"", "1; DELETE FROM rel_account",
        "1 OR 1=1", "') OR ('1'='1", "x'; UPDATE rel_account SET balance=0; --", "%' --", "\\'; SELECT 1; --",
        "1 UNION SELECT secret_pin FROM rel_account", "$1", "?", ":name", "`", "]]; --",
    ]

    // MARK: categories

    typealias Case = (String, HostileCase.Expect)

    mutating func pickCase(_ options: [Case]) -> Case { rng.pick(options) }

    mutating func make(_ category: String) -> (String, HostileCase.Expect) {
        let junk = junkString()
        let code = randomCode()
        switch category {
        case "unknown-method":
            let m = rng.pick(
                [
                    "__init__", "drop", "exec", "eval", "_dab_search", "_dab_count", "new", "delete", "objUpdate",
                    "GET",
                    "Get", "get ", "root\u{0}", "", "system", "../root", "_meta", "_m", "__class__", "pickle",
                ] + [junk])
            let target = rng.bool() ? nil : rng.pick([t.account1, t.accountTable, t.accountMeta, t.txn1])
            if target == nil && ["_dab_search", "_dab_count", "new", "delete"].contains(m) {
                return (Self.request(m), Self.any)
            }
            if ["delete", "new", "_dab_search", "_dab_count"].contains(m) {
                // Known names on a target that does not offer them.
                return (Self.request(m, target: t.txn1), Self.any)
            }
            return (Self.request(m, target: target, args: []), Self.only(.unknownCommand, .badRequest))
        case "wrong-arity":
            return pickCase([
                (Self.request("get", args: []), Self.only(.badRequest)),
                (Self.request("get", args: [t.account1, t.account2]), .harmlessRead),  // lenient: first
                (Self.request("echo", args: []), .harmlessRead),  // lenient: null
                (Self.request("echo", args: ["1", "2"]), .harmlessRead),  // lenient: first
                (Self.request("backref_len", args: [t.account1]), Self.only(.badRequest)),
                (Self.request("backref_idx", args: [t.account1, "\"x\""]), Self.any),
                (Self.request("update", args: []), Self.only(.badRequest)),
                (Self.request("update", args: [t.account1]), Self.any),
                (Self.request("root", args: ["1"]), .harmlessRead),  // lenient: ignored
                (Self.request("ping", args: ["1", "2", "3"]), .harmlessRead),  // lenient
                (Self.request("get", args: [t.account1], extra: "\"extra\":1"), .harmlessRead),  // lenient
            ])
        case "wrong-types":
            let bad = rng.pick([
                "1", "\"s\"", "null", "true", "1.5", "{}", Self.list([]), "{\"_o\":\"Dec\",\"s\":\"1\"}",
            ])
            return pickCase([
                ("{\"data\":{\"_m\":\(bad)}}", Self.only(.badRequest, .unknownCommand)),
                ("{\"data\":{\"_m\":\"get\",\"_a\":\(bad)}}", Self.only(.badRequest)),
                ("{\"data\":{\"_m\":\"get\",\"_o_\":\(bad)}}", Self.only(.badRequest)),
                (Self.request("get", args: [bad]), Self.only(.badRequest)),
                (
                    Self.request("_dab_search", target: t.accountTable, extra: "\"_limit\":\(bad)"),
                    .harmlessRead  // `1` and `null` are valid limits
                ),
                (
                    Self.request("_dab_search", target: t.accountTable, extra: "\"_limit\":-\(rng.int(1...1000))"),
                    .harmlessRead  // lenient without _mt (answered, capped); with _mt it is BadRequest, see LimitsTests
                ),
                (Self.request("new", target: t.accountTable, extra: "\"_mt\":\(bad)"), Self.any),
                (Self.request("backref_idx", args: [t.account1, "\"rel_txn\"", "-\(rng.int(1...99))"]), Self.any),
                (Self.request("backref_idx", args: [t.account1, "\"rel_txn\"", "9223372036854775807"]), Self.any),
                (Self.request("backref_len", args: [t.account1, bad]), Self.any),
                (Self.request("update", args: [t.account1], extra: "\"k\":\(bad)"), .harmlessRead),
                (Self.request("update", args: [t.account1], extra: "\"k\":{\"balance\":\(bad)}"), Self.any),
                ("{\"data\":\(bad)}", Self.only(.badRequest)),
            ])
        case "forged-code":
            let verb = rng.pick(["get", "update", "delete", "search", "backref"])
            let forgedCode: String? = rng.pick([
                nil, "", code, String(t.account1Code.dropLast()), t.account1Code + "A",
                t.account1Code.lowercased(), t.account1Code.uppercased(),
            ])
            let id = rng.pick(["1", "2", "99999", "-1", "\"1\"", "1.0", "null"])
            let forged = Self.ref("{\"_o\":\"LIST\",\"_d\":[\"sql\",\"\(t.accountTableName)\",\(id)]}", forgedCode)
            let forgedTable = Self.ref("{\"_o\":\"LIST\",\"_d\":[\"sql\",\"\(t.accountTableName)\"]}", forgedCode)
            switch verb {
            case "get": return (Self.request("get", args: [forged]), Self.only(.accessDenied, .badRequest))
            case "update":
                return (
                    Self.request("update", args: [forged], extra: "\"k\":{\"balance\":\(Self.list(["100", "0"]))}"),
                    Self.only(.accessDenied, .badRequest)
                )
            case "delete":
                return (Self.request("delete", target: forged, args: []), Self.only(.accessDenied, .badRequest))
            case "search":
                return (
                    Self.request("_dab_search", target: forgedTable, extra: "\"_mt\":true"),
                    Self.only(.accessDenied, .badRequest)
                )
            default:
                return (
                    Self.request("backref_len", args: [forged, "\"rel_txn\""]), Self.only(.accessDenied, .badRequest)
                )
            }
        case "cross-object":
            // A real code, but for another object.
            let k2 = t.account1Key.replacingOccurrences(of: ",1]", with: ",2]")
            return pickCase([
                (Self.request("get", args: [Self.ref(k2, t.account1Code)]), Self.only(.accessDenied)),
                (Self.request("get", args: [Self.ref(t.account1Key, t.account2Code)]), Self.only(.accessDenied)),
                (
                    Self.request(
                        "update", args: [Self.ref(k2, t.account1Code)],
                        extra: "\"k\":{\"balance\":\(Self.list(["0", "1"]))}"), Self.only(.accessDenied)
                ),
                (Self.request("delete", target: Self.ref(k2, t.account1Code), args: []), Self.only(.accessDenied)),
                (
                    Self.request(
                        "_dab_search",
                        target: Self.ref(
                            "{\"_o\":\"LIST\",\"_d\":[\"sql\",\"\(t.accountTableName)\"]}", t.account1Code),
                        extra: "\"_mt\":true"),
                    Self.only(.accessDenied)
                ),
                (
                    Self.request(
                        "get",
                        args: [
                            Self.ref(
                                "{\"_o\":\"LIST\",\"_d\":[\"sql\",\"_meta\",\"\(t.accountTableName)\"]}",
                                t.account1Code)
                        ]), Self.only(.accessDenied)
                ),
                (
                    Self.request(
                        "get", args: [Self.ref("{\"_o\":\"LIST\",\"_d\":[\"static\",\"root\"]}", t.account1Code)]),
                    Self.only(.accessDenied)
                ),
            ])
        case "hidden-probe":
            let h = rng.pick([
                t.hiddenColumn, t.hiddenColumn.uppercased(), " \(t.hiddenColumn)", "\(t.hiddenColumn)--",
                "rel_account.\(t.hiddenColumn)", "\"\(t.hiddenColumn)\"",
            ])
            let v = Self.str(rng.pick(["1234", "0000", "' OR '1'='1", junk]))
            return pickCase([
                (
                    Self.request("_dab_search", target: t.accountTable, extra: "\(Self.str(h)):\(v),\"_mt\":true"),
                    Self.only(.badRequest)
                ),
                (
                    Self.request("_dab_count", target: t.accountTable, extra: "\(Self.str(h)):\(v),\"_mt\":true"),
                    Self.only(.badRequest)
                ),
                (
                    Self.request(
                        "update", args: [t.account1], extra: "\"k\":{\(Self.str(h)):\(Self.list([v, "\"9999\""]))}"),
                    Self.only(.badRequest)
                ),
                (
                    Self.request(
                        "update", target: t.account1, args: [], extra: "\(Self.str(h)):\(Self.list([v, "\"9999\""]))"),
                    Self.only(.badRequest)
                ),
                (
                    Self.request(
                        "new", target: t.accountTable,
                        extra:
                            "\"_mt\":true,\"id\":\(rng.int(1000...9999)),\"owner\":\"x\",\"balance\":1,\(Self.str(h)):\(v)"
                    ),
                    Self.only(.badRequest)
                ),
            ])
        case "sql-injection-name":
            let name = rng.pick(
                Self.injections + ["owner; DROP TABLE rel_account", "owner\" OR \"1\"=\"1", "1=1 --", "owner--", "*"])
            return pickCase([
                (
                    Self.request("_dab_search", target: t.accountTable, extra: "\(Self.str(name)):1,\"_mt\":true"),
                    Self.only(.badRequest)
                ),
                (
                    Self.request("_dab_count", target: t.accountTable, extra: "\(Self.str(name)):1,\"_mt\":true"),
                    Self.only(.badRequest)
                ),
                (
                    Self.request(
                        "update", args: [t.account1], extra: "\"k\":{\(Self.str(name)):\(Self.list(["1", "2"]))}"),
                    Self.only(.badRequest)
                ),
                (
                    Self.request("backref_len", args: [t.account1, Self.str(name)]),
                    Self.only(.badRequest, .unknownCommand, .noData)
                ),
            ])
        case "sql-injection-value":
            let v = Self.str(rng.pick(Self.injections))
            return pickCase([
                (
                    Self.request("_dab_search", target: t.accountTable, extra: "\"owner\":\(v),\"_mt\":true"),
                    .harmlessRead
                ),
                (
                    Self.request("_dab_count", target: t.accountTable, extra: "\"owner\":\(v),\"_mt\":true"),
                    .harmlessRead
                ),
                (
                    Self.request("_dab_search", target: t.accountTable, extra: "\"balance\":\(v),\"_mt\":true"),
                    .harmlessRead
                ),
                // The old value never matches: StaleData, nothing written.
                (
                    Self.request("update", args: [t.account1], extra: "\"k\":{\"owner\":\(Self.list([v, v]))}"),
                    Self.only(.staleData)
                ),
            ])
        case "o-escape":
            return pickCase([
                ("{\"data\":{\"_m\":\"get\",\"_ox\":1}}", Self.only(.badRequest)),
                ("{\"data\":{\"_o\":\"Ref\",\"_m\":\"get\"}}", Self.only(.badRequest)),
                ("{\"data\":{\"_o\":\"Obj\",\"_m\":\"get\",\"k\":\(t.account1Key)}}", Self.only(.badRequest)),
                ("{\"data\":{\"_o\":\"Nope\",\"_m\":\"get\"}}", Self.only(.badRequest)),
                ("{\"data\":{\"_o\":1,\"_m\":\"get\"}}", Self.only(.badRequest)),
                ("{\"data\":{\"_m\":\"get\",\"_o\":\(t.account1)}}", Self.only(.badRequest)),
                ("{\"data\":{\"_m\":\"echo\",\"_a\":{\"_o\":\"LIST\",\"_d\":\"x\"}}}", Self.only(.badRequest)),
                ("{\"data\":{\"_m\":\"echo\",\"_a\":{\"_o\":\"LIST\"}}}", Self.only(.badRequest)),
                ("{\"data\":{\"_m\":\"echo\",\"_a\":[{\"_or\":\(rng.int(1...99))}]}}", Self.only(.badRequest)),
                ("{\"data\":{\"_m\":\"echo\",\"_a\":[{\"_or\":1,\"x\":2}]}}", Self.only(.badRequest)),
                (
                    "{\"data\":{\"_m\":\"echo\",\"_a\":[{\"_oi\":1,\"a\":1},{\"_oi\":1,\"b\":1}]}}",
                    Self.only(.badRequest)
                ),
                ("{\"data\":{\"_m\":\"get\",\"_a\":[{\"_o\":\"Ref\",\"c\":\"x\"}]}}", Self.only(.badRequest)),
                (
                    "{\"data\":{\"_m\":\"get\",\"_a\":[{\"_o\":\"Ref\",\"k\":\"notalist\",\"c\":\"x\"}]}}",
                    Self.only(.badRequest)
                ),
                ("{\"data\":{\"_m\":\"get\",\"_a\":[{\"_o\":\"Dec\",\"s\":\"1e99999999\"}]}}", Self.only(.badRequest)),
                ("{\"data\":{\"_m\":\"get\",\"_a\":[{\"_o\":\"date\",\"d\":-5}]}}", Self.only(.badRequest)),
                ("{\"data\":{\"_m\":\"get\",\"_a\":[{\"_o\":\"bin\",\"b\":\"!!!\"}]}}", Self.only(.badRequest)),
                ("{\"data\":{\"_m\":\"get\",\"_a\":[{\"_o\":\"_ROOT\",\"x\":1}]}}", .harmlessRead),  // lenient
                ("{\"data\":{\"_m\":\"update\",\"_a\":[\(t.account1)],\"k\":{\"_ox\":[1,2]}}}", Self.only(.badRequest)),
            ])
        case "oversized":
            let n = rng.int(20_000...60_000)
            return pickCase([
                (Self.request(String(repeating: "m", count: n)), Self.only(.unknownCommand, .badRequest)),
                (Self.request("get", args: [Self.str(String(repeating: "x", count: n))]), Self.only(.badRequest)),
                (Self.request("get", args: Array(repeating: "1", count: n / 10)), Self.only(.badRequest)),
                (
                    Self.request(
                        "_dab_search", target: t.accountTable,
                        extra:
                            "\"owner\":\(Self.str(String(repeating: "y", count: n))),\"_limit\":9223372036854775807,\"_mt\":true"
                    ),
                    .harmlessRead
                ),
                (
                    Self.request(
                        "_dab_search", target: t.accountTable, extra: "\"_limit\":99999999999999999999,\"_mt\":true"),
                    Self.only(.badRequest)
                ),
                (
                    Self.request(
                        "update", args: [t.account1],
                        extra: "\"k\":{\"owner\":\(Self.list([Self.str(String(repeating: "z", count: n)), "\"q\""]))}"),
                    Self.only(.staleData)
                ),
            ])
        case "deep-nesting":
            let depth = rng.pick([257, 300, 1000, 5000, 50_000])
            let style = rng.int(0...2)
            let inner: String
            switch style {
            case 0: inner = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            case 1: inner = String(repeating: "{\"a\":", count: depth) + "1" + String(repeating: "}", count: depth)
            default:
                inner =
                    String(repeating: "{\"_o\":\"LIST\",\"_d\":[", count: depth) + String(repeating: "]}", count: depth)
            }
            return (Self.request("echo", args: [inner]), Self.only(.badRequest))
        case "cycle":
            return pickCase([
                ("{\"data\":{\"_m\":\"echo\",\"_a\":[{\"_oi\":1,\"self\":{\"_or\":1}}]}}", Self.only(.badRequest)),
                (
                    "{\"data\":{\"_m\":\"echo\",\"_a\":[{\"_o\":\"LIST\",\"_oi\":2,\"_d\":[{\"_or\":2}]}]}}",
                    Self.only(.badRequest)
                ),
                (
                    "{\"data\":{\"_m\":\"echo\",\"_a\":[{\"_oi\":1,\"b\":{\"_oi\":2,\"a\":{\"_or\":1}}}]}}",
                    Self.only(.badRequest)
                ),
                (
                    "{\"data\":{\"_or\":1},\"cache\":[{\"_oi\":1,\"_m\":\"echo\",\"_a\":[{\"_or\":1}]}]}",
                    Self.only(.badRequest)
                ),
                (
                    "{\"data\":{\"_m\":\"get\",\"_a\":[{\"_o\":\"Obj\",\"_oi\":3,\"k\":\(t.account1Key),\"c\":\"AAAAAAAAAAAA\",\"f\":{\"me\":{\"_or\":3}},\"r\":{}}]}}",
                    Self.only(.badRequest, .accessDenied)
                ),
            ])
        case "malformed-json":
            let valid = Self.request("get", args: [t.account1])
            let cut = rng.int(0...(valid.utf8.count - 1))
            var bytes = Array(valid.utf8)
            switch rng.int(0...6) {
            case 0: return (String(decoding: bytes[..<cut], as: UTF8.self), Self.only(.badRequest))
            case 1:
                bytes[rng.int(0...(bytes.count - 1))] = rng.pick([0xFF, 0xC0, 0x00, 0x80, 0xED])
                return (String(decoding: bytes, as: UTF8.self) + "\u{0}", Self.only(.badRequest))
            case 2:
                return (
                    rng.pick([
                        "", "null", "[]", "1", "\"data\"", "{}", "{\"data\":}", "{\"data\":1,}", "{\"data\":NaN}",
                        "{\"data\":{\"_m\":\"ping\"}} trailing", "{'data':{}}",
                        "{\"data\":{\"_m\":\"get\",\"_m\":\"ping\"}}",
                    ]),
                    Self.any
                )
            case 3: return ("{\"data\":{\"_m\":\"\\ud800\"}}", Self.only(.badRequest))
            case 4: return ("{\"data\":{\"_m\":\"echo\",\"_a\":[1e999999]}}", Self.only(.badRequest))
            case 5:
                return ("{\"data\":{\"_m\":\"echo\",\"_a\":[123456789012345678901234567890]}}", Self.only(.badRequest))
            default:
                return (
                    String((0..<rng.int(1...200)).map { _ in Character(UnicodeScalar(UInt8(rng.int(0x20...0x7E)))) }),
                    Self.only(.badRequest)
                )
            }
        case "read-only-table":
            return pickCase([
                (
                    Self.request("update", args: [t.txn1], extra: "\"k\":{\"amount\":\(Self.list(["0", "1"]))}"),
                    Self.only(.readOnly, .staleData, .unknownCommand)
                ),
                (Self.request("delete", target: t.txn1, args: []), Self.only(.readOnly, .unknownCommand)),
                (
                    Self.request("new", target: t.txnTable, extra: "\"_mt\":true,\"id\":77,\"amount\":1"),
                    Self.only(.readOnly, .unknownCommand)
                ),
                (
                    Self.request("delete", target: t.txnTable, args: [t.txn1], extra: "\"_mt\":true"),
                    Self.only(.readOnly, .unknownCommand)
                ),
            ])
        default:  // mt-tricks
            return pickCase([
                (
                    Self.request("new", target: t.account1, extra: "\"_mt\":true,\"owner\":\"x\""),
                    Self.only(.unknownCommand, .badRequest)
                ),
                (
                    Self.request("_dab_search", target: t.account1, extra: "\"_mt\":true"),
                    Self.only(.unknownCommand, .badRequest)
                ),
                (
                    Self.request(
                        "update", target: t.accountTable, args: [], extra: "\"owner\":\(Self.list(["\"a\"", "\"b\""]))"),
                    Self.only(.unknownCommand, .badRequest)
                ),
                (Self.request("delete", target: t.accountMeta, args: [t.account1], extra: "\"_mt\":true"), Self.any),
                (
                    Self.request(
                        "new", target: t.accountTable, extra: "\"_mt\":true,\"id\":1,\"owner\":\"dup\",\"balance\":1"),
                    Self.any
                ),
                (
                    Self.request("new", target: t.accountTable, extra: "\"_mt\":true,\"nosuchcolumn\":1"),
                    Self.only(.badRequest)
                ),
            ])
        }
    }
}
