import Foundation

/// The real services the tests talk to, found through the environment that
/// `scripts/test-stack.sh env` prints.
///
/// Outside CI a test whose service is not configured is disabled (use
/// `@Test(.enabled(if: TestServices.isAvailable(.postgres)))`); with `CI=true` it always runs,
/// and `TestServices.url(for:)` throws, so a missing service fails the run instead of
/// skipping quietly.
public enum TestServices {
    public enum Service: String, Sendable, CaseIterable {
        case postgres = "DABROKER_TEST_POSTGRES_URL"
        case mysql = "DABROKER_TEST_MYSQL_URL"
        case amqp = "DABROKER_TEST_AMQP_URL"
    }

    public struct Missing: Error, CustomStringConvertible {
        public let service: Service
        public var description: String {
            "\(service.rawValue) is not set: start the services with `eval \"$(bash scripts/test-stack.sh up)\"`"
        }
    }

    /// Whether the run is CI's (`CI=true`), where no test may skip for a missing service.
    public static var isCI: Bool {
        let v = ProcessInfo.processInfo.environment["CI"]?.lowercased()
        return v == "true" || v == "1" || v == "yes"
    }

    /// Whether tests of `service` should run: its URL is set, or this is CI.
    public static func isAvailable(_ service: Service) -> Bool {
        isCI || ProcessInfo.processInfo.environment[service.rawValue].map { !$0.isEmpty } == true
    }

    /// The URL of `service`; throws `Missing` when it is not configured.
    public static func url(for service: Service) throws -> String {
        guard let v = ProcessInfo.processInfo.environment[service.rawValue], !v.isEmpty else {
            throw Missing(service: service)
        }
        return v
    }
}
