import COpenSSL

/// An order-q subgroup of Z_p^* (ElectionGuard's 4096-bit groups), on OpenSSL BIGNUM with
/// Montgomery multiplication.
///
/// Encoding: the integer in [1, p − 1] as `elementByteCount` big-endian bytes. Decoding checks
/// the range and subgroup membership x^q ≡ 1 (mod p) — the check ElectionGuard also requires,
/// since p − 1 has many small factors besides q.
public protocol IntegerGroup: PrimeOrderGroup where Representation == BigNum, FixedBaseTable == ModPFixedBase {
    static var context: ModPContext { get }
}

extension IntegerGroup {
    public static var scalarField: ScalarField { context.scalarField }
    public static var elementByteCount: Int { context.byteCount }
    public static var generatorRepresentation: BigNum { context.g }
    public static var identityRepresentation: BigNum { context.one }

    public static func isIdentity(_ a: BigNum) -> Bool { a.isOne }
    public static func equal(_ a: BigNum, _ b: BigNum) -> Bool { a.compare(b) == 0 }
    public static func add(_ a: BigNum, _ b: BigNum) -> BigNum { context.mulMod(a, b) }
    public static func negate(_ a: BigNum) -> BigNum {
        let r = BigNum()
        withBNContext { precondition(BN_mod_inverse(r.ptr, a.ptr, context.p.ptr, $0) != nil) }
        return r
    }
    /// Constant-time a^k (BN_mod_exp_mont_consttime).
    public static func multiply(_ a: BigNum, _ k: Scalar<Self>) -> BigNum {
        let r = BigNum()
        let kb = scalarField.bn(k.limbs)
        defer { BN_clear_free(kb) }
        withBNContext { ctx in
            precondition(BN_mod_exp_mont_consttime(r.ptr, a.ptr, kb, context.p.ptr, ctx, context.mont) == 1)
        }
        return r
    }
    public static func multiplyGenerator(_ k: Scalar<Self>) -> BigNum { context.generatorTable.power(k.limbs) }
    public static func makeFixedBase(_ a: BigNum) -> ModPFixedBase { ModPFixedBase(context: context, base: a) }
    public static func multiply(fixed t: ModPFixedBase, _ k: Scalar<Self>) -> BigNum { t.power(k.limbs) }

    public static func linearCombination(
        generator: Scalar<Self>, fixed: [(ModPFixedBase, Scalar<Self>)], terms: [(BigNum, Scalar<Self>)]
    ) -> BigNum {
        var result = context.multiExp(terms.map { ($0.0, $0.1.limbs) })
        if !generator.isZero { result = context.mulMod(result, context.generatorTable.power(generator.limbs)) }
        for (t, k) in fixed where !k.isZero { result = context.mulMod(result, t.power(k.limbs)) }
        return result
    }

    public static func encode(_ a: BigNum) -> [UInt8] { a.bigEndianBytes(count: context.byteCount) }

    public static func decode(_ bytes: ArraySlice<UInt8>, allowIdentity: Bool) throws(CryptoError) -> BigNum {
        let c = context
        guard bytes.count == c.byteCount else {
            throw .invalidEncoding("\(name) element: \(bytes.count) bytes, expected \(c.byteCount)")
        }
        var less = false
        for (x, y) in zip(bytes, c.pBytes) where x != y {
            less = x < y
            break
        }
        guard less else { throw .invalidEncoding("\(name) element: integer not reduced modulo p") }
        let x = BigNum(bigEndian: bytes)
        guard !x.isZero else { throw .notInGroup("\(name) element: zero") }
        if x.isOne {
            guard allowIdentity else { throw .identityNotAllowed("\(name) element equal to 1") }
            return x
        }
        guard c.isInSubgroup(x) else { throw .notInGroup("\(name) element is not in the order-q subgroup") }
        return x
    }

    public static func lookupKey(_ a: BigNum) -> UInt64 {
        encode(a).suffix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }
}

/// The constants of one integer group and its Montgomery context; read-only once built.
public final class ModPContext: @unchecked Sendable {
    let p: BigNum
    let q: BigNum
    let g: BigNum
    let one = BigNum(word: 1)
    let mont: OpaquePointer
    let byteCount: Int
    let pBytes: [UInt8]
    let scalarField: ScalarField
    /// Fixed-base table for the generator (~1,000 multiplications to build). Assigned once,
    /// at the end of `init`, and never changed.
    private(set) var generatorTable: ModPFixedBase!

    init(p pHex: String, q qHex: String, g gHex: String) {
        p = BigNum(hex: pHex)
        q = BigNum(hex: qHex)
        g = BigNum(hex: gHex)
        byteCount = (p.bitCount + 7) / 8
        pBytes = p.bigEndianBytes(count: byteCount)
        scalarField = ScalarField(order: q)
        mont = BN_MONT_CTX_new()!
        withBNContext { precondition(BN_MONT_CTX_set(mont, p.ptr, $0) == 1) }
        generatorTable = ModPFixedBase(context: self, base: g)
    }
    deinit { BN_MONT_CTX_free(mont) }

    var limbCount: Int { (byteCount + 7) / 8 }

    func mulMod(_ a: BigNum, _ b: BigNum) -> BigNum {
        let r = BigNum(), t = BigNum()
        withBNContext { ctx in
            precondition(BN_mod_mul_montgomery(t.ptr, a.ptr, b.ptr, mont, ctx) == 1)
            precondition(BN_to_montgomery(r.ptr, t.ptr, mont, ctx) == 1)
        }
        return r
    }

    func isInSubgroup(_ x: BigNum) -> Bool {
        let r = BigNum()
        withBNContext { ctx in precondition(BN_mod_exp_mont(r.ptr, x.ptr, q.ptr, p.ptr, ctx, mont) == 1) }
        return r.isOne
    }

    /// Π b_i^{e_i} for public exponents: Straus's simultaneous exponentiation with 4-bit
    /// windows, sharing the squarings between all bases.
    func multiExp(_ terms: [(BigNum, ScalarLimbs)]) -> BigNum {
        let active = terms.filter { ($0.1.0 | $0.1.1 | $0.1.2 | $0.1.3) != 0 }
        if active.isEmpty { return one }
        return withBNContext { ctx in
            // tables[i][j] = b_i^j in Montgomery form, j = 0...15
            var tables: [[BigNum]] = []
            tables.reserveCapacity(active.count)
            let rModP = BigNum()
            precondition(BN_to_montgomery(rModP.ptr, one.ptr, mont, ctx) == 1)
            for (b, _) in active {
                let bm = BigNum()
                precondition(BN_to_montgomery(bm.ptr, b.ptr, mont, ctx) == 1)
                var row = [rModP, bm]
                for _ in 2..<16 {
                    let n = BigNum()
                    precondition(BN_mod_mul_montgomery(n.ptr, row[row.count - 1].ptr, bm.ptr, mont, ctx) == 1)
                    row.append(n)
                }
                tables.append(row)
            }
            let nibbles: [[UInt8]] = active.map { t in
                var l = t.1
                let le = withUnsafeBytes(of: &l) { Array($0) }
                var out = [UInt8](repeating: 0, count: 64)
                for i in 0..<32 {
                    out[63 - 2 * i] = le[i] & 0x0f
                    out[62 - 2 * i] = le[i] >> 4
                }
                return out
            }
            let acc = BigNum(), tmp = BigNum()
            var started = false
            for pos in 0..<64 {
                if started {
                    for _ in 0..<4 {
                        precondition(BN_mod_mul_montgomery(tmp.ptr, acc.ptr, acc.ptr, mont, ctx) == 1)
                        precondition(BN_copy(acc.ptr, tmp.ptr) != nil)
                    }
                }
                for i in 0..<active.count {
                    let nib = Int(nibbles[i][pos])
                    if nib == 0 { continue }
                    if started {
                        precondition(BN_mod_mul_montgomery(tmp.ptr, acc.ptr, tables[i][nib].ptr, mont, ctx) == 1)
                        precondition(BN_copy(acc.ptr, tmp.ptr) != nil)
                    } else {
                        precondition(BN_copy(acc.ptr, tables[i][nib].ptr) != nil)
                        started = true
                    }
                }
            }
            let r = BigNum()
            precondition(BN_from_montgomery(r.ptr, acc.ptr, mont, ctx) == 1)
            return r
        }
    }
}

/// Fixed-base exponentiation table: entry[w][j] = B^(j·16^w) in Montgomery form for the 64
/// four-bit windows of a 256-bit exponent (512 KiB at 4096 bits). B^e is then 63 Montgomery
/// multiplications; every entry is read with a constant-time masked scan, so the memory
/// access pattern does not depend on the (possibly secret) exponent.
public final class ModPFixedBase: @unchecked Sendable {
    private let context: ModPContext
    private let limbs: Int
    private var table: [UInt64]  // never mutated after init

    init(context: ModPContext, base: BigNum) {
        self.context = context
        limbs = context.limbCount
        table = [UInt64](repeating: 0, count: 64 * 16 * limbs)
        withBNContext { ctx in
            let mont = context.mont
            let cur = BigNum(), acc = BigNum(), tmp = BigNum()
            precondition(BN_to_montgomery(cur.ptr, base.ptr, mont, ctx) == 1)
            let oneM = BigNum()
            precondition(BN_to_montgomery(oneM.ptr, context.one.ptr, mont, ctx) == 1)
            for w in 0..<64 {
                precondition(BN_copy(acc.ptr, oneM.ptr) != nil)
                store(acc, window: w, index: 0)
                for j in 1..<16 {
                    precondition(BN_mod_mul_montgomery(tmp.ptr, acc.ptr, cur.ptr, mont, ctx) == 1)
                    precondition(BN_copy(acc.ptr, tmp.ptr) != nil)
                    store(acc, window: w, index: j)
                }
                // next window base: cur^16 = acc · cur
                precondition(BN_mod_mul_montgomery(tmp.ptr, acc.ptr, cur.ptr, mont, ctx) == 1)
                precondition(BN_copy(cur.ptr, tmp.ptr) != nil)
            }
        }
    }

    private func store(_ x: BigNum, window: Int, index: Int) {
        let off = (window * 16 + index) * limbs
        table.withUnsafeMutableBufferPointer { buf in
            let raw = UnsafeMutableRawPointer(buf.baseAddress! + off).assumingMemoryBound(to: UInt8.self)
            precondition(BN_bn2lebinpad(x.ptr, raw, Int32(limbs * 8)) == Int32(limbs * 8))
        }
    }

    func power(_ e: ScalarLimbs) -> BigNum {
        var e = e
        let bytes = withUnsafeBytes(of: &e) { Array($0) }
        var sel = [UInt64](repeating: 0, count: limbs)
        return withBNContext { ctx in
            let acc = BigNum(), entry = BigNum(), tmp = BigNum()
            BN_set_flags(acc.ptr, BN_FLG_CONSTTIME)
            table.withUnsafeBufferPointer { tbl in
                for w in 0..<64 {
                    let nib = UInt64((bytes[w >> 1] >> (UInt8(w & 1) * 4)) & 0x0f)
                    sel.withUnsafeMutableBufferPointer { s in
                        for i in 0..<limbs { s[i] = 0 }
                        for j in 0..<16 {
                            // mask = all ones iff j == nib, computed without branches
                            let diff = UInt64(j) ^ nib
                            let mask = ((diff | (0 &- diff)) >> 63) &- 1
                            let base = (w * 16 + j) * limbs
                            for i in 0..<limbs { s[i] |= tbl[base + i] & mask }
                        }
                    }
                    sel.withUnsafeBytes { raw in
                        _ = BN_lebin2bn(
                            raw.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(limbs * 8), entry.ptr)
                    }
                    if w == 0 {
                        precondition(BN_copy(acc.ptr, entry.ptr) != nil)
                    } else {
                        precondition(BN_mod_mul_montgomery(tmp.ptr, acc.ptr, entry.ptr, context.mont, ctx) == 1)
                        precondition(BN_copy(acc.ptr, tmp.ptr) != nil)
                    }
                }
            }
            let r = BigNum()
            precondition(BN_from_montgomery(r.ptr, acc.ptr, context.mont, ctx) == 1)
            for i in 0..<limbs { sel[i] = 0 }
            return r
        }
    }
}

extension IntegerGroup {
    /// Checks the published constants: p and q prime, q divides p − 1, 1 < g < p and
    /// g^q ≡ 1 (mod p), so g generates the order-q subgroup. A verifier runs this once.
    public static func checkParameters() throws(CryptoError) {
        let c = context
        let ok: Bool = withBNContext { ctx in
            guard BN_check_prime(c.p.ptr, ctx, nil) == 1, BN_check_prime(c.q.ptr, ctx, nil) == 1 else { return false }
            let pm1 = BN_CTX_get(ctx)!, rem = BN_CTX_get(ctx)!
            guard BN_sub(pm1, c.p.ptr, BN_value_one()) == 1 else { return false }
            guard BN_div(nil, rem, pm1, c.q.ptr, ctx) == 1, BN_is_zero(rem) == 1 else { return false }
            guard BN_cmp(c.g.ptr, BN_value_one()) > 0, BN_cmp(c.g.ptr, c.p.ptr) < 0 else { return false }
            return c.isInSubgroup(c.g)
        }
        guard ok else { throw .invalidParameter("\(name): group constants are inconsistent") }
    }
}
