import DaBrokerCore
import DaBrokerSQL
import Testing

/// Sessions: outermost scope = transaction, nested = savepoint, flat nesting, single-task use.
@Suite("Conformance: sessions")
struct SessionConformanceTests {
    @Test(arguments: Conformance.backends)
    func innerErrorRollsBackOnlyTheInnerScope(kind: DatabaseKind) async throws {
        try await Conformance.withDatabase(kind) { db in
            try await Conformance.withTable(db, "nest") { table in
                try await withSession(on: db) { s in
                    #expect(s.depth == 1)
                    try await Conformance.insert(db, table, 1)
                    await #expect(throws: Boom.self) {
                        try await withSession(on: db) { inner in
                            #expect(inner === s)
                            #expect(inner.depth == 2)
                            try await Conformance.insert(db, table, 2)
                            throw Boom()
                        }
                    }
                    #expect(s.depth == 1)
                    try await Conformance.insert(db, table, 3)
                }
                let got1 = try await Conformance.ids(db, table)
                #expect(got1 == [1, 3])
            }
        }
    }

    @Test(arguments: Conformance.backends)
    func outerErrorRollsBackEverything(kind: DatabaseKind) async throws {
        try await Conformance.withDatabase(kind) { db in
            try await Conformance.withTable(db, "outer") { table in
                await #expect(throws: Boom.self) {
                    try await withSession(on: db) { _ in
                        try await Conformance.insert(db, table, 1)
                        try await withSession(on: db) { _ in try await Conformance.insert(db, table, 2) }
                        throw Boom()
                    }
                }
                let got2 = try await Conformance.ids(db, table)
                #expect(got2 == [])
            }
        }
    }

    @Test(arguments: Conformance.backends)
    func threeLevelsDeep(kind: DatabaseKind) async throws {
        try await Conformance.withDatabase(kind) { db in
            try await Conformance.withTable(db, "deep") { table in
                try await db.withSession { s in
                    try await Conformance.insert(db, table, 1)
                    try await db.withSession { _ in
                        try await Conformance.insert(db, table, 2)
                        try? await db.withSession { s3 in
                            #expect(s3.depth == 3)
                            try await Conformance.insert(db, table, 3)
                            throw Boom()
                        }
                        try await Conformance.insert(db, table, 4)
                        try await db.withSession { _ in try await Conformance.insert(db, table, 5) }
                    }
                    try? await db.withSession { _ in
                        try await Conformance.insert(db, table, 6)
                        try await db.withSession { _ in try await Conformance.insert(db, table, 7) }
                        throw Boom()
                    }
                    #expect(s.depth == 1)
                    // Inside the transaction the session sees its own uncommitted rows.
                    let got3 = try await Conformance.ids(db, table)
                    #expect(got3 == [1, 2, 4, 5])
                }
                let got4 = try await Conformance.ids(db, table)
                #expect(got4 == [1, 2, 4, 5])
            }
        }
    }

    @Test(arguments: Conformance.backends)
    func sessionUsedByTwoTasksIsAnError(kind: DatabaseKind) async throws {
        try await Conformance.withDatabase(kind) { db in
            try await Conformance.withTable(db, "twotasks") { table in
                try await withSession(on: db) { s in
                    try await Conformance.insert(db, table, 1)
                    // Child tasks see the session (task-locals are inherited) but may not use it.
                    async let viaSession = Conformance.errorOf { _ = try await s.execute("SELECT 1") }
                    async let viaDatabase = Conformance.errorOf { try await Conformance.insert(db, table, 2) }
                    async let nested = Conformance.errorOf {
                        try await withSession(on: db) { _ in try await Conformance.insert(db, table, 3) }
                    }
                    for error in await [viaSession, viaDatabase, nested] {
                        #expect((error as? SessionError)?.kind == .concurrentUse)
                    }
                    try await Conformance.insert(db, table, 4)
                }
                let got5 = try await Conformance.ids(db, table)
                #expect(got5 == [1, 4])
            }
        }
    }

    @Test(arguments: Conformance.backends)
    func flatSessionJoinsTheOuterScopeAndWarnsOnce(kind: DatabaseKind) async throws {
        let (logger, log) = Conformance.capturingLogger()
        let warning = OnceNotice(message: "flat nesting test warning")
        let options = DatabaseOptions(logger: logger, flatNestingWarning: warning)
        try await Conformance.withDatabase(kind, options: options) { db in
            try await Conformance.withTable(db, "flat") { table in
                try await withSession(on: db, transactional: false) { s in
                    #expect(!s.isTransactional)
                    try await Conformance.insert(db, table, 1)
                    try? await withSession(on: db) { _ in
                        try await Conformance.insert(db, table, 2)
                        throw Boom()
                    }
                    try await withSession(on: db) { _ in try await Conformance.insert(db, table, 3) }
                }
                // Documented: the failed nested scope is not rolled back.
                let got6 = try await Conformance.ids(db, table)
                #expect(got6 == [1, 2, 3])
                #expect(warning.timesLogged == 1)
                #expect(log.messages.filter { $0.contains("flat nesting test warning") }.count == 1)
            }
        }
    }

    @Test(arguments: Conformance.backends)
    func sqliteNoticeOnceOnFirstNestingAndSilenceable(kind: DatabaseKind) async throws {
        let (logger, log) = Conformance.capturingLogger()
        let notice = OnceNotice(message: "sqlite notice test")
        let silenced = OnceNotice(message: "silenced sqlite notice test")
        silenced.isSilenced = true
        for n in [notice, silenced] {
            try await Conformance.withDatabase(kind, options: DatabaseOptions(logger: logger, sqliteNotice: n)) { db in
                try await withSession(on: db) { _ in
                    #expect(!n.hasFired)  // not on the outermost scope
                    for _ in 0..<3 { try await withSession(on: db) { _ in _ = try await db.execute("SELECT 1") } }
                }
            }
        }
        let isSQLite = kind == .sqlite
        #expect(notice.hasFired == isSQLite)
        #expect(notice.timesLogged == (isSQLite ? 1 : 0))
        #expect(silenced.hasFired == isSQLite)
        #expect(silenced.timesLogged == 0)
        #expect(log.messages.filter { $0.contains("sqlite notice test") }.count == (isSQLite ? 1 : 0))
        #expect(log.messages.filter { $0.contains("silenced") }.isEmpty)
    }

    @Test func processWideSQLiteSwitch() {
        let before = SQLiteNotice.silenced
        SQLiteNotice.silenced = true
        #expect(SQLiteNotice.shared.isSilenced)
        SQLiteNotice.silenced = before
        #expect(SQLiteNotice.shared.message.contains("write lock"))
    }
}
