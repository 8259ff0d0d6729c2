import COpenSSL

/// NIST P-256 (secp256r1, SEC 2 §2.4.2), cofactor 1, on OpenSSL's EC_GROUP/EC_POINT.
///
/// Encoding: the SEC 1 §2.3.3 *uncompressed* form `04 ‖ x ‖ y` (65 bytes, x, y < p, point on
/// the curve). The neutral element, which SEC 1 encodes as one zero byte, is written as 65
/// zero bytes to keep the length fixed. Uncompressed points decode ~15× faster than
/// compressed ones (no square root), which dominates verification of millions of ballots.
/// Because the cofactor is 1, every point on the curve is in the prime-order group.
public enum P256: PrimeOrderGroup {
    public typealias Representation = ECPoint
    public typealias FixedBaseTable = ECFixedBase

    public static let name = "P-256"
    public static let elementByteCount = 65
    static let curve = ECCurve(nid: NID_X9_62_prime256v1)
    public static let scalarField = ScalarField(order: curve.order)

    public static var generatorRepresentation: ECPoint { curve.generator }
    public static var identityRepresentation: ECPoint { curve.identity }

    public static func isIdentity(_ a: ECPoint) -> Bool { EC_POINT_is_at_infinity(curve.group, a.ptr) == 1 }
    public static func equal(_ a: ECPoint, _ b: ECPoint) -> Bool {
        withBNContext { EC_POINT_cmp(curve.group, a.ptr, b.ptr, $0) == 0 }
    }
    public static func add(_ a: ECPoint, _ b: ECPoint) -> ECPoint {
        let r = ECPoint(curve.group)
        withBNContext { precondition(EC_POINT_add(curve.group, r.ptr, a.ptr, b.ptr, $0) == 1) }
        return r
    }
    public static func negate(_ a: ECPoint) -> ECPoint {
        let r = ECPoint(copying: a.ptr, curve.group)
        withBNContext { precondition(EC_POINT_invert(curve.group, r.ptr, $0) == 1) }
        return r
    }
    /// Constant-time variable-base multiplication (OpenSSL's windowed/ladder path).
    public static func multiply(_ a: ECPoint, _ k: Scalar<P256>) -> ECPoint {
        let r = ECPoint(curve.group)
        let kb = scalarField.bn(k.limbs)
        defer { BN_clear_free(kb) }
        withBNContext { precondition(EC_POINT_mul(curve.group, r.ptr, nil, a.ptr, kb, $0) == 1) }
        return r
    }
    /// Constant-time k·G from OpenSSL's built-in precomputed table.
    public static func multiplyGenerator(_ k: Scalar<P256>) -> ECPoint {
        let r = ECPoint(curve.group)
        let kb = scalarField.bn(k.limbs)
        defer { BN_clear_free(kb) }
        withBNContext { precondition(EC_POINT_mul(curve.group, r.ptr, kb, nil, nil, $0) == 1) }
        return r
    }
    public static func makeFixedBase(_ a: ECPoint) -> ECFixedBase { ECFixedBase(curve: curve, base: a) }
    public static func multiply(fixed t: ECFixedBase, _ k: Scalar<P256>) -> ECPoint {
        let r = ECPoint(curve.group)
        let kb = scalarField.bn(k.limbs)
        defer { BN_clear_free(kb) }
        withBNContext { precondition(EC_POINT_mul(t.group, r.ptr, kb, nil, nil, $0) == 1) }
        return r
    }

    /// One call to OpenSSL's multi-scalar multiplication (interleaved windows, shared doublings).
    public static func linearCombination(
        generator: Scalar<P256>, fixed: [(ECFixedBase, Scalar<P256>)], terms: [(ECPoint, Scalar<P256>)]
    ) -> ECPoint {
        let r = ECPoint(curve.group)
        let g = scalarField.bn(generator.limbs)
        var points = terms.map { Optional($0.0.ptr) }
        var scalars = terms.map { Optional(scalarField.bn($0.1.limbs)) }
        defer {
            BN_free(g)
            scalars.forEach { BN_free($0) }
        }
        withBNContext { ctx in
            let ok = points.withUnsafeMutableBufferPointer { pp in
                scalars.withUnsafeMutableBufferPointer { sp in
                    EC_POINTs_mul(
                        curve.group, r.ptr, g, pp.count,
                        UnsafeMutableRawPointer(pp.baseAddress)?.assumingMemoryBound(to: OpaquePointer?.self),
                        UnsafeMutableRawPointer(sp.baseAddress)?.assumingMemoryBound(to: OpaquePointer?.self),
                        ctx)
                }
            }
            precondition(ok == 1, "EC_POINTs_mul failed")
            for (t, k) in fixed {
                let part = multiply(fixed: t, k)
                precondition(EC_POINT_add(curve.group, r.ptr, r.ptr, part.ptr, ctx) == 1)
            }
        }
        return r
    }

    public static func encode(_ a: ECPoint) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 65)
        if isIdentity(a) { return out }
        let n = withBNContext { ctx in
            out.withUnsafeMutableBufferPointer {
                EC_POINT_point2oct(curve.group, a.ptr, POINT_CONVERSION_UNCOMPRESSED, $0.baseAddress, 65, ctx)
            }
        }
        precondition(n == 65)
        return out
    }

    public static func decode(_ bytes: ArraySlice<UInt8>, allowIdentity: Bool) throws(CryptoError) -> ECPoint {
        guard bytes.count == 65 else {
            throw .invalidEncoding("P-256 point: \(bytes.count) bytes, expected 65 (04 ‖ x ‖ y)")
        }
        let b = Array(bytes)
        if b.allSatisfy({ $0 == 0 }) {
            guard allowIdentity else { throw .identityNotAllowed("P-256 point at infinity") }
            return curve.identity
        }
        guard b[0] == 0x04 else {
            throw .invalidEncoding("P-256 point: prefix byte \(b[0]), expected 4 (uncompressed form)")
        }
        guard curve.isFieldElement(b[1..<33]), curve.isFieldElement(b[33..<65]) else {
            throw .invalidEncoding("P-256 point: coordinate not reduced modulo p")
        }
        let r = ECPoint(curve.group)
        // EC_POINT_oct2point checks that (x, y) satisfies the curve equation.
        let ok = withBNContext { ctx in
            b.withUnsafeBufferPointer { EC_POINT_oct2point(curve.group, r.ptr, $0.baseAddress, 65, ctx) }
        }
        guard ok == 1 else {
            ERR_clear_error()
            throw .notInGroup("P-256 point is not on the curve")
        }
        return r
    }

    public static func lookupKey(_ a: ECPoint) -> UInt64 {
        let e = encode(a)
        return e[1..<9].reduce(0) { $0 << 8 | UInt64($1) }
    }
}

/// Owns an EC_POINT. Never mutated once handed out.
public final class ECPoint: @unchecked Sendable {
    let ptr: OpaquePointer
    init(_ group: OpaquePointer) { ptr = EC_POINT_new(group)! }
    init(copying p: OpaquePointer, _ group: OpaquePointer) { ptr = EC_POINT_dup(p, group)! }
    deinit { EC_POINT_free(ptr) }
}

/// The curve and its constants. The EC_GROUP is read-only after construction, which makes it
/// safe to share between threads.
final class ECCurve: @unchecked Sendable {
    let group: OpaquePointer
    let order: BigNum
    let fieldBytes: [UInt8]
    let generator: ECPoint
    let identity: ECPoint

    init(nid: Int32) {
        let g = EC_GROUP_new_by_curve_name(nid)!
        group = g
        order = BigNum(taking: BN_dup(EC_GROUP_get0_order(g))!)
        let p = BigNum(), a = BigNum(), b = BigNum()
        withBNContext { precondition(EC_GROUP_get_curve(g, p.ptr, a.ptr, b.ptr, $0) == 1) }
        fieldBytes = p.bigEndianBytes(count: 32)
        generator = ECPoint(copying: EC_GROUP_get0_generator(group)!, group)
        identity = ECPoint(group)
        precondition(EC_POINT_set_to_infinity(group, identity.ptr) == 1)
    }

    func isFieldElement(_ be: ArraySlice<UInt8>) -> Bool {
        for (x, y) in zip(be, fieldBytes) where x != y { return x < y }
        return false
    }
}

/// A copy of the curve whose generator is the fixed base B, with OpenSSL's precomputed
/// comb table for it, so that k·B costs about as much as k·G.
public final class ECFixedBase: @unchecked Sendable {
    let group: OpaquePointer

    init(curve: ECCurve, base: ECPoint) {
        group = EC_GROUP_dup(curve.group)!
        withBNContext { ctx in
            precondition(EC_GROUP_set_generator(group, base.ptr, curve.order.ptr, BN_value_one()) == 1)
            precondition(EC_GROUP_precompute_mult(group, ctx) == 1)
        }
    }
    deinit { EC_GROUP_free(group) }
}
