import CMariaDB

/// An array of `MYSQL_BIND`s together with every buffer they point to, allocated and freed
/// here: libmariadb only borrows the pointers, so this object must outlive the execute/fetch
/// calls that use them.
final class MariaDBBinds {
    let count: Int
    let binds: UnsafeMutablePointer<MYSQL_BIND>
    let lengths: UnsafeMutablePointer<UInt>
    let nulls: UnsafeMutablePointer<my_bool>
    let errors: UnsafeMutablePointer<my_bool>
    private var buffers: [UnsafeMutableRawPointer?]

    init(count: Int) {
        self.count = count
        let n = max(count, 1)
        binds = .allocate(capacity: n)
        binds.initialize(repeating: MYSQL_BIND(), count: n)
        lengths = .allocate(capacity: n)
        lengths.initialize(repeating: 0, count: n)
        nulls = .allocate(capacity: n)
        nulls.initialize(repeating: 0, count: n)
        errors = .allocate(capacity: n)
        errors.initialize(repeating: 0, count: n)
        buffers = Array(repeating: nil, count: n)
    }

    deinit {
        for b in buffers { b?.deallocate() }
        binds.deallocate()
        lengths.deallocate()
        nulls.deallocate()
        errors.deallocate()
    }

    /// Gives bind `i` a fresh buffer of `size` bytes (zeroed) of type `type`; returns it.
    @discardableResult
    func allocate(_ i: Int, type: enum_field_types, size: Int, unsigned: Bool = false) -> UnsafeMutableRawPointer {
        buffers[i]?.deallocate()
        let size = max(size, 1)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        buffer.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        buffers[i] = buffer
        binds[i].buffer_type = type
        binds[i].buffer = buffer
        binds[i].buffer_length = UInt(size)
        binds[i].is_unsigned = unsigned ? 1 : 0
        binds[i].length = lengths + i
        binds[i].is_null = nulls + i
        binds[i].error = errors + i
        return buffer
    }

    /// Binds `bytes` (copied) as a parameter of type `type`.
    func set(_ i: Int, type: enum_field_types, bytes: some Collection<UInt8>) {
        let buffer = allocate(i, type: type, size: bytes.count)
        buffer.copyMemory(from: Array(bytes), byteCount: bytes.count)
        lengths[i] = UInt(bytes.count)
    }

    /// Binds a fixed-size value (integer, double, `MYSQL_TIME`).
    func set<T>(_ i: Int, type: enum_field_types, value: T, unsigned: Bool = false) {
        let buffer = allocate(i, type: type, size: MemoryLayout<T>.size, unsigned: unsigned)
        buffer.storeBytes(of: value, as: T.self)
        lengths[i] = UInt(MemoryLayout<T>.size)
    }

    /// Binds SQL NULL.
    func setNull(_ i: Int) {
        allocate(i, type: MYSQL_TYPE_NULL, size: 1)
        nulls[i] = 1
    }

    func buffer(_ i: Int) -> UnsafeMutableRawPointer? { buffers[i] }
}
