import DaBrokerCore
import DaBrokerSQL
import Logging

/// The one place where a ``DatabaseError`` becomes the ``BrokerError`` a client receives.
///
/// - An unreachable or busy database, or a timeout: `Unavailable`.
/// - A refused change (``DatabaseRefusal``): its error type (`NotNull`, `Unique`, `ForeignKey`,
///   `Referenced`, `Check`, `InvalidValue`, `OutOfRange`, `NotWritable`, `NoPartition`) with
///   the details `table`, `column` (exported names, comma-separated) and `constraint`.
/// - Anything else: `BadRequest` naming the operation and table.
///
/// The reply never carries the database's text, a value, or the name of a hidden column
/// ("a hidden column"); a constraint whose name contains a hidden column's name is not named.
/// The database's text is logged at debug level, or at notice level with
/// ``BrokerServerConfiguration/logDatabaseText``.
struct DatabaseErrorReply {
    let error: DatabaseError
    let operation: String
    /// The exported table the statement ran on, when there is one.
    let model: SQLTableModel?

    /// The kinds of failure that are not the request's fault.
    static let unavailableKinds: Set<DatabaseError.Kind> = [
        .connection, .connectionLost, .closed, .unavailable, .timeout,
    ]

    /// Logs `error` (its description at notice level, the database's text at debug level or
    /// as configured) and returns the reply's error.
    static func brokerError(
        _ error: DatabaseError, operation: String, model: SQLTableModel?, sql: String? = nil, logger: Logger,
        logDatabaseText: Bool
    ) -> BrokerError {
        let place = model.map { "\(operation) on '\($0.name)'" } ?? operation
        let statement = sql.map { " [\($0)]" } ?? ""
        let logged = DatabaseErrorReply(error: error, operation: operation, model: model).loggedDescription
        let table: Logger.Metadata? = model.map { ["table": "\($0.name)"] }
        logger.notice("\(place) failed: \(logged)\(statement)", metadata: table)
        if let text = error.serverMessage {
            let line: Logger.Message = "\(place): the database said: \(text)"
            if logDatabaseText { logger.notice(line, metadata: table) } else { logger.debug(line, metadata: table) }
        }
        return DatabaseErrorReply(error: error, operation: operation, model: model).brokerError
    }

    /// The error's description for the notice-level log, which never names a hidden column:
    /// the table's hidden columns are replaced by "a hidden column", and a column the table
    /// does not export (another table's, or any when the table is unknown) by "a column";
    /// a constraint whose name contains a hidden column's is not named. The full text is in the debug-level line.
    var loggedDescription: String {
        var text = "\(error)"
        if let c = error.constraint, !c.isEmpty, visibleConstraint == nil {
            text = Self.replacingIdentifier(c, in: text, with: "a constraint")
        }
        guard let m = model else {
            for c in error.columns { text = Self.replacingIdentifier(c, in: text, with: "a column") }
            return text
        }
        for c in m.hidden.sorted(by: { $0.count > $1.count }) {
            text = Self.replacingIdentifier(c, in: text, with: "a hidden column")
        }
        // A column of another table (the referencing side of `Referenced`) may be hidden there.
        let known = Set(m.fields).union(m.refs.flatMap(\.columns))
        for c in error.columns where !known.contains(c) && !m.hidden.contains(c) {
            text = Self.replacingIdentifier(c, in: text, with: "a column")
        }
        return text
    }

    /// `text` with each occurrence of `name` that stands as a whole identifier (not part of a
    /// longer one) replaced by `word`.
    static func replacingIdentifier(_ name: String, in text: String, with word: String) -> String {
        guard !name.isEmpty else { return text }
        func isIdentifier(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" || c == "$" }
        var out = ""
        var rest = text[...]
        while let r = rest.range(of: name) {
            let before = r.lowerBound == text.startIndex ? nil : text[text.index(before: r.lowerBound)]
            let after = r.upperBound == text.endIndex ? nil : text[r.upperBound]
            out += rest[..<r.lowerBound]
            if before.map(isIdentifier) == true || after.map(isIdentifier) == true {
                out += rest[r]
            } else {
                out += word
            }
            rest = rest[r.upperBound...]
        }
        return out + rest
    }

    /// The reply's error.
    var brokerError: BrokerError {
        let place = model.map { "\(operation) on '\($0.name)'" } ?? operation
        if Self.unavailableKinds.contains(error.kind) {
            return .unavailable(
                "\(place): the database is unavailable (\(error.kind.rawValue)); it may or may not have run")
        }
        guard let refusal = error.refusal, let kind = Self.kind(refusal, operation: operation) else {
            return model == nil ? .internal("internal server error") : .badRequest("the database refused \(place)")
        }
        var details: [String: String] = ["operation": operation]
        if let model { details["table"] = model.name }
        let names = columnNames(kind)
        let exported = names.compactMap { if case .exported(let n) = $0 { n } else { nil } }
        if !exported.isEmpty { details["column"] = exported.joined(separator: ",") }
        if names.contains(.hidden) { details["hidden"] = "true" }
        let constraint = visibleConstraint
        if let constraint { details["constraint"] = constraint }
        return BrokerError(kind, "\(place): " + Self.sentence(kind, names, constraint, error), details: details)
    }

    /// How a column is named to the client.
    enum Name: Equatable {
        case exported(String)
        case hidden
        var text: String {
            switch self {
            case .exported(let n): "'\(n)'"
            case .hidden: "a hidden column"
            }
        }
    }

    static func kind(_ r: DatabaseRefusal, operation: String) -> BrokerError.Kind? {
        switch r {
        case .notNull: .notNull
        case .unique: .unique
        case .foreignKey: operation == Method.delete ? .referenced : .foreignKey
        case .referenced: .referenced
        case .check: .check
        case .invalidValue: .invalidValue
        case .outOfRange: .outOfRange
        case .notWritable: .notWritable
        case .noPartition: .noPartition
        }
    }

    /// The table's columns the error concerns: as the database named them, else those of the
    /// named constraint (unique key, foreign key) or of the domain, as reflected.
    var columns: [String] {
        guard let m = model else { return [] }
        if !error.columns.isEmpty { return error.columns.filter { m.table.column($0) != nil } }
        if let c = error.constraint {
            if let u = m.table.uniqueConstraints.first(where: { $0.name == c }) { return u.columns }
            if let fk = m.table.foreignKeys.first(where: { $0.name == c }) { return fk.columns }
            if c == "PRIMARY" || c == m.table.name + "_pkey" { return m.table.primaryKey }
        }
        if let domain = error.typeName, error.refusal == .check {
            return m.table.columns.filter { $0.declaredType == domain }.map(\.name)
        }
        return []
    }

    /// The columns as the client may see them: a field's name, a foreign-key column's ref
    /// name, or "a hidden column"; columns the client cannot know otherwise are left out.
    func columnNames(_ kind: BrokerError.Kind) -> [Name] {
        guard let m = model, kind != .referenced else { return [] }
        var out: [Name] = []
        for c in columns {
            let name: Name?
            if m.hidden.contains(c) {
                name = .hidden
            } else if m.fields.contains(c) {
                name = .exported(c)
            } else {
                name = m.refs.first { $0.columns.contains(c) }.map { .exported($0.name) }
            }
            if let name, !out.contains(name) { out.append(name) }
        }
        return out
    }

    /// The constraint's name, unless it names a hidden column. Without the table (a deferred
    /// constraint failing at COMMIT) the hidden columns are unknown, so no name is given.
    var visibleConstraint: String? {
        guard let c = error.constraint, !c.isEmpty, let m = model else { return nil }
        let lower = c.lowercased()
        if m.hidden.contains(where: { lower.contains($0.lowercased()) }) { return nil }
        return c
    }

    static func sentence(_ kind: BrokerError.Kind, _ names: [Name], _ constraint: String?, _ e: DatabaseError)
        -> String
    {
        let cols = names.map(\.text).joined(separator: ", ")
        let on = cols.isEmpty ? "" : " \(cols)"
        let named = constraint.map { " (constraint '\($0)')" } ?? ""
        switch kind {
        case .notNull:
            return cols.isEmpty ? "a required value is missing (NOT NULL)" : "\(cols) needs a value (NOT NULL)"
        case .unique:
            return cols.isEmpty
                ? "the value is already taken\(named)" : "the value of \(cols) is already taken\(named)"
        case .foreignKey:
            return cols.isEmpty ? "a ref names a row that does not exist\(named)" : "\(cols) refers to no row\(named)"
        case .referenced:
            return "other rows still refer to this row\(named)"
        case .check:
            if let domain = e.typeName, !cols.isEmpty { return "\(cols) fails the check of its type '\(domain)'" }
            if names.contains(.hidden) && constraint == nil { return "the row fails a check on a hidden column" }
            return "the row fails a check constraint\(named)"
        case .invalidValue:
            return "a value\(on.isEmpty ? "" : " for" + on) is not valid for its type"
        case .outOfRange:
            return "a value\(on.isEmpty ? "" : " for" + on) is out of range"
        case .notWritable:
            return cols.isEmpty
                ? "the database does not allow this write (view, rule or privilege)"
                : "\(cols) cannot be written (generated or read-only column)"
        case .noPartition:
            return "no partition of the table accepts the row"
        default:
            return "the database refused it"
        }
    }
}
