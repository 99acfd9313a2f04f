import DaBrokerCore

extension BrokerServer {
    private func writableLoader(for key: ObjectKey, _ op: String) throws -> any ServerWritableLoader {
        guard let l = try loader(for: key) as? any ServerWritableLoader else {
            throw BrokerError.readOnly("\(op): \(key) is not served by a loader that server code can write through")
        }
        return l
    }

    /// Server code: changes the object at `key` through its loader (a SQL row: inside
    /// `withSession`), then broadcasts the changed exported attributes. Static objects are
    /// changed with ``objUpdate(_:_:)``.
    public func objUpdate(key: ObjectKey, _ values: [String: Value]) async throws {
        try await writableLoader(for: key, "objUpdate").objUpdate(key, values)
    }

    /// Server code: deletes the object at `key` through its loader and broadcasts it.
    public func objDelete(key: ObjectKey) async throws {
        try await writableLoader(for: key, "objDelete").objDelete(key)
    }
}
