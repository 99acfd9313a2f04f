/// Settings of the REST face (``RESTFace``).
public struct RESTConfiguration: Sendable, Hashable {
    /// The path prefix, starting with `/`, without a trailing `/` (default `/api`).
    public var prefix: String
    /// Whether `PATCH` and `DELETE` need an `If-Match` header (default: yes; without one
    /// they get 428). When off, a missing `If-Match` skips the ETag check (the update's own
    /// old-value check still applies).
    public var requireIfMatch: Bool
    /// Rows per page of `GET {prefix}/{table}` when the request gives no `limit`.
    public var defaultLimit: Int

    public init(prefix: String = "/api", requireIfMatch: Bool = true, defaultLimit: Int = 100) {
        self.prefix = prefix
        self.requireIfMatch = requireIfMatch
        self.defaultLimit = defaultLimit
    }
}
