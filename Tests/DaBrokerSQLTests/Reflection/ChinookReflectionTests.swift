import DaBrokerSQL
import DaBrokerTestSupport
import Foundation
import Testing

/// Chinook, loaded from its script for each database, reflects to the same model on all three
/// (modulo naming case: PostgreSQL's script is snake_case, the others PascalCase).
@Suite("Reflection: Chinook")
struct ChinookReflectionTests {
    @Test("Chinook reflects identically", arguments: ReflectionBackend.available)
    func chinook(_ backend: ReflectionBackend) async throws {
        let script = try ChinookScript.text(for: backend.kind)
        try await backend.withFreshDatabase("refl_chinook") { connection in
            try await ChinookScript.run(script, on: connection)
            let schema = try await SchemaReflector.reflect(connection)
            let model = ReflectedModel(schema: schema)
            #expect(schema.tables.count == 11)
            #expect(schema.notices.isEmpty, "\(schema.notices)")
            let lines = CanonicalSchema.lines(model)
            #expect(lines == Self.expected, "\(lines.joined(separator: "\n"))")

            // The acceptance cases, spelled out.
            let n = CanonicalSchema.normalise
            func table(_ name: String) throws -> ReflectedTable {
                try #require(model.tables.values.first { n($0.key) == name }, "no table \(name)")
            }
            #expect(try table("playlisttrack").table.primaryKey.map(n) == ["playlistid", "trackid"])
            let employee = try table("employee")
            let manager = try #require(employee.refs.first { n($0.name) == "reportstoref" })
            #expect(manager.target == employee.key)
            #expect(employee.backrefs.map { n($0.name) }.sorted() == ["customer", "employee"])
            let customer = try table("customer")
            let rep = try #require(customer.refs.first { n($0.name) == "supportrep" })
            #expect(rep.target == employee.key)
            #expect(customer.table.column(rep.foreignKey.columns[0])?.isNullable == true)
            for (name, backrefs) in [
                ("artist", ["album"]), ("album", ["track"]), ("genre", ["track"]), ("mediatype", ["track"]),
                ("invoice", ["invoiceline"]),
            ] {
                #expect(try table(name).backrefs.map { n($0.name) } == backrefs, "backrefs of \(name)")
            }
        }
    }

    static let expected: [String] = [
        "table album pk(albumid)",
        "  col albumid int",
        "  col title string",
        "  col artistid int",
        "  ref artist (artistid) -> artist(artistid)",
        "  backref track <- track(albumid) ref album",
        "table artist pk(artistid)",
        "  col artistid int",
        "  col name string null",
        "  backref album <- album(artistid) ref artist",
        "table customer pk(customerid)",
        "  col customerid int",
        "  col firstname string",
        "  col lastname string",
        "  col company string null",
        "  col address string null",
        "  col city string null",
        "  col state string null",
        "  col country string null",
        "  col postalcode string null",
        "  col phone string null",
        "  col fax string null",
        "  col email string",
        "  col supportrepid int null",
        "  ref supportrep (supportrepid) -> employee(employeeid)",
        "  backref invoice <- invoice(customerid) ref customer",
        "table employee pk(employeeid)",
        "  col employeeid int",
        "  col lastname string",
        "  col firstname string",
        "  col title string null",
        "  col reportsto int null",
        "  col birthdate timestamp null",
        "  col hiredate timestamp null",
        "  col address string null",
        "  col city string null",
        "  col state string null",
        "  col country string null",
        "  col postalcode string null",
        "  col phone string null",
        "  col fax string null",
        "  col email string null",
        "  ref reportstoref (reportsto) -> employee(employeeid)",
        "  backref customer <- customer(supportrepid) ref supportrep",
        "  backref employee <- employee(reportsto) ref reportstoref",
        "table genre pk(genreid)",
        "  col genreid int",
        "  col name string null",
        "  backref track <- track(genreid) ref genre",
        "table invoice pk(invoiceid)",
        "  col invoiceid int",
        "  col customerid int",
        "  col invoicedate timestamp",
        "  col billingaddress string null",
        "  col billingcity string null",
        "  col billingstate string null",
        "  col billingcountry string null",
        "  col billingpostalcode string null",
        "  col total decimal",
        "  ref customer (customerid) -> customer(customerid)",
        "  backref invoiceline <- invoiceline(invoiceid) ref invoice",
        "table invoiceline pk(invoicelineid)",
        "  col invoicelineid int",
        "  col invoiceid int",
        "  col trackid int",
        "  col unitprice decimal",
        "  col quantity int",
        "  ref invoice (invoiceid) -> invoice(invoiceid)",
        "  ref track (trackid) -> track(trackid)",
        "table mediatype pk(mediatypeid)",
        "  col mediatypeid int",
        "  col name string null",
        "  backref track <- track(mediatypeid) ref mediatype",
        "table playlist pk(playlistid)",
        "  col playlistid int",
        "  col name string null",
        "  backref playlisttrack <- playlisttrack(playlistid) ref playlist",
        "table playlisttrack pk(playlistid,trackid)",
        "  col playlistid int",
        "  col trackid int",
        "  ref playlist (playlistid) -> playlist(playlistid)",
        "  ref track (trackid) -> track(trackid)",
        "table track pk(trackid)",
        "  col trackid int",
        "  col name string",
        "  col albumid int null",
        "  col mediatypeid int",
        "  col genreid int null",
        "  col composer string null",
        "  col milliseconds int",
        "  col bytes int null",
        "  col unitprice decimal",
        "  ref album (albumid) -> album(albumid)",
        "  ref genre (genreid) -> genre(genreid)",
        "  ref mediatype (mediatypeid) -> mediatype(mediatypeid)",
        "  backref invoiceline <- invoiceline(trackid) ref track",
        "  backref playlisttrack <- playlisttrack(trackid) ref track",
    ]
}
