import DaBrokerCore
import DaBrokerSQL
import DaBrokerTestSupport
import Testing

/// Non-transactional MariaDB engines: detected per table, flat nesting, warned once.
@Suite("Conformance: MyISAM")
struct MyISAMConformanceTests {
    @Test(.enabled(if: TestServices.isAvailable(.mysql)), arguments: ["MyISAM", "Aria"])
    func nonTransactionalEngineWarnsAndNothingIsRolledBack(engine: String) async throws {
        let (logger, log) = Conformance.capturingLogger()
        let warning = OnceNotice(message: "myisam test warning")
        let options = DatabaseOptions(logger: logger, flatNestingWarning: warning)
        try await Conformance.withDatabase(.mysql, options: options) { db in
            try await Conformance.withTable(db, "innodb", engine: "InnoDB") { innodb in
                let innodbTransactional = try await db.tableIsTransactional(innodb)
                #expect(innodbTransactional)
            }
            try await Conformance.withTable(db, engine.lowercased(), engine: engine) { table in
                let transactional = try await db.tableIsTransactional(table)
                #expect(!transactional)
                await #expect(throws: Boom.self) {
                    try await withSession(on: db, transactional: transactional) { s in
                        #expect(!s.isTransactional)
                        try await Conformance.insert(db, table, 1)
                        try? await withSession(on: db) { _ in
                            try await Conformance.insert(db, table, 2)
                            throw Boom()
                        }
                        try await withSession(on: db) { _ in try await Conformance.insert(db, table, 3) }
                        throw Boom()
                    }
                }
                // As documented: the engine keeps every write, even of the scope that failed.
                let ids = try await Conformance.ids(db, table)
                #expect(ids == [1, 2, 3])
                #expect(warning.timesLogged == 1)
                #expect(log.messages.filter { $0.contains("myisam test warning") }.count == 1)
            }
        }
    }

    @Test(.enabled(if: TestServices.isAvailable(.mysql)))
    func unknownTableIsABadRequest() async throws {
        try await Conformance.withDatabase(.mysql) { db in
            await #expect(throws: DatabaseError.self) { _ = try await db.tableIsTransactional("conf_no_such_table") }
        }
    }
}
