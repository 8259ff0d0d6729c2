import XCTest

@testable import DauysCrypto

final class ProofTests: XCTestCase {
    let election = ElectionHash.derive("proof-tests", parts: [])
    let otherElection = ElectionHash.derive("another election", parts: [])

    /// Flips one bit in each byte of `bytes` in turn; each altered encoding must either fail
    /// to decode or fail to verify.
    func everyTamperFails(
        _ bytes: [UInt8], stride step: Int = 1, file: StaticString = #filePath, line: UInt = #line,
        _ decodeAndVerify: ([UInt8]) -> Bool
    ) {
        XCTAssertTrue(decodeAndVerify(bytes), "the untouched value must verify", file: file, line: line)
        for i in Swift.stride(from: 0, to: bytes.count, by: step) {
            for bit in [0, 7] {
                var b = bytes
                b[i] ^= UInt8(1 << bit)
                XCTAssertFalse(decodeAndVerify(b), "tampered byte \(i) bit \(bit) was accepted", file: file, line: line)
            }
        }
    }

    func testSchnorr() {
        schnorr(P256.self, step: 1)
        schnorr(ElectionGuardV2.self, step: 61)
    }
    func schnorr<G: PrimeOrderGroup>(_: G.Type, step: Int) {
        let k = KeyPair<G>.generate()
        let st = Array("trustee 1".utf8)
        let p = SchnorrProof.prove(secret: k.secret, publicKey: k.publicKey, statement: st, election: election)
        everyTamperFails(p.bytes, stride: step) { b in
            var r = ByteReader(b)
            guard let q = try? SchnorrProof<G>(reader: &r, what: "proof"), (try? r.finish("proof")) != nil else {
                return false
            }
            return q.verify(publicKey: k.publicKey, statement: st, election: election)
        }
        XCTAssertFalse(p.verify(publicKey: k.publicKey, statement: st, election: otherElection))
        XCTAssertFalse(p.verify(publicKey: k.publicKey, statement: Array("trustee 2".utf8), election: election))
        XCTAssertFalse(p.verify(publicKey: KeyPair<G>.generate().publicKey, statement: st, election: election))
        // a proof made with the wrong secret does not verify
        let bad = SchnorrProof.prove(secret: .random(), publicKey: k.publicKey, statement: st, election: election)
        XCTAssertFalse(bad.verify(publicKey: k.publicKey, statement: st, election: election))
    }

    func testChaumPedersen() {
        chaumPedersen(P256.self, step: 1)
        chaumPedersen(ElectionGuardV1.self, step: 97)
    }
    func chaumPedersen<G: PrimeOrderGroup>(_: G.Type, step: Int) {
        let x = Scalar<G>.randomNonZero()
        let H = GroupElement<G>.base(.randomNonZero())
        let X = GroupElement<G>.base(x), Y = x * H
        let st = Array("share".utf8)
        let p = ChaumPedersenProof.prove(secret: x, base: H, X: X, Y: Y, statement: st, election: election)
        everyTamperFails(p.bytes, stride: step) { b in
            var r = ByteReader(b)
            guard let q = try? ChaumPedersenProof<G>(reader: &r, what: "proof"), (try? r.finish("proof")) != nil else {
                return false
            }
            return q.verify(base: H, X: X, Y: Y, statement: st, election: election)
        }
        XCTAssertFalse(p.verify(base: H, X: X, Y: Y + .generator, statement: st, election: election))
        XCTAssertFalse(p.verify(base: H, X: X, Y: Y, statement: st, election: otherElection))
        // unequal logarithms cannot be proven
        let lie = ChaumPedersenProof.prove(
            secret: x, base: H, X: X, Y: Y + .generator, statement: st, election: election)
        XCTAssertFalse(lie.verify(base: H, X: X, Y: Y + .generator, statement: st, election: election))
    }

    func testRangeProofs() throws {
        let key = KeyPair<P256>.generate()
        let fk = FixedBase(key.publicKey)
        let st = Array("q1".utf8)
        for (lo, hi) in [(0, 1), (0, 3), (2, 5), (4, 4)] {
            for v in lo...hi {
                let rho = Scalar<P256>.randomNonZero()
                let c = Ciphertext.encrypt(UInt64(v), nonce: rho, key: fk)
                let p = RangeProof.prove(
                    ciphertext: c, value: v, nonce: rho, lo: lo, hi: hi, key: fk, statement: st, election: election)
                XCTAssertEqual(p.bytes.count, RangeProof<P256>.byteCount(lo: lo, hi: hi))
                let verify: (RangeProof<P256>, Ciphertext<P256>) -> Bool = { p, c in
                    p.relations(ciphertext: c, key: fk, statement: st, election: self.election, label: "t")
                        .allSatisfy { BatchCheck.holds($0, fixedBase: fk) }
                }
                XCTAssertTrue(verify(p, c))
                // the same proof does not fit another plaintext
                let other = Ciphertext.encrypt(UInt64(hi + 1), nonce: rho, key: fk)
                XCTAssertFalse(verify(p, other))
                everyTamperFails(p.bytes, stride: (lo, hi) == (0, 1) ? 1 : 7) { b in
                    var r = ByteReader(b)
                    guard let q = try? RangeProof<P256>(reader: &r, lo: lo, hi: hi, what: "t"),
                        (try? r.finish("t")) != nil
                    else { return false }
                    return verify(q, c)
                }
            }
        }
        // A prover who encrypts 2 and claims [0, 1] by "proving" as if the value were 1 fails.
        let rho = Scalar<P256>.randomNonZero()
        let two = Ciphertext.encrypt(2, nonce: rho, key: fk)
        let fake = RangeProof.prove(
            ciphertext: two, value: 1, nonce: rho, lo: 0, hi: 1, key: fk, statement: st, election: election)
        XCTAssertFalse(
            fake.relations(ciphertext: two, key: fk, statement: st, election: election, label: "t")
                .allSatisfy { BatchCheck.holds($0, fixedBase: fk) })
    }

    func testCredentialSignature() {
        let u = KeyPair<P256>.generate()
        let msg = Array("ballot bytes".utf8)
        let s = CredentialSignature.sign(message: msg, credential: u, election: election)
        everyTamperFails(s.bytes) { b in
            var r = ByteReader(b)
            guard let t = try? CredentialSignature<P256>(reader: &r), (try? r.finish("s")) != nil else { return false }
            return t.verify(credential: u.publicKey, message: msg, election: election)
        }
        XCTAssertFalse(s.verify(credential: u.publicKey, message: msg + [0], election: election))
        XCTAssertFalse(s.verify(credential: KeyPair<P256>.generate().publicKey, message: msg, election: election))
        XCTAssertFalse(s.verify(credential: u.publicKey, message: msg, election: otherElection))
        // Fresh entropy gives different signatures of the same message, both valid.
        let s2 = CredentialSignature.sign(message: msg, credential: u, election: election)
        XCTAssertNotEqual(s, s2)
        XCTAssertTrue(s2.verify(credential: u.publicKey, message: msg, election: election))
    }

    func testBatchCheckDetectsOneFalseRelationAmongMany() {
        var check = BatchCheck<P256>(fixedBase: nil)
        var rels: [Relation<P256>] = []
        for i in 0..<20 {
            let k = KeyPair<P256>.generate()
            let p = SchnorrProof.prove(
                secret: k.secret, publicKey: k.publicKey, statement: [UInt8(i)], election: election)
            rels.append(p.relation(publicKey: k.publicKey, statement: [UInt8(i)], election: election, label: "\(i)"))
        }
        for r in rels { check.add(r) }
        XCTAssertTrue(check.holds())
        var bad = rels[13]
        bad.generator = bad.generator + .one
        var check2 = BatchCheck<P256>(fixedBase: nil)
        for (i, r) in rels.enumerated() { check2.add(i == 13 ? bad : r) }
        XCTAssertFalse(check2.holds())
        XCTAssertFalse(BatchCheck.holds(bad, fixedBase: nil))
    }
}
