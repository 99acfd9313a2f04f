import DaBrokerSQL
import DaBrokerTestSupport
import Foundation
import Testing

@testable import DaBrokerCLI

/// Issue 15: `dabroker models` on the existing-database fixture schemas (shared with
/// DaBrokerServerTests): enum labels, defaults, writability, nullability, partitions and
/// inheritance, names never cut.
@Suite("dabroker models on the existing-database fixtures")
struct ExistingModelsTests {
    enum Backend: String, CaseIterable, Sendable {
        case sqlite, postgres, mariadb
        var kind: DatabaseKind { self == .sqlite ? .sqlite : self == .postgres ? .postgres : .mysql }
        static var available: [Backend] { allCases.filter { TestDatabases.isAvailable($0.kind) } }
    }

    @Test(arguments: Backend.available)
    func listing(_ backend: Backend) async throws {
        let name = "existing_conf_models"
        let url = try await TestDatabases.create(backend.kind, named: name)
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("DaBrokerServerTests/Existing/Fixtures/existing-\(backend.rawValue).sql")
        let db = try await Database.open(url: url)
        for statement in ChinookScript.statements(of: try String(contentsOf: file, encoding: .utf8)) {
            _ = try await db.execute(statement)
        }
        var config = GatewayConfiguration()
        config.database = url
        let model = try await GatewayDatabase.reflect(db, config)
        await db.close()
        let plan = try ExportPlan(configuration: config, model: model, databaseKind: backend.rawValue)
        let text = ModelsListing.table(plan)
        let item = try #require(plan.table("item"))
        let doubled = try #require(item.fields.first { $0.name == "doubled" })
        #expect(!doubled.writable)
        #expect(text.contains("read-only"))
        #expect(item.fields.first { $0.name == "mood" }?.enumValues == ["happy", "sad", "ok"])
        #expect(text.contains("one of 'happy', 'sad', 'ok'"))
        #expect(item.fields.first { $0.name == "qty" }?.default != nil)
        #expect(item.fields.first { $0.name == "title" }?.nullable == false)
        // Every ref and backref name appears whole.
        for t in plan.tables {
            for n in t.refs.map(\.name) + t.backrefs.map(\.name) { #expect(text.contains(" \(n) "), "\(n) cut") }
        }
        if backend == .postgres {
            #expect(plan.table("urgent_note") == nil, "an inheritance child is not exported by default")
            #expect(plan.table("measurement_2025") == nil)
            #expect(plan.table("measurement")?.refs.map(\.target) == ["category"])
            #expect(plan.table("audited")?.notices.isEmpty == true)  // readOnly by default: nothing downgraded
            #expect(plan.notices.contains { $0.contains("urgent_note") && $0.contains("tables:") })
            #expect(!plan.notices.contains { $0.contains("urgent_note has no primary key") })
            #expect(item.fields.first { $0.name == "doubled" }?.default == nil, "a generation expression is no default")
            #expect(plan.table("serial_no")?.fields.first { $0.name == "id" }?.writable == false)
        }
        let json = ModelsListing.json(plan)
        #expect(json.contains("\"writable\" : false"))
        #expect(json.contains("\"enumValues\" : ["))
        try? await TestDatabases.drop(backend.kind, named: name)
    }
}
