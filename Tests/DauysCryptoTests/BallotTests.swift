import XCTest

@testable import DauysCrypto

final class BallotTests: XCTestCase {
    let election = ElectionHash.derive("ballot-tests", parts: [])

    func context<G: PrimeOrderGroup>(_: G.Type, shape: BallotShape = .referendum) -> (BallotContext<G>, KeyPair<G>) {
        let key = KeyPair<G>.generate()
        return (BallotContext(election: election, publicKey: key.publicKey, shape: shape), key)
    }

    func testReferendumBallotIsOneCiphertextWithOneBitProof() throws {
        let (ctx, _) = context(P256.self)
        let b = try ctx.encrypt(selections: [[1, 0]], credential: .generate())
        XCTAssertEqual(b.answers.count, 1)
        XCTAssertEqual(b.answers[0].ciphertexts.count, 1)
        XCTAssertNil(b.answers[0].sumProof)
        XCTAssertEqual(b.bytes.count, Ballot<P256>.byteCount(shape: .referendum))
        XCTAssertEqual(b.bytes.count, 689)
        XCTAssertNoThrow(try ctx.verify(b))
        XCTAssertEqual(try ctx.decodeAndVerify(b.bytes).bytes, b.bytes)
    }

    /// protocol.md §6.1: the sequence number sits after the credential, big-endian, signed with
    /// the rest; it starts at 1.
    func testSequenceNumberIsSignedAndStartsAtOne() throws {
        let (ctx, _) = context(P256.self)
        let cred = KeyPair<P256>.generate()
        let b = try ctx.encrypt(selections: [[1, 0]], credential: cred, sequence: 0x0102_0304)
        XCTAssertEqual(b.sequence, 0x0102_0304)
        XCTAssertEqual(Array(b.bytes[98..<102]), [1, 2, 3, 4])
        XCTAssertEqual(Ballot<P256>.header(of: b.bytes)?.sequence, 0x0102_0304)
        XCTAssertEqual(try Ballot<P256>(bytes: b.bytes, shape: .referendum).sequence, 0x0102_0304)
        XCTAssertThrowsError(try ctx.encrypt(selections: [[1, 0]], credential: cred, sequence: 0)) {
            XCTAssertEqual($0 as? CryptoError, .invalidParameter("a ballot's sequence number starts at 1"))
        }
        // Someone who changes the number without the credential's secret breaks the signature.
        var changed = b.bytes
        changed[101] ^= 0x07
        XCTAssertThrowsError(try ctx.decodeAndVerify(changed)) {
            XCTAssertEqual($0 as? BallotError, .invalidProof("credential signature"))
        }
        // Sequence 0, even signed by the credential, is not a ballot.
        let answers = try Ballot<P256>(bytes: b.bytes, shape: .referendum).answers
        let unsigned = Ballot<P256>.encodeUnsigned(
            election: election, credential: cred.publicKey, sequence: 0, answers: answers)
        let sig = CredentialSignature.sign(message: unsigned, credential: cred, election: election)
        XCTAssertThrowsError(try Ballot<P256>(bytes: unsigned + sig.bytes, shape: .referendum)) {
            XCTAssertEqual($0 as? CryptoError, .invalidEncoding("ballot sequence 0, the first ballot has 1"))
        }
    }

    func testEveryByteOfAP256BallotIsProtected() throws {
        let (ctx, _) = context(P256.self)
        let b = try ctx.encrypt(selections: [[0, 1]], credential: .generate())
        for i in 0..<b.bytes.count {
            var t = b.bytes
            t[i] ^= 0x01
            XCTAssertThrowsError(try ctx.decodeAndVerify(t), "byte \(i) altered but accepted")
        }
        XCTAssertThrowsError(try ctx.decodeAndVerify(b.bytes + [0]))
        XCTAssertThrowsError(try ctx.decodeAndVerify(Array(b.bytes.dropLast())))
        XCTAssertThrowsError(try ctx.decodeAndVerify([]))
    }

    func testIntegerGroupBallot() throws {
        let (ctx, _) = context(ElectionGuardV1.self)
        let b = try ctx.encrypt(selections: [[1, 0]], credential: .generate())
        XCTAssertNoThrow(try ctx.decodeAndVerify(b.bytes))
        // one byte in each field region
        for i in stride(from: 0, to: b.bytes.count, by: 263) {
            var t = b.bytes
            t[i] ^= 0x80
            XCTAssertThrowsError(try ctx.decodeAndVerify(t), "byte \(i) altered but accepted")
        }
    }

    func testShapesWithSumProofs() throws {
        let shapes: [(QuestionShape, [[Int]], [[Int]])] = [
            (
                try QuestionShape(options: 3, minSelections: 1, maxSelections: 1),
                [[1, 0, 0], [0, 1, 0], [0, 0, 1]], [[1, 1, 0], [0, 0, 0]]
            ),
            (
                try QuestionShape(options: 3, minSelections: 0, maxSelections: 2),
                [[0, 0, 0], [1, 0, 1], [0, 1, 0]], [[1, 1, 1]]
            ),
            (
                try QuestionShape(options: 4, minSelections: 2, maxSelections: 3), [[1, 1, 0, 0], [1, 1, 1, 0]],
                [[1, 0, 0, 0], [1, 1, 1, 1]]
            ),
            (try QuestionShape(options: 2, minSelections: 0, maxSelections: 1), [[0, 0], [1, 0]], [[1, 1]]),
        ]
        for (q, good, bad) in shapes {
            let (ctx, _) = context(P256.self, shape: try BallotShape(questions: [q, .yesNo]))
            for s in good {
                let b = try ctx.encrypt(selections: [s, [1, 0]], credential: .generate())
                XCTAssertEqual(b.answers[0].sumProof != nil, q.needsSumProof)
                XCTAssertNoThrow(try ctx.decodeAndVerify(b.bytes), "\(q) \(s)")
            }
            for s in bad {
                XCTAssertThrowsError(
                    try ctx.encrypt(selections: [s, [1, 0]], credential: .generate()), "\(q) \(s) must be refused")
            }
        }
        XCTAssertThrowsError(try QuestionShape(options: 2, minSelections: 2, maxSelections: 1))
        XCTAssertThrowsError(try QuestionShape(options: 0, minSelections: 0, maxSelections: 1))
        XCTAssertThrowsError(try QuestionShape(options: 2, minSelections: 0, maxSelections: 0))
        XCTAssertThrowsError(try BallotShape(questions: []))
    }

    func testOverVoteCannotBeHiddenBySwappingCiphertexts() throws {
        // Two yes votes for "1 of 3": each ciphertext is a valid 0/1 but the sum is 2; build
        // it from two honest ballots and check the sum proof rejects it.
        let shape = try BallotShape(questions: [try QuestionShape(options: 3, minSelections: 1, maxSelections: 1)])
        let (ctx, _) = context(P256.self, shape: shape)
        let cred = KeyPair<P256>.generate()
        let b1 = try ctx.encrypt(selections: [[1, 0, 0]], credential: cred)
        let b2 = try ctx.encrypt(selections: [[0, 1, 0]], credential: cred)
        let mixed = EncryptedAnswer(
            ciphertexts: [b1.answers[0].ciphertexts[0], b2.answers[0].ciphertexts[1]],
            bitProofs: [b1.answers[0].bitProofs[0], b2.answers[0].bitProofs[1]],
            sumProof: b1.answers[0].sumProof)
        let unsigned = Ballot<P256>.encodeUnsigned(
            election: election, credential: cred.publicKey, sequence: 1, answers: [mixed])
        let sig = CredentialSignature.sign(message: unsigned, credential: cred, election: election)
        let forged = Ballot(
            election: election, credential: cred.publicKey, sequence: 1, answers: [mixed], signature: sig,
            unsigned: unsigned)
        XCTAssertThrowsError(try ctx.verify(forged)) {
            XCTAssertEqual($0 as? BallotError, .invalidProof("number-of-choices proof of question 1"))
        }
    }

    func testProofsAreBoundToTheCredential() throws {
        let (ctx, _) = context(P256.self)
        let alice = KeyPair<P256>.generate(), mallory = KeyPair<P256>.generate()
        let b = try ctx.encrypt(selections: [[1, 0]], credential: alice)
        // Mallory copies Alice's encrypted answer under her own credential and signs it.
        let unsigned = Ballot<P256>.encodeUnsigned(
            election: election, credential: mallory.publicKey, sequence: 1, answers: b.answers)
        let sig = CredentialSignature.sign(message: unsigned, credential: mallory, election: election)
        let copy = Ballot(
            election: election, credential: mallory.publicKey, sequence: 1, answers: b.answers, signature: sig,
            unsigned: unsigned)
        XCTAssertThrowsError(try ctx.verify(copy)) {
            XCTAssertEqual($0 as? BallotError, .invalidProof("0/1 proof of question 1, option 1"))
        }
        // Signature by someone else than the credential holder.
        let sig2 = CredentialSignature.sign(message: b.signedMessage, credential: mallory, election: election)
        let stolen = Ballot(
            election: election, credential: alice.publicKey, sequence: 1, answers: b.answers, signature: sig2,
            unsigned: b.signedMessage)
        XCTAssertThrowsError(try ctx.verify(stolen)) {
            XCTAssertEqual($0 as? BallotError, .invalidProof("credential signature"))
        }
    }

    func testWrongElectionIsNamed() throws {
        let (ctx, key) = context(P256.self)
        let other = BallotContext(
            election: ElectionHash.derive("other", parts: []), publicKey: key.publicKey, shape: .referendum)
        let b = try other.encrypt(selections: [[1, 0]], credential: .generate())
        XCTAssertThrowsError(try ctx.decodeAndVerify(b.bytes)) { XCTAssertEqual($0 as? BallotError, .wrongElection) }
    }

    func testBenalohAudit() throws {
        let (ctx, _) = context(P256.self)
        let cred = KeyPair<P256>.generate()
        let seed = BallotSeed.random()
        let b = try ctx.encrypt(selections: [[0, 1]], credential: cred, seed: seed)
        XCTAssertNoThrow(try ctx.audit(b, seed: seed, selections: [[0, 1]]))
        XCTAssertThrowsError(try ctx.audit(b, seed: seed, selections: [[1, 0]])) {
            XCTAssertEqual($0 as? BallotError, .auditMismatch)
        }
        XCTAssertThrowsError(try ctx.audit(b, seed: .random(), selections: [[0, 1]]))
        // Same seed, same choices: same encryption (only the signature differs).
        let again = try ctx.encrypt(selections: [[0, 1]], credential: cred, seed: seed)
        XCTAssertEqual(again.signedMessage, b.signedMessage)
        XCTAssertNotEqual(again.bytes, b.bytes)
    }

    func testTrackingCode() throws {
        let (ctx, _) = context(P256.self)
        let b = try ctx.encrypt(selections: [[1, 0]], credential: .generate())
        let code = b.trackingCode
        XCTAssertEqual(code.digest.count, 32)
        XCTAssertEqual(code.short.count, 19)
        XCTAssertEqual(code.short.split(separator: "-").count, 4)
        XCTAssertEqual(try Ballot<P256>(bytes: b.bytes, shape: .referendum).trackingCode, code)
    }

    func testBatchVerifierNamesExactlyTheBadBallots() async throws {
        try await checkBatchVerifier(P256.self, ballots: 100)
        // Any other group runs the generic body (P-256 has a specialised one).
        try await checkBatchVerifier(ElectionGuardV1.self, ballots: 12)
    }

    func checkBatchVerifier<G: PrimeOrderGroup>(_: G.Type, ballots n: Int) async throws {
        let (ctx, _) = context(G.self)
        var encoded: [[UInt8]] = []
        for i in 0..<n {
            encoded.append(
                try ctx.encrypt(selections: [i % 2 == 0 ? [1, 0] : [0, 1]], credential: KeyPair<G>.generate()).bytes)
        }
        let (header, signature, truncated) = (3, n / 2 + 1, n - 1)
        encoded[header][1 + 32 + G.elementByteCount + 4 + 2] ^= 1  // the ciphertext count
        encoded[signature][encoded[signature].count - 1] ^= 1  // signature response
        encoded[truncated] = Array(encoded[truncated].dropLast())
        let verdicts = await BatchVerifier(context: ctx, chunkSize: 16).verify(encoded: encoded)
        XCTAssertEqual(verdicts.count, n)
        let bad = verdicts.enumerated().filter { $0.element != nil }.map(\.offset)
        XCTAssertEqual(bad, [header, signature, truncated], G.name)
        XCTAssertEqual(verdicts[signature], .invalidProof("credential signature"), G.name)
        if case .malformed = verdicts[truncated]! {} else { XCTFail("truncated ballot must be malformed") }
        // Same verdicts again, whatever the scheduling.
        let again = await BatchVerifier(context: ctx, chunkSize: 5).verify(encoded: encoded)
        XCTAssertEqual(again, verdicts, G.name)
        // Ballots already decoded: the same verdicts.
        let decodable = encoded.indices.filter { (try? Ballot<G>(bytes: encoded[$0], shape: .referendum)) != nil }
        XCTAssertEqual(decodable.count, n - 2, G.name)
        let decoded = try decodable.map { try Ballot<G>(bytes: encoded[$0], shape: .referendum) }
        let direct = await BatchVerifier(context: ctx, chunkSize: 4).verify(decoded)
        XCTAssertEqual(direct, decodable.map { verdicts[$0] }, G.name)
    }
}
