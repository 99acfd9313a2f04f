import Testing

@testable import DaBrokerCLI

/// `console:`: the web console is on by default only on a loopback HTTP transport.
@Suite("Configuration: console")
struct ConsoleSettingsTests {
    let loader = ConfigurationLoader(environment: [:])

    @Test func onByDefaultOnlyOnLoopback() throws {
        let loopback = try loader.parse(yaml: "http:\n  host: 127.0.0.1\n", file: "gw.yaml")
        #expect(loopback.console == nil)
        #expect(loopback.consoleEnabled)
        let open = try loader.parse(yaml: "http:\n  host: 0.0.0.0\n", file: "gw.yaml")
        #expect(!open.consoleEnabled)
        let noHTTP = try loader.parse(yaml: "database: sqlite:x.db\n", file: "gw.yaml")
        #expect(!noHTTP.consoleEnabled)
    }

    @Test func configurableEitherWay() throws {
        let on = try loader.parse(yaml: "http:\n  host: 0.0.0.0\nconsole: true\n", file: "gw.yaml")
        #expect(on.consoleEnabled)
        let off = try loader.parse(yaml: "http:\n  host: 127.0.0.1\nconsole: false\n", file: "gw.yaml")
        #expect(!off.consoleEnabled)
        let e = try #require(
            throws: ConfigurationError.self,
            performing: { try loader.parse(yaml: "console: maybe\n", file: "gw.yaml") })
        #expect(e.location?.line == 1)
    }
}
