import COpenSSL

#if _endian(big)
#error("Dauys assumes a little-endian machine (scalar limbs are read as little-endian bytes)")
#endif

/// Owns one OpenSSL BIGNUM. Shared instances are never mutated after construction.
public final class BigNum: @unchecked Sendable {
    let ptr: OpaquePointer

    init() { ptr = BN_new()! }
    init(taking p: OpaquePointer) { ptr = p }
    init(hex: String) {
        var p: OpaquePointer? = nil
        let cleaned = hex.filter { !$0.isWhitespace }
        precondition(BN_hex2bn(&p, cleaned) > 0, "bad built-in hex constant")
        ptr = p!
    }
    init(word: UInt) {
        ptr = BN_new()!
        BN_set_word(ptr, word)
    }
    init<B: Collection>(bigEndian bytes: B) where B.Element == UInt8 {
        let a = Array(bytes)
        ptr = a.withUnsafeBufferPointer { BN_bin2bn($0.baseAddress, Int32(a.count), nil)! }
    }
    deinit { BN_clear_free(ptr) }

    /// Big-endian, left-padded to `count` bytes (the value must fit).
    func bigEndianBytes(count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        let n = out.withUnsafeMutableBufferPointer { BN_bn2binpad(ptr, $0.baseAddress, Int32(count)) }
        precondition(n == count, "value does not fit in \(count) bytes")
        return out
    }

    var bitCount: Int { Int(BN_num_bits(ptr)) }
    func compare(_ other: BigNum) -> Int32 { BN_cmp(ptr, other.ptr) }
    var isZero: Bool { BN_is_zero(ptr) == 1 }
    var isOne: Bool { BN_is_one(ptr) == 1 }
}

/// A BN_CTX scratch area for one operation. OpenSSL contexts may not be shared between
/// threads, so each thread keeps its own (created on first use, freed when the thread ends);
/// the body runs inside a BN_CTX_start/BN_CTX_end frame so nested uses are safe. The body
/// must not suspend (it is synchronous), so it cannot move to another thread midway.
@inline(__always)
func withBNContext<R>(_ body: (OpaquePointer) throws -> R) rethrows -> R {
    let ctx = threadBNContext()
    BN_CTX_start(ctx)
    defer { BN_CTX_end(ctx) }
    return try body(ctx)
}

private let bnContextKey: pthread_key_t = {
    var key = pthread_key_t()
    precondition(pthread_key_create(&key, { p in BN_CTX_free(OpaquePointer(p)) }) == 0)
    return key
}()

@inline(__always)
private func threadBNContext() -> OpaquePointer {
    if let p = pthread_getspecific(bnContextKey) { return OpaquePointer(p) }
    let ctx = BN_CTX_new()!
    precondition(pthread_setspecific(bnContextKey, UnsafeRawPointer(ctx)) == 0)
    return ctx
}

/// Arithmetic modulo a prime group order q (at most 256 bits), on OpenSSL BIGNUM.
///
/// Secret-dependent operations use OpenSSL's constant-time paths: `BN_mod_add_quick`
/// (masked conditional subtraction) and Montgomery multiplication, with `BN_FLG_CONSTTIME`
/// set on every operand. Inversion (`BN_mod_inverse`) is variable-time and only applied to
/// public values (Lagrange coefficients).
public final class ScalarField: @unchecked Sendable {
    let q: BigNum
    let mont: OpaquePointer
    /// Bytes in a canonical scalar encoding.
    public let byteCount: Int
    /// The order q, big-endian.
    public let orderBytes: [UInt8]

    init(order: BigNum) {
        precondition(order.bitCount <= 256, "scalar fields wider than 256 bits are not supported")
        q = order
        byteCount = (order.bitCount + 7) / 8
        orderBytes = order.bigEndianBytes(count: byteCount)
        mont = BN_MONT_CTX_new()!
        withBNContext { ctx in precondition(BN_MONT_CTX_set(mont, q.ptr, ctx) == 1) }
    }
    deinit { BN_MONT_CTX_free(mont) }

    // MARK: limbs <-> BIGNUM

    @inline(__always)
    func bn(_ l: ScalarLimbs) -> OpaquePointer {
        var l = l
        let p = withUnsafeBytes(of: &l) { BN_lebin2bn($0.baseAddress!.assumingMemoryBound(to: UInt8.self), 32, nil)! }
        BN_set_flags(p, BN_FLG_CONSTTIME)
        return p
    }
    /// Loads limbs into a temporary of the current BN_CTX frame (no allocation).
    @inline(__always)
    func load(_ l: ScalarLimbs, _ ctx: OpaquePointer) -> OpaquePointer {
        var l = l
        let p = BN_CTX_get(ctx)!
        withUnsafeBytes(of: &l) { _ = BN_lebin2bn($0.baseAddress!.assumingMemoryBound(to: UInt8.self), 32, p) }
        BN_set_flags(p, BN_FLG_CONSTTIME)
        return p
    }
    @inline(__always)
    func limbs(_ p: OpaquePointer) -> ScalarLimbs {
        var l: ScalarLimbs = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &l) {
            _ = BN_bn2lebinpad(p, $0.baseAddress!.assumingMemoryBound(to: UInt8.self), 32)
        }
        return l
    }

    // MARK: arithmetic

    func add(_ a: ScalarLimbs, _ b: ScalarLimbs) -> ScalarLimbs {
        withBNContext { ctx in
            let x = load(a, ctx), y = load(b, ctx), r = BN_CTX_get(ctx)!
            precondition(BN_mod_add_quick(r, x, y, q.ptr) == 1)
            return limbs(r)
        }
    }
    func negate(_ a: ScalarLimbs) -> ScalarLimbs {
        // q − a is in [1, q]; adding zero with the masked reduction maps q to 0.
        withBNContext { ctx in
            let x = load(a, ctx), t = BN_CTX_get(ctx)!, zero = BN_CTX_get(ctx)!, r = BN_CTX_get(ctx)!
            BN_zero_ex(zero)
            precondition(BN_usub(t, q.ptr, x) == 1)
            precondition(BN_mod_add_quick(r, zero, t, q.ptr) == 1)
            return limbs(r)
        }
    }
    func subtract(_ a: ScalarLimbs, _ b: ScalarLimbs) -> ScalarLimbs {
        withBNContext { ctx in
            let x = load(a, ctx), y = load(b, ctx), t = BN_CTX_get(ctx)!, r = BN_CTX_get(ctx)!
            precondition(BN_usub(t, q.ptr, y) == 1)
            precondition(BN_mod_add_quick(r, x, t, q.ptr) == 1)
            return limbs(r)
        }
    }
    func multiply(_ a: ScalarLimbs, _ b: ScalarLimbs) -> ScalarLimbs {
        withBNContext { ctx in
            let x = load(a, ctx), y = load(b, ctx), t = BN_CTX_get(ctx)!, r = BN_CTX_get(ctx)!
            // mont(x, y) = x·y·R⁻¹; to_mont(·) multiplies by R again.
            precondition(BN_mod_mul_montgomery(t, x, y, mont, ctx) == 1)
            precondition(BN_to_montgomery(r, t, mont, ctx) == 1)
            return limbs(r)
        }
    }
    /// Inverse of a public non-zero value.
    func inverse(_ a: ScalarLimbs) -> ScalarLimbs? {
        let x = bn(a), r = BN_new()!
        defer {
            BN_clear_free(x)
            BN_clear_free(r)
        }
        BN_set_flags(x, 0)
        let ok = withBNContext { ctx in BN_mod_inverse(r, x, q.ptr, ctx) != nil }
        return ok ? limbs(r) : nil
    }
    /// Reduces a big-endian integer of any length modulo q.
    func reduce<B: Collection>(bigEndian bytes: B) -> ScalarLimbs where B.Element == UInt8 {
        let a = Array(bytes)
        let x = a.withUnsafeBufferPointer { BN_bin2bn($0.baseAddress, Int32(a.count), nil)! }
        let r = BN_new()!
        defer {
            BN_clear_free(x)
            BN_clear_free(r)
        }
        withBNContext { ctx in precondition(BN_nnmod(r, x, q.ptr, ctx) == 1) }
        return limbs(r)
    }
    /// Uniform in [0, q) by rejection sampling from OpenSSL's private DRBG.
    func random() -> ScalarLimbs {
        let r = BN_new()!
        defer { BN_clear_free(r) }
        precondition(BN_priv_rand_range(r, q.ptr) == 1, "the system random number generator failed")
        return limbs(r)
    }
    /// True iff the big-endian bytes encode an integer < q.
    func isReduced<B: Collection>(bigEndian bytes: B) -> Bool where B.Element == UInt8 {
        // Lexicographic comparison of equal-length big-endian strings is numeric comparison.
        guard bytes.count == byteCount else { return false }
        for (x, y) in zip(bytes, orderBytes) where x != y { return x < y }
        return false
    }
    func bigEndian(_ l: ScalarLimbs) -> [UInt8] {
        var l = l
        let le = withUnsafeBytes(of: &l) { Array($0) }
        return Array(le[0..<byteCount].reversed())
    }
    func fromBigEndian<B: Collection>(_ bytes: B) -> ScalarLimbs where B.Element == UInt8 {
        var l: ScalarLimbs = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &l) { buf in
            for (i, b) in bytes.reversed().enumerated() { buf[i] = b }
        }
        return l
    }
}

/// Four 64-bit little-endian limbs; a tuple so that its memory is exactly 32 contiguous bytes.
typealias ScalarLimbs = (UInt64, UInt64, UInt64, UInt64)
