import DaBrokerCore

/// Change capture: triggers that record every insert, update and delete of chosen tables in a
/// small log table, so that writes made outside the gateway (other applications, `psql`,
/// batch jobs) reach clients' caches too.
///
/// What `install` puts into the database, all named `dabroker_…`:
/// - `dabroker_changes`: the log (`id` increasing, `tbl`, `op` `I`/`U`/`D`, `k` the row's key
///   as a JSON array of the key columns' values, never another column, `origin`, `at`);
/// - `dabroker_changes_state`: one row: which server tails the log (`holder`, a lease that
///   `expires`), how far it got (`position`) and how far pruning went (`pruned`);
/// - per captured table, triggers (PostgreSQL: one, calling the function
///   `dabroker_capture()`, which also sends `pg_notify('dabroker_changes')`; MariaDB and
///   SQLite: one per operation).
///
/// The gateway's own connections mark their writes (``sessionSetup(for:)``), so that the
/// log's reader skips them: the gateway has broadcast those already.
public struct ChangeLog: Sendable {
    /// The log table.
    public static let table = "dabroker_changes"
    /// The one-row state table: lease, position, pruning.
    public static let stateTable = "dabroker_changes_state"
    /// The PostgreSQL notification channel.
    public static let channel = "dabroker_changes"
    /// What the gateway's connections write into `origin`.
    public static let gatewayOrigin = "gateway"
    /// The prefix of every trigger (and PostgreSQL function) change capture installs.
    public static let triggerPrefix = "dabroker_"

    public let kind: DatabaseKind
    let dialect: any SQLDialect

    public init(dialect: any SQLDialect) {
        self.kind = dialect.kind
        self.dialect = dialect
    }

    /// One recorded change.
    public struct Record: Sendable, Hashable {
        public enum Operation: String, Sendable {
            case insert = "I"
            case update = "U"
            case delete = "D"
        }
        public var id: Int64
        public var table: String
        public var operation: Operation
        /// The key columns' values, as the JSON array the trigger wrote.
        public var key: String
        /// Whether the gateway wrote it (it has broadcast it already).
        public var byGateway: Bool
    }

    // MARK: - Installing

    /// The statements that create the log, the state row and (PostgreSQL) the trigger
    /// function; each is idempotent.
    public var installStatements: [String] {
        let log = dialect.quote(Self.table)
        let state = dialect.quote(Self.stateTable)
        switch kind {
        case .postgres:
            return [
                """
                CREATE TABLE IF NOT EXISTS \(log) (id BIGSERIAL PRIMARY KEY, tbl TEXT NOT NULL, op CHAR(1) NOT NULL, \
                k TEXT NOT NULL, origin TEXT, at TIMESTAMPTZ NOT NULL DEFAULT now())
                """,
                """
                CREATE TABLE IF NOT EXISTS \(state) (id INT PRIMARY KEY, holder TEXT, \
                expires DOUBLE PRECISION NOT NULL DEFAULT 0, position BIGINT NOT NULL DEFAULT 0, \
                pruned BIGINT NOT NULL DEFAULT 0)
                """,
                "INSERT INTO \(state) (id) VALUES (1) ON CONFLICT DO NOTHING",
                Self.postgresFunction,
            ]
        case .mysql:
            return [
                """
                CREATE TABLE IF NOT EXISTS \(log) (id BIGINT AUTO_INCREMENT PRIMARY KEY, tbl VARCHAR(255) NOT NULL, \
                op CHAR(1) NOT NULL, k TEXT NOT NULL, origin VARCHAR(64), \
                at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)) ENGINE=InnoDB
                """,
                """
                CREATE TABLE IF NOT EXISTS \(state) (id INT PRIMARY KEY, holder VARCHAR(64), \
                expires DOUBLE NOT NULL DEFAULT 0, position BIGINT NOT NULL DEFAULT 0, \
                pruned BIGINT NOT NULL DEFAULT 0) ENGINE=InnoDB
                """,
                "INSERT IGNORE INTO \(state) (id) VALUES (1)",
            ]
        case .sqlite:
            return [
                """
                CREATE TABLE IF NOT EXISTS \(log) (id INTEGER PRIMARY KEY AUTOINCREMENT, tbl TEXT NOT NULL, \
                op TEXT NOT NULL, k TEXT NOT NULL, origin TEXT, at REAL NOT NULL DEFAULT (julianday('now')))
                """,
                """
                CREATE TABLE IF NOT EXISTS \(state) (id INTEGER PRIMARY KEY, holder TEXT, \
                expires REAL NOT NULL DEFAULT 0, position INTEGER NOT NULL DEFAULT 0, pruned INTEGER NOT NULL DEFAULT 0)
                """,
                "INSERT OR IGNORE INTO \(state) (id) VALUES (1)",
            ]
        }
    }

    /// PostgreSQL's trigger function: the key columns come as the trigger's arguments. The
    /// row goes through `to_jsonb` only to pick those columns; nothing else is stored.
    static let postgresFunction = """
        CREATE OR REPLACE FUNCTION dabroker_capture() RETURNS trigger LANGUAGE plpgsql AS $f$
        DECLARE
            old_key jsonb := '[]'::jsonb;
            new_key jsonb := '[]'::jsonb;
            r jsonb;
            c text;
            o text := nullif(current_setting('dabroker.origin', true), '');
        BEGIN
            IF TG_OP <> 'INSERT' THEN
                r := to_jsonb(OLD);
                FOREACH c IN ARRAY TG_ARGV LOOP old_key := old_key || jsonb_build_array(r -> c); END LOOP;
            END IF;
            IF TG_OP <> 'DELETE' THEN
                r := to_jsonb(NEW);
                FOREACH c IN ARRAY TG_ARGV LOOP new_key := new_key || jsonb_build_array(r -> c); END LOOP;
            END IF;
            IF TG_OP = 'INSERT' THEN
                INSERT INTO dabroker_changes (tbl, op, k, origin) VALUES (TG_TABLE_NAME, 'I', new_key::text, o);
            ELSIF TG_OP = 'DELETE' THEN
                INSERT INTO dabroker_changes (tbl, op, k, origin) VALUES (TG_TABLE_NAME, 'D', old_key::text, o);
            ELSIF old_key = new_key THEN
                INSERT INTO dabroker_changes (tbl, op, k, origin) VALUES (TG_TABLE_NAME, 'U', old_key::text, o);
            ELSE
                INSERT INTO dabroker_changes (tbl, op, k, origin) VALUES (TG_TABLE_NAME, 'D', old_key::text, o);
                INSERT INTO dabroker_changes (tbl, op, k, origin) VALUES (TG_TABLE_NAME, 'I', new_key::text, o);
            END IF;
            PERFORM pg_notify('dabroker_changes', '');
            RETURN NULL;
        END
        $f$
        """

    /// The statements that (re)create the capture triggers of one table, whose key columns
    /// are `key` (names from the reflected schema). Idempotent: running them again replaces
    /// the triggers.
    public func triggerStatements(table: String, schema: String?, key: [String]) -> [String] {
        let target = qualified(table, schema)
        let name = literal(table)
        switch kind {
        case .postgres:
            let args = key.map(literal).joined(separator: ", ")
            return [
                "DROP TRIGGER IF EXISTS dabroker_capture ON \(target)",
                """
                CREATE TRIGGER dabroker_capture AFTER INSERT OR UPDATE OR DELETE ON \(target) \
                FOR EACH ROW EXECUTE FUNCTION dabroker_capture(\(args))
                """,
            ]
        case .mysql:
            let old = "JSON_ARRAY(" + key.map { "OLD." + dialect.quote($0) }.joined(separator: ", ") + ")"
            let new = "JSON_ARRAY(" + key.map { "NEW." + dialect.quote($0) }.joined(separator: ", ") + ")"
            let same = key.map { "OLD.\(dialect.quote($0)) <=> NEW.\(dialect.quote($0))" }.joined(separator: " AND ")
            let insert = { (op: String, k: String) in
                "INSERT INTO \(dialect.quote(Self.table)) (tbl, op, k, origin) VALUES (\(name), '\(op)', \(k), @dabroker_origin)"
            }
            return [
                "CREATE OR REPLACE TRIGGER \(triggerName(table, "ai")) AFTER INSERT ON \(target) FOR EACH ROW "
                    + insert("I", new),
                "CREATE OR REPLACE TRIGGER \(triggerName(table, "ad")) AFTER DELETE ON \(target) FOR EACH ROW "
                    + insert("D", old),
                """
                CREATE OR REPLACE TRIGGER \(triggerName(table, "au")) AFTER UPDATE ON \(target) FOR EACH ROW \
                BEGIN IF \(same) THEN \(insert("U", old)); ELSE \(insert("D", old)); \(insert("I", new)); END IF; END
                """,
            ]
        case .sqlite:
            let old = "json_array(" + key.map { "OLD." + dialect.quote($0) }.joined(separator: ", ") + ")"
            let new = "json_array(" + key.map { "NEW." + dialect.quote($0) }.joined(separator: ", ") + ")"
            let same = key.map { "OLD.\(dialect.quote($0)) IS NEW.\(dialect.quote($0))" }.joined(separator: " AND ")
            let insert = { (op: String, k: String) in
                "INSERT INTO \(dialect.quote(Self.table)) (tbl, op, k) VALUES (\(name), '\(op)', \(k));"
            }
            let names = ["ai", "ad", "au", "ak"].map { triggerName(table, $0) }
            return names.map { "DROP TRIGGER IF EXISTS \($0)" } + [
                "CREATE TRIGGER \(names[0]) AFTER INSERT ON \(target) BEGIN \(insert("I", new)) END",
                "CREATE TRIGGER \(names[1]) AFTER DELETE ON \(target) BEGIN \(insert("D", old)) END",
                "CREATE TRIGGER \(names[2]) AFTER UPDATE ON \(target) WHEN \(same) BEGIN \(insert("U", old)) END",
                """
                CREATE TRIGGER \(names[3]) AFTER UPDATE ON \(target) WHEN NOT (\(same)) \
                BEGIN \(insert("D", old)) \(insert("I", new)) END
                """,
            ]
        }
    }

    /// The statements that remove one table's capture triggers.
    public func dropTriggerStatements(table: String, schema: String?) -> [String] {
        switch kind {
        case .postgres: return ["DROP TRIGGER IF EXISTS dabroker_capture ON \(qualified(table, schema))"]
        case .mysql: return ["ai", "ad", "au"].map { "DROP TRIGGER IF EXISTS \(triggerName(table, $0))" }
        case .sqlite: return ["ai", "ad", "au", "ak"].map { "DROP TRIGGER IF EXISTS \(triggerName(table, $0))" }
        }
    }

    /// The statements that remove the log, the state row and the trigger function (after the
    /// triggers are gone).
    public var uninstallStatements: [String] {
        var out = [
            "DROP TABLE IF EXISTS \(dialect.quote(Self.table))",
            "DROP TABLE IF EXISTS \(dialect.quote(Self.stateTable))",
        ]
        if kind == .postgres { out.append("DROP FUNCTION IF EXISTS dabroker_capture()") }
        return out
    }

    /// A query for the captured tables: one row per table (`tbl`), from the catalog's triggers.
    public var capturedTablesQuery: String {
        switch kind {
        case .postgres:
            return """
                SELECT DISTINCT c.relname AS tbl FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid \
                WHERE t.tgname = 'dabroker_capture' AND NOT t.tgisinternal ORDER BY 1
                """
        case .mysql:
            return """
                SELECT DISTINCT EVENT_OBJECT_TABLE AS tbl FROM information_schema.TRIGGERS \
                WHERE TRIGGER_SCHEMA = DATABASE() AND TRIGGER_NAME LIKE 'dabroker\\_%' ORDER BY 1
                """
        case .sqlite:
            return """
                SELECT DISTINCT tbl_name AS tbl FROM sqlite_master WHERE type = 'trigger' \
                AND name LIKE 'dabroker\\_%' ESCAPE '\\' ORDER BY 1
                """
        }
    }

    /// Whether the log table exists: a query that returns one row if it does.
    public var logExistsQuery: String {
        switch kind {
        case .postgres: return "SELECT 1 FROM pg_class WHERE relname = 'dabroker_changes' AND relkind = 'r'"
        case .mysql:
            return """
                SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() \
                AND TABLE_NAME = 'dabroker_changes'
                """
        case .sqlite: return "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'dabroker_changes'"
        }
    }

    /// The statements the gateway runs on each of its connections so that the triggers mark
    /// its writes (`origin`): PostgreSQL a session setting, MariaDB a session variable,
    /// SQLite a temporary trigger (the only per-connection state a trigger can see there).
    /// Only valid once the log exists.
    public static func sessionSetup(for kind: DatabaseKind) -> [String] {
        switch kind {
        case .postgres: return ["SET dabroker.origin = '\(gatewayOrigin)'"]
        case .mysql: return ["SET @dabroker_origin = '\(gatewayOrigin)'"]
        case .sqlite:
            return [
                """
                CREATE TEMP TRIGGER IF NOT EXISTS dabroker_origin AFTER INSERT ON main.dabroker_changes \
                BEGIN UPDATE dabroker_changes SET origin = '\(gatewayOrigin)' WHERE id = NEW.id; END
                """
            ]
        }
    }

    // MARK: - Names

    private func qualified(_ table: String, _ schema: String?) -> String {
        guard let schema, !schema.isEmpty, kind == .postgres else { return dialect.quote(table) }
        return dialect.quote(schema) + "." + dialect.quote(table)
    }

    /// A SQL string literal of a name from the reflected schema.
    func literal(_ s: String) -> String {
        var out = "'"
        for c in s {
            if c == "'" { out += "''" } else if c == "\\" && kind == .mysql { out += "\\\\" } else { out.append(c) }
        }
        return out + "'"
    }

    /// `dabroker_<table>_<suffix>`, quoted; a long table name is shortened with a hash so that
    /// the name stays within MariaDB's 64 characters.
    func triggerName(_ table: String, _ suffix: String) -> String {
        var base = table
        if base.utf8.count > 40 {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for b in table.utf8 {
                hash ^= UInt64(b)
                hash = hash &* 0x100_0000_01b3
            }
            base = String(table.prefix(24)) + "_" + String(hash, radix: 16)
        }
        return dialect.quote(Self.triggerPrefix + base + "_" + suffix)
    }
}
