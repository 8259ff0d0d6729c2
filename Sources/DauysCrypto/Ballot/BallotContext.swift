/// Everything needed to encrypt or verify ballots of one election: the election hash, the
/// joint election key K (with its precomputed table) and the ballot shape.
public struct BallotContext<G: PrimeOrderGroup>: Sendable {
    public let election: ElectionHash
    public let key: FixedBase<G>
    public let shape: BallotShape

    public init(election: ElectionHash, publicKey: GroupElement<G>, shape: BallotShape) {
        self.election = election
        self.key = FixedBase(publicKey)
        self.shape = shape
    }

    /// Statement bound into each proof: the credential and the position on the ballot, so a
    /// ciphertext and its proof cannot be copied into another voter's ballot or another slot.
    static func statement(credential: GroupElement<G>, question: Int, option: Int) -> [UInt8] {
        var w = ByteWriter()
        w.fixed(credential.bytes)
        w.u32(UInt32(question))
        w.u32(UInt32(option))
        return w.bytes
    }
    static var sumSlot: Int { 0xFFFF_FFFF }

    // MARK: encryption

    /// Encrypts the voter's choices (one array of 0/1 marks per question) and signs the ballot
    /// with the credential. All randomness of the encryption and proofs is derived from
    /// `seed`; revealing the seed lets anyone re-create the ballot and see what it contains
    /// (Benaloh's cast-or-audit challenge). The seed must then never be used for casting.
    /// `sequence` is 1 for the credential's first ballot and, for a revote, higher than the
    /// sequence of the credential's last ballot on the board (record.md §5.4).
    @_specialize(exported:true,where G == P256)
    public func encrypt(
        selections: [[Int]], credential: KeyPair<G>, sequence: UInt32 = 1, seed: BallotSeed = .random(),
        signatureEntropy: [UInt8] = SecureRandom.bytes(32)
    ) throws(CryptoError) -> Ballot<G> {
        guard sequence >= 1 else { throw .invalidParameter("a ballot's sequence number starts at 1") }
        let answers = try encryptAnswers(selections: selections, credential: credential.publicKey, seed: seed)
        let unsigned = Ballot<G>.encodeUnsigned(
            election: election, credential: credential.publicKey, sequence: sequence, answers: answers)
        let sig = CredentialSignature.sign(
            message: unsigned, credential: credential, election: election, entropy: signatureEntropy)
        return Ballot(
            election: election, credential: credential.publicKey, sequence: sequence, answers: answers, signature: sig,
            unsigned: unsigned)
    }

    func encryptAnswers(
        selections: [[Int]], credential: GroupElement<G>, seed: BallotSeed
    ) throws(CryptoError) -> [EncryptedAnswer<G>] {
        guard selections.count == shape.questions.count else {
            throw .invalidParameter("expected answers to \(shape.questions.count) questions, got \(selections.count)")
        }
        var answers: [EncryptedAnswer<G>] = []
        for (qi, q) in shape.questions.enumerated() {
            try q.validate(selections[qi])
            var cts: [Ciphertext<G>] = [], proofs: [RangeProof<G>] = []
            var nonceSum = Scalar<G>.zero
            for oi in 0..<q.encryptedOptions {
                let m = selections[qi][oi]
                let rho: Scalar<G> = seed.derive(election, "encrypt", qi, oi, 0)
                nonceSum += rho
                let c = Ciphertext.encrypt(UInt64(m), nonce: rho, key: key)
                cts.append(c)
                proofs.append(
                    RangeProof.prove(
                        ciphertext: c, value: m, nonce: rho, lo: 0, hi: 1, key: key,
                        statement: Self.statement(credential: credential, question: qi, option: oi),
                        election: election, randomness: seed.proofRandomness(election, qi, oi)))
            }
            var sumProof: RangeProof<G>? = nil
            if q.needsSumProof {
                let total = selections[qi].prefix(q.encryptedOptions).reduce(0, +)
                let sum = cts.dropFirst().reduce(cts[0], +)
                sumProof = RangeProof.prove(
                    ciphertext: sum, value: total, nonce: nonceSum, lo: q.sumRange.lowerBound,
                    hi: q.sumRange.upperBound,
                    key: key, statement: Self.statement(credential: credential, question: qi, option: Self.sumSlot),
                    election: election, randomness: seed.proofRandomness(election, qi, Self.sumSlot))
            }
            answers.append(EncryptedAnswer(ciphertexts: cts, bitProofs: proofs, sumProof: sumProof))
        }
        return answers
    }

    // MARK: verification

    /// Decodes and fully verifies a ballot (encodings, election, proofs, signature).
    @_specialize(exported:true,where G == P256)
    public func decodeAndVerify(_ bytes: [UInt8]) throws(BallotError) -> Ballot<G> {
        let b: Ballot<G>
        do { b = try Ballot(bytes: bytes, shape: shape) } catch { throw .malformed(error) }
        try verify(b)
        return b
    }

    /// Verifies one ballot: all its relations in one randomized check; if that fails, each
    /// relation on its own, to name the one that is false.
    @_specialize(exported:true,where G == P256)
    public func verify(_ ballot: Ballot<G>) throws(BallotError) {
        let rels = try relations(ballot)
        var check = BatchCheck(fixedBase: key)
        for r in rels { check.add(r) }
        if check.holds() { return }
        throw failure(rels)
    }

    func failure(_ rels: [Relation<G>]) -> BallotError {
        for r in rels where !BatchCheck.holds(r, fixedBase: key) { return .invalidProof(r.label) }
        // Unreachable unless the random weights cancelled a false relation (probability 2⁻¹²⁸).
        return .invalidProof("combined check")
    }

    /// The relations that together say "this ballot is valid".
    @_specialize(exported:true,where G == P256)
    public func relations(_ ballot: Ballot<G>) throws(BallotError) -> [Relation<G>] {
        guard ballot.election == election else { throw .wrongElection }
        guard ballot.answers.count == shape.questions.count else {
            throw .malformed(.invalidEncoding("wrong number of answers"))
        }
        var out: [Relation<G>] = []
        out.reserveCapacity(8)
        for (qi, q) in shape.questions.enumerated() {
            let a = ballot.answers[qi]
            guard a.ciphertexts.count == q.encryptedOptions, a.bitProofs.count == q.encryptedOptions,
                (a.sumProof != nil) == q.needsSumProof
            else {
                throw .malformed(.invalidEncoding("question \(qi + 1) does not match the ballot shape"))
            }
            for oi in 0..<q.encryptedOptions {
                out += a.bitProofs[oi].relations(
                    ciphertext: a.ciphertexts[oi], key: key,
                    statement: Self.statement(credential: ballot.credential, question: qi, option: oi),
                    election: election, label: "0/1 proof of question \(qi + 1), option \(oi + 1)")
            }
            if let s = a.sumProof {
                guard s.lo == q.sumRange.lowerBound, s.hi == q.sumRange.upperBound else {
                    throw .malformed(.invalidEncoding("question \(qi + 1) sum proof has the wrong range"))
                }
                out += s.relations(
                    ciphertext: a.sum, key: key,
                    statement: Self.statement(credential: ballot.credential, question: qi, option: Self.sumSlot),
                    election: election, label: "number-of-choices proof of question \(qi + 1)")
            }
        }
        out.append(
            ballot.signature.relation(credential: ballot.credential, message: ballot.signedMessage, election: election))
        return out
    }

    // MARK: audit

    /// Benaloh audit: re-creates the encrypted answers from the revealed seed and the claimed
    /// choices and checks that they are exactly the ones in the ballot. Succeeds only if the
    /// device encrypted what the voter chose.
    public func audit(_ ballot: Ballot<G>, seed: BallotSeed, selections: [[Int]]) throws(BallotError) {
        guard ballot.election == election else { throw .wrongElection }
        let expected: [EncryptedAnswer<G>]
        do { expected = try encryptAnswers(selections: selections, credential: ballot.credential, seed: seed) } catch {
            throw .malformed(error)
        }
        let a = Ballot<G>.encodeUnsigned(
            election: election, credential: ballot.credential, sequence: ballot.sequence, answers: expected)
        guard a == ballot.signedMessage else { throw .auditMismatch }
    }
}

/// Why a ballot was refused, in words an official or observer understands.
public enum BallotError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformed(CryptoError)
    case wrongElection
    case invalidProof(String)
    case auditMismatch

    public var description: String {
        switch self {
        case .malformed(let e): return "ballot is malformed: \(e)"
        case .wrongElection: return "ballot belongs to another election"
        case .invalidProof(let what): return "ballot \(what) does not verify"
        case .auditMismatch:
            return "audited ballot does not match the revealed choices: the device did not encrypt what the voter chose"
        }
    }
}

/// The per-ballot secret from which every nonce of the encryption and its proofs is derived:
///
///     x = H("ballot-nonce", election, seed, purpose, question, option, index) mod q
public struct BallotSeed: Sendable, Hashable {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) throws(CryptoError) {
        guard bytes.count == 32 else { throw .invalidEncoding("ballot seed: \(bytes.count) bytes, expected 32") }
        self.bytes = bytes
    }
    public static func random() -> BallotSeed { try! BallotSeed(bytes: SecureRandom.bytes(32)) }

    func derive<G: PrimeOrderGroup>(
        _ election: ElectionHash, _ purpose: String, _ q: Int, _ o: Int, _ j: Int
    ) -> Scalar<G> {
        var t = Transcript<G>("ballot-nonce", election: election)
        t.append(fixed: bytes)
        t.append(bytes: Array(purpose.utf8))
        t.append(u32: UInt32(truncatingIfNeeded: q))
        t.append(u32: UInt32(truncatingIfNeeded: o))
        t.append(u32: UInt32(truncatingIfNeeded: j))
        return t.challenge()
    }

    func proofRandomness<G: PrimeOrderGroup>(_ e: ElectionHash, _ q: Int, _ o: Int) -> RangeProof<G>.Randomness {
        var w: Scalar<G> = derive(e, "proof-commitment", q, o, 0)
        if w.isZero { w = .one }
        return RangeProof<G>.Randomness(
            commitmentNonce: w,
            simulated: { v in
                (self.derive(e, "proof-challenge", q, o, v), self.derive(e, "proof-response", q, o, v))
            })
    }
}
