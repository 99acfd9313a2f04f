import DaBrokerCore
import Logging

extension RequestContext {
    /// Adds the current request's `request_id` (and `method`, once known) to every log line
    /// written while the request is served: pass it to `LoggingSystem.bootstrap(_:metadataProvider:)`.
    public static let loggingMetadata = Logger.MetadataProvider {
        guard let context = RequestContext.current else { return [:] }
        var metadata: Logger.Metadata = ["request_id": .string(context.id)]
        if let method = context.method { metadata["method"] = .string(method) }
        return metadata
    }
}
