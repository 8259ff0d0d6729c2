import XCTest

@testable import DauysCrypto

final class ElGamalTests: XCTestCase {
    func testHomomorphicAdditionP256() throws { try homomorphic(P256.self, count: 40) }
    func testHomomorphicAdditionElectionGuard() throws { try homomorphic(ElectionGuardV2.self, count: 4) }

    func homomorphic<G: PrimeOrderGroup>(_: G.Type, count: Int) throws {
        let key = KeyPair<G>.generate()
        let fk = FixedBase(key.publicKey)
        var sum = Ciphertext<G>.zero
        var expected: UInt64 = 0
        for _ in 0..<count {
            let m = UInt64.random(in: 0...1)
            expected += m
            sum = sum + Ciphertext.encrypt(m, nonce: .randomNonZero(), key: fk)
        }
        let mG = sum.decryptToElement(secret: key.secret)
        XCTAssertEqual(try DiscreteLog<G>(babySteps: 64).solve(mG, bound: UInt64(count)), expected)
        // ciphertext encoding round trip; sums may contain the identity only when allowed
        XCTAssertEqual(try Ciphertext<G>(bytes: sum.bytes, allowIdentity: true), sum)
        XCTAssertThrowsError(try Ciphertext<G>(bytes: Ciphertext<G>.zero.bytes))
        XCTAssertThrowsError(try Ciphertext<G>(bytes: sum.bytes.dropLast()))
    }

    func testDiscreteLogUpToTwentyMillion() throws {
        let dl = DiscreteLog<P256>.shared
        for m: UInt64 in [0, 1, 2, 32767, 32768, 32769, 1_234_567, 12_500_000, 20_000_000] {
            XCTAssertEqual(try dl.solve(.base(Scalar(m)), bound: 20_000_000), m)
        }
        XCTAssertThrowsError(try dl.solve(.base(Scalar(20_000_001)), bound: 20_000_000)) {
            XCTAssertEqual($0 as? CryptoError, .outOfRange("decrypted value is not an integer between 0 and 20000000"))
        }
        XCTAssertThrowsError(try dl.solve(.base(Scalar<P256>.random()), bound: 1000))
    }

    func testDiscreteLogIntegerGroup() throws {
        let dl = DiscreteLog<ElectionGuardV1>(babySteps: 1024)
        for m: UInt64 in [0, 5, 1023, 1024, 99_999] {
            XCTAssertEqual(try dl.solve(.base(Scalar(m)), bound: 100_000), m)
        }
    }
}
