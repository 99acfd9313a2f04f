import Logging

/// A log handler for a server whose requests each set logger metadata: it keeps a logger's
/// own metadata and hands it to `inner` only with a line that is written.
///
/// Wrap swift-log's `StreamLogHandler` in it. That handler formats its metadata into text each
/// time a key is set, and the HTTP server sets one (a request id) on every request's logger;
/// most requests then log nothing, so that text was built for nothing (about 5 % of
/// `dabroker serve`'s CPU per REST read under `wrk`, docs/performance-rounds.md). The lines
/// are the same: the stored metadata, the provider's and the line's own, merged in swift-log's
/// order (a later one wins a key), reach `inner` as the line's own.
public struct DeferredMetadataLogHandler: LogHandler {
    private var inner: any LogHandler
    /// The logger's own metadata, kept as set.
    public var metadata: Logger.Metadata = [:]

    /// A handler that writes through `inner`.
    public init(_ inner: any LogHandler) { self.inner = inner }

    public var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    public var metadataProvider: Logger.MetadataProvider? {
        get { inner.metadataProvider }
        set { inner.metadataProvider = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        guard !metadata.isEmpty else { return inner.log(event: event) }
        var all = metadata
        if let provided = inner.metadataProvider?.get() { all.merge(provided) { _, new in new } }
        if let own = event.metadata { all.merge(own) { _, new in new } }
        var event = event
        event.metadata = all
        var plain = inner
        plain.metadataProvider = nil
        plain.log(event: event)
    }
}
