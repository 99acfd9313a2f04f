import DaBrokerCore

/// An RFC 9457 problem (`application/problem+json`): the answer of every failed REST call.
/// Its `detail` follows the server's rules: it names tables, columns and constraints, never
/// a value and never a hidden column.
struct RESTProblem: Error, Sendable {
    var status: Int
    var title: String
    var detail: String
    /// The DaBroker error class (`NoData`, `StaleData`…), when the server gave one.
    var kind: String?
    var headers: [(name: String, value: String)] = []

    init(_ status: Int, _ detail: String, kind: String? = nil) {
        self.status = status
        self.title = Self.titles[status] ?? "Error"
        self.detail = detail
        self.kind = kind
    }

    /// The problem for an error reply of the server.
    init(_ error: BrokerError) {
        self.init(Self.status(error.kind), error.message, kind: error.kind.rawValue)
    }

    static func status(_ kind: BrokerError.Kind) -> Int {
        switch kind {
        case .noData: return 404
        case .manyData: return 409
        case .unknownCommand: return 405
        case .accessDenied, .readOnly: return 403
        case .staleData: return 412
        case .badRequest: return 400
        case .unavailable: return 503
        case .internal: return 500
        case .notNull, .check, .invalidValue, .outOfRange, .notWritable, .noPartition, .foreignKey: return 422
        case .unique, .referenced: return 409
        }
    }

    static let titles: [Int: String] = [
        400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
        406: "Not Acceptable", 409: "Conflict", 412: "Precondition Failed", 413: "Content Too Large",
        415: "Unsupported Media Type", 422: "Unprocessable Content", 428: "Precondition Required",
        500: "Internal Server Error", 503: "Service Unavailable",
    ]

    var response: RESTResponse {
        var body: [(String, Value)] = [
            ("type", "about:blank"), ("title", .string(title)), ("status", .int(Int64(status))),
            ("detail", .string(detail)),
        ]
        if let kind { body.append(("dabroker_error", .string(kind))) }
        var r = RESTResponse(status: status, json: RESTJSON.object(body), contentType: "application/problem+json")
        r.headers += headers
        return r
    }
}

/// A response under construction.
struct RESTResponse: Sendable {
    var status: Int
    var headers: [(name: String, value: String)] = []
    var body: [UInt8] = []

    init(status: Int, json: [UInt8], contentType: String = "application/json") {
        self.status = status
        self.body = json
        headers.append(("Content-Type", contentType))
    }

    init(status: Int) { self.status = status }
}
