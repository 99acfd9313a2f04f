import ArgumentParser
import DaBrokerCore
import DaBrokerSQL
import Foundation

/// Turns errors into messages on standard error and exit codes: 2 for configuration
/// mistakes, 1 for everything else.
enum CLIErrors {
    static func reporting(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            throw ExitCode(2)
        } catch let error as ExitCode {
            throw error
        } catch let error as BrokerError {
            FileHandle.standardError.write(Data("error: \(error.kind.rawValue): \(error.message)\n".utf8))
            throw ExitCode(1)
        } catch let error as DatabaseError {
            // The operator's own database: its text helps (a syntax error in a migration).
            FileHandle.standardError.write(Data("error: \(error.detailedDescription)\n".utf8))
            throw ExitCode(1)
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
