import XCTest

@testable import DauysCrypto

final class GroupTests: XCTestCase {
    func testElectionGuardParametersAreConsistent() throws {
        try ElectionGuardV1.checkParameters()
        try ElectionGuardV2.checkParameters()
    }

    func testP256Laws() { groupLaws(P256.self, rounds: 20) }
    func testElectionGuardV1Laws() { groupLaws(ElectionGuardV1.self, rounds: 3) }
    func testElectionGuardV2Laws() { groupLaws(ElectionGuardV2.self, rounds: 2) }

    /// Property checks with random values: encodings round-trip, scalar multiplication
    /// distributes, fixed-base and multi-scalar paths agree with the plain ones.
    func groupLaws<G: PrimeOrderGroup>(_: G.Type, rounds: Int) {
        for _ in 0..<rounds {
            let a = Scalar<G>.random(), b = Scalar<G>.random()
            let A = GroupElement<G>.base(a), B = GroupElement<G>.base(b)
            XCTAssertEqual(GroupElement<G>.base(a + b), A + B)
            XCTAssertEqual(GroupElement<G>.base(a * b), a * B)
            XCTAssertEqual(A - A, .identity)
            XCTAssertEqual((a - b) + b, a)
            if let inv = a.inverse { XCTAssertEqual(a * inv, .one) }
            XCTAssertEqual(-(-a), a)
            XCTAssertEqual(a * (b + .one), a * b + a)
            XCTAssertEqual(try GroupElement<G>(bytes: A.bytes), A)
            XCTAssertEqual(A.bytes.count, G.elementByteCount)
            XCTAssertEqual(try Scalar<G>(bytes: a.bytes), a)
            XCTAssertEqual(FixedBase(B).multiply(a), a * B)
            let c = Scalar<G>.random()
            let lc = GroupElement<G>(
                G.linearCombination(
                    generator: c, fixed: [(FixedBase(A).table, b)],
                    terms: [(B.representation, a), (A.representation, c)]))
            XCTAssertEqual(lc, GroupElement<G>.base(c) + b * A + a * B + c * A)
        }
        XCTAssertEqual(Scalar<G>.zero - .one + .one, .zero)
        XCTAssertNil(Scalar<G>.zero.inverse)
        XCTAssertTrue((Scalar<G>.zero * GroupElement<G>.generator).isIdentity)
    }

    func testScalarDecodingRejectsUnreducedAndWrongLength() {
        let q = P256.scalarField.orderBytes
        XCTAssertThrowsError(try Scalar<P256>(bytes: q)) {
            XCTAssertEqual($0 as? CryptoError, .scalarOutOfRange("scalar"))
        }
        XCTAssertThrowsError(try Scalar<P256>(bytes: [UInt8](repeating: 0xff, count: 32)))
        XCTAssertThrowsError(try Scalar<P256>(bytes: [UInt8](repeating: 0, count: 31)))
        XCTAssertThrowsError(try Scalar<P256>(bytes: [UInt8](repeating: 0, count: 33)))
        var qm1 = q
        qm1[31] -= 1
        XCTAssertNoThrow(try Scalar<P256>(bytes: qm1))
        XCTAssertThrowsError(try Scalar<ElectionGuardV1>(hex: "ff" + String(repeating: "ff", count: 31)))
    }

    func testP256DecodingRejectsEverythingNonCanonical() throws {
        let g = GroupElement<P256>.generator.bytes
        XCTAssertEqual(g.count, 65)
        XCTAssertEqual(g[0], 4)
        // wrong lengths, compressed or hybrid forms
        XCTAssertThrowsError(try GroupElement<P256>(bytes: g.dropLast()))
        XCTAssertThrowsError(try GroupElement<P256>(bytes: g + [0]))
        for prefix: UInt8 in [0, 2, 3, 5, 6, 7] {
            var b = g
            b[0] = prefix
            XCTAssertThrowsError(try GroupElement<P256>(bytes: b)) {
                XCTAssertTrue(
                    ($0 as? CryptoError).map { if case .invalidEncoding = $0 { true } else { false } } ?? false)
            }
        }
        // a point not on the curve
        var off = g
        off[64] ^= 1
        XCTAssertThrowsError(try GroupElement<P256>(bytes: off)) {
            XCTAssertEqual($0 as? CryptoError, .notInGroup("P-256 point is not on the curve"))
        }
        // x ≥ p: replace x by p + x mod 2^256 is not possible in general; use x = p itself
        var big = g
        let p = P256.curve.fieldBytes
        for i in 0..<32 { big[1 + i] = p[i] }
        XCTAssertThrowsError(try GroupElement<P256>(bytes: big)) {
            XCTAssertEqual($0 as? CryptoError, .invalidEncoding("P-256 point: coordinate not reduced modulo p"))
        }
        // the identity
        let zero = [UInt8](repeating: 0, count: 65)
        XCTAssertThrowsError(try GroupElement<P256>(bytes: zero)) {
            XCTAssertEqual($0 as? CryptoError, .identityNotAllowed("P-256 point at infinity"))
        }
        XCTAssertTrue(try GroupElement<P256>(bytes: zero, allowIdentity: true).isIdentity)
        XCTAssertEqual(GroupElement<P256>.identity.bytes, zero)
        // malformed hex
        XCTAssertThrowsError(try GroupElement<P256>(hex: "04zz"))
        XCTAssertThrowsError(try GroupElement<P256>(hex: "041"))
    }

    func testIntegerGroupDecodingRejectsNonMembers() throws {
        typealias G = ElectionGuardV1
        let n = G.elementByteCount
        XCTAssertEqual(n, 512)
        let p = G.context.pBytes
        // zero, p, p − 1 (order 2: in Z_p^* but not in the order-q subgroup), 1 (identity)
        XCTAssertThrowsError(try GroupElement<G>(bytes: [UInt8](repeating: 0, count: n))) {
            XCTAssertEqual($0 as? CryptoError, .notInGroup("modp4096-eg1 element: zero"))
        }
        XCTAssertThrowsError(try GroupElement<G>(bytes: p)) {
            XCTAssertEqual($0 as? CryptoError, .invalidEncoding("modp4096-eg1 element: integer not reduced modulo p"))
        }
        var pm1 = p
        pm1[n - 1] -= 1
        XCTAssertThrowsError(try GroupElement<G>(bytes: pm1)) {
            XCTAssertEqual($0 as? CryptoError, .notInGroup("modp4096-eg1 element is not in the order-q subgroup"))
        }
        var two = [UInt8](repeating: 0, count: n)
        two[n - 1] = 2
        XCTAssertThrowsError(try GroupElement<G>(bytes: two))
        var one = [UInt8](repeating: 0, count: n)
        one[n - 1] = 1
        XCTAssertThrowsError(try GroupElement<G>(bytes: one))
        XCTAssertTrue(try GroupElement<G>(bytes: one, allowIdentity: true).isIdentity)
        XCTAssertThrowsError(try GroupElement<G>(bytes: [UInt8](repeating: 0, count: n - 1)))
        XCTAssertNoThrow(try GroupElement<G>(bytes: GroupElement<G>.generator.bytes))
    }

    func testHexCodec() throws {
        XCTAssertEqual(Hex.encode([0, 1, 0xab, 0xff]), "0001abff")
        XCTAssertEqual(try Hex.decode("0001ABff"), [0, 1, 0xab, 0xff])
        XCTAssertThrowsError(try Hex.decode("abc"))
        XCTAssertThrowsError(try Hex.decode("zz"))
    }

    func testRandomScalarsDiffer() {
        let s = Set((0..<50).map { _ in Scalar<P256>.random() })
        XCTAssertEqual(s.count, 50)
    }
}
