import COpenSSL

/// Secret scalars (a trustee's encryption secret and polynomial, a key share) kept in one heap
/// buffer that is overwritten with zeros (`OPENSSL_cleanse`) when the last reference to it is
/// dropped (protocol.md §8). Values read out for arithmetic are short-lived stack copies.
final class SecretScalars<G: PrimeOrderGroup>: @unchecked Sendable {
    // Written only in init, read-only afterwards: safe to share between threads.
    private let storage: UnsafeMutablePointer<UInt64>
    let count: Int

    /// `make(j)` gives the j-th scalar; it is written straight into the buffer.
    init(count: Int, _ make: (Int) throws(CryptoError) -> Scalar<G>) throws(CryptoError) {
        self.count = count
        storage = .allocate(capacity: max(1, 4 * count))
        storage.initialize(repeating: 0, count: max(1, 4 * count))
        for j in 0..<count {
            let s: Scalar<G>
            do { s = try make(j) } catch {
                Self.cleanse(storage, count)
                storage.deallocate()
                throw error
            }
            (storage[4 * j], storage[4 * j + 1], storage[4 * j + 2], storage[4 * j + 3]) = s.limbs
        }
    }

    subscript(j: Int) -> Scalar<G> {
        precondition(j >= 0 && j < count)
        return Scalar(limbs: (storage[4 * j], storage[4 * j + 1], storage[4 * j + 2], storage[4 * j + 3]))
    }

    private static func cleanse(_ p: UnsafeMutablePointer<UInt64>, _ count: Int) {
        OPENSSL_cleanse(UnsafeMutableRawPointer(p), max(1, 4 * count) * MemoryLayout<UInt64>.size)
    }

    deinit {
        Self.cleanse(storage, count)
        storage.deallocate()
    }
}
