import DaBrokerCore
import DaBrokerSQL
import DaBrokerServer

/// What a configuration exports from a reflected database: each table with its mode,
/// fields, refs, backrefs, hidden columns and notices.
///
/// Built once from the configuration and the reflection; `serve` hands it to the SQL loader
/// and `models` prints it. Building it checks the configuration against the schema.
public struct ExportPlan: Sendable, Codable, Equatable {
    /// One exported table.
    public struct Table: Sendable, Codable, Equatable {
        public var name: String
        public var mode: AccessMode
        public var isView: Bool
        public var primaryKey: [String]
        public var fields: [FieldEntry]
        public var refs: [RefEntry]
        public var backrefs: [BackrefEntry]
        public var hidden: [String]
        public var cached: Bool
        public var notices: [String]
    }

    public struct FieldEntry: Sendable, Codable, Equatable {
        public var name: String
        public var type: String
        public var kind: String
        public var nullable: Bool
        /// The default expression as the catalog prints it, if any.
        public var `default`: String?
        /// Whether clients may give the column a value (not for generated and identity-always columns).
        public var writable: Bool
        /// The labels of an enum column, in order.
        public var enumValues: [String]?
    }

    public struct RefEntry: Sendable, Codable, Equatable {
        public var name: String
        public var columns: [String]
        public var target: String
    }

    public struct BackrefEntry: Sendable, Codable, Equatable {
        public var name: String
        public var source: String
        public var columns: [String]
    }

    public var database: String
    public var tables: [Table]
    /// Notices about the whole database (tables left out, and why).
    public var notices: [String]

    /// Checks `configuration` against `model` and decides what each table exports.
    public init(configuration: GatewayConfiguration, model: ReflectedModel, databaseKind: String) throws {
        database = databaseKind
        notices = []
        tables = []
        let names = model.tables.keys.sorted()
        try Self.checkTablesExist(configuration, names: names, model: model)
        for key in names {
            guard let reflected = model.tables[key] else { continue }
            let settings = configuration.tables[key]
            let listed = settings != nil
            if Self.internalTables.contains(key) || (!listed && !Self.isIncluded(key, export: configuration.export))
                || (!listed && reflected.table.inheritsFrom != nil)
            {
                continue
            }
            tables.append(try Self.table(key, reflected, settings: settings, configuration: configuration))
        }
        let exported = Set(tables.map(\.name))
        for i in tables.indices {
            tables[i].refs.removeAll { !exported.contains($0.target) }
            tables[i].backrefs.removeAll { !exported.contains($0.source) }
        }
        for n in model.notices { notices.append(n.description) }
    }

    /// The table `dabroker migrate` keeps its records in; never exported.
    public static let migrationsTable = "dabroker_migrations"
    /// The gateway's own tables (migrations, change capture); never exported.
    public static let internalTables: Set<String> = [migrationsTable, ChangeLog.table, ChangeLog.stateTable]

    /// The table named `name`, if exported.
    public func table(_ name: String) -> Table? { tables.first { $0.name == name } }

    private static func isIncluded(_ name: String, export: GatewayConfiguration.ExportDefaults) -> Bool {
        if !export.include.isEmpty, !export.include.contains(where: { ReflectionOptions.matches(name, pattern: $0) }) {
            return false
        }
        return !export.exclude.contains { ReflectionOptions.matches(name, pattern: $0) }
    }

    private static func checkTablesExist(_ c: GatewayConfiguration, names: [String], model: ReflectedModel) throws {
        for (name, _) in c.tables where model.tables[name] == nil {
            let close = names.filter { $0.lowercased() == name.lowercased() }
            throw ConfigurationError(
                "tables.\(name): the database has no table '\(name)'", at: c.origins["tables.\(name)"],
                hint: close.isEmpty
                    ? "tables in the database: \(names.prefix(30).joined(separator: ", "))"
                    : "did you mean '\(close[0])'? names are case-sensitive")
        }
    }

    private static func table(
        _ key: String, _ r: ReflectedTable, settings: GatewayConfiguration.TableSettings?,
        configuration c: GatewayConfiguration
    ) throws -> Table {
        let t = r.table
        var notes: [String] = []
        let columnNames = t.columns.map(\.name)
        let hidden = settings?.hide ?? []
        for h in hidden {
            let at = c.origins["tables.\(key).hide"]
            guard columnNames.contains(h) else {
                throw ConfigurationError(
                    "tables.\(key).hide names column '\(h)', which table \(key) does not have", at: at,
                    hint: "columns of \(key): \(columnNames.joined(separator: ", "))")
            }
            if t.primaryKey.contains(h) {
                throw ConfigurationError(
                    "tables.\(key).hide hides '\(h)', a primary-key column of \(key)", at: at,
                    hint: "a row's key travels to clients; primary-key columns cannot be hidden")
            }
        }
        var mode = settings?.mode ?? c.export.mode
        if mode == .readWrite, let reason = t.readOnlyReason {
            notes.append("\(key) is \(reason): served readOnly")
            mode = .readOnly
        }
        if t.primaryKey.isEmpty, !t.isView { notes.append("\(key) has no primary key: objects cannot be addressed") }
        let fields = r.fields.filter { !hidden.contains($0.name) }.map {
            FieldEntry(
                name: $0.name, type: $0.declaredType, kind: $0.kind?.rawValue ?? "?", nullable: $0.isNullable,
                default: $0.isGenerated ? nil : $0.defaultValue, writable: $0.isWritable, enumValues: $0.enumValues)
        }
        for col in t.columns where col.kind == nil {
            notes.append("\(key).\(col.name) has unmapped type \(col.declaredType): left out")
        }
        // A ref whose columns are hidden would leak them through its key: it is left out too.
        let refs = r.refs.filter { ref in !ref.foreignKey.columns.contains { hidden.contains($0) } }.map {
            RefEntry(name: $0.name, columns: $0.foreignKey.columns, target: $0.target)
        }
        let backrefs = r.backrefs.map {
            BackrefEntry(name: $0.name, source: $0.source, columns: $0.foreignKey.columns)
        }
        return Table(
            name: key, mode: mode, isView: t.isView, primaryKey: t.primaryKey, fields: fields, refs: refs,
            backrefs: backrefs, hidden: hidden, cached: settings?.cached ?? true, notices: notes)
    }
}
