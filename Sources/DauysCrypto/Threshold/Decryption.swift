/// Trustee ℓ's partial decryption of a ciphertext: D = s_ℓ·α with a Chaum–Pedersen proof
/// that log_G S_ℓ = log_α D.
public struct DecryptionShare<G: PrimeOrderGroup>: Hashable, Sendable {
    public let trustee: Int
    public let share: GroupElement<G>
    public let proof: ChaumPedersenProof<G>

    public init(trustee: Int, share: GroupElement<G>, proof: ChaumPedersenProof<G>) {
        self.trustee = trustee
        self.share = share
        self.proof = proof
    }

    static func statement(trustee: Int, label: [UInt8]) -> [UInt8] {
        var w = ByteWriter()
        w.string("decryption-share")
        w.u32(UInt32(trustee))
        w.lengthPrefixed(label)
        return w.bytes
    }

    /// `label` names the ciphertext (e.g. region and option), binding the proof to it.
    public static func make(
        keyShare: ElectionKeyShare<G>, ciphertext: Ciphertext<G>, label: [UInt8], election: ElectionHash
    ) -> DecryptionShare {
        let d = keyShare.secret * ciphertext.alpha
        let proof = ChaumPedersenProof.prove(
            secret: keyShare.secret, base: ciphertext.alpha, X: keyShare.verificationKey, Y: d,
            statement: statement(trustee: keyShare.index, label: label), election: election)
        return DecryptionShare(trustee: keyShare.index, share: d, proof: proof)
    }

    /// Valid iff the Chaum–Pedersen proof holds and D and B are the neutral element exactly
    /// when α is (then D carries no information and m·G = β).
    public func verify(
        ciphertext: Ciphertext<G>, verificationKey: GroupElement<G>, label: [UInt8], election: ElectionHash
    ) -> Bool {
        let neutral = ciphertext.alpha.isIdentity
        guard share.isIdentity == neutral, proof.commitmentH.isIdentity == neutral else { return false }
        return proof.verify(
            base: ciphertext.alpha, X: verificationKey, Y: share,
            statement: Self.statement(trustee: trustee, label: label), election: election)
    }
}

/// Combination of decryption shares (Shamir 1979 interpolation in the exponent): with any
/// set T of at least k distinct trustees, s·α = Σ_{ℓ∈T} λ_ℓ·D_ℓ with
/// λ_ℓ = Π_{m∈T, m≠ℓ} m / (m − ℓ), so m·G = β − Σ λ_ℓ·D_ℓ. Absent trustees are simply
/// left out of T; the secret s itself is never formed.
public enum ThresholdDecryption<G: PrimeOrderGroup> {
    public static func lagrangeCoefficient(for i: Int, among set: [Int]) -> Scalar<G> {
        var num = Scalar<G>.one, den = Scalar<G>.one
        let xi = Scalar<G>(UInt64(i))
        for m in set where m != i {
            let xm = Scalar<G>(UInt64(m))
            num = num * xm
            den = den * (xm - xi)
        }
        return num * den.inverse!
    }

    /// m·G for the ciphertext, from `quorum` or more shares of distinct trustees (already verified).
    public static func combine(
        _ shares: [DecryptionShare<G>], ciphertext: Ciphertext<G>, quorum: Int
    ) throws(CryptoError) -> GroupElement<G> {
        let indices = shares.map(\.trustee)
        guard Set(indices).count == indices.count else {
            throw .invalidParameter("two decryption shares from the same trustee")
        }
        guard indices.count >= quorum else {
            throw .invalidParameter("\(indices.count) decryption shares, the quorum is \(quorum)")
        }
        let used = Array(shares.prefix(quorum))
        let set = used.map(\.trustee)
        let terms = used.map { ($0.share.representation, -lagrangeCoefficient(for: $0.trustee, among: set)) }
        return ciphertext.beta + GroupElement(G.linearCombination(generator: .zero, fixed: [], terms: terms))
    }
}
