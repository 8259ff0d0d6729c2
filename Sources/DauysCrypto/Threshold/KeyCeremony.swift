import Crypto

/// Number of trustees n and quorum k: any k of the n can decrypt, fewer learn nothing.
public struct TrusteeThreshold: Hashable, Sendable, Codable {
    public let trustees: Int
    public let quorum: Int
    public init(trustees: Int, quorum: Int) throws(CryptoError) {
        guard trustees >= 1, trustees <= 255, quorum >= 1, quorum <= trustees else {
            throw .invalidParameter(
                "trustee threshold needs 1 ≤ quorum ≤ trustees ≤ 255 (got quorum \(quorum) of \(trustees))")
        }
        self.trustees = trustees
        self.quorum = quorum
    }
}

/// What trustee i publishes at the start of the key ceremony (Pedersen 1991 distributed key
/// generation with Feldman 1987 commitments, as in ElectionGuard):
/// - an encryption key E_i = e_i·G for receiving shares, with a Schnorr proof;
/// - commitments C_{i,j} = a_{i,j}·G to the coefficients of its secret polynomial
///   f_i(x) = a_{i,0} + a_{i,1}x + … + a_{i,k−1}x^{k−1}, each with a Schnorr proof.
public struct TrusteePublicKey<G: PrimeOrderGroup>: Hashable, Sendable {
    public let index: Int
    public let encryptionKey: GroupElement<G>
    public let encryptionKeyProof: SchnorrProof<G>
    public let commitments: [GroupElement<G>]
    public let commitmentProofs: [SchnorrProof<G>]

    public init(
        index: Int, encryptionKey: GroupElement<G>, encryptionKeyProof: SchnorrProof<G>,
        commitments: [GroupElement<G>], commitmentProofs: [SchnorrProof<G>]
    ) {
        self.index = index
        self.encryptionKey = encryptionKey
        self.encryptionKeyProof = encryptionKeyProof
        self.commitments = commitments
        self.commitmentProofs = commitmentProofs
    }

    static func statement(_ purpose: String, trustee: Int, coefficient: Int) -> [UInt8] {
        var w = ByteWriter()
        w.string(purpose)
        w.u32(UInt32(trustee))
        w.u32(UInt32(coefficient))
        return w.bytes
    }

    /// Checks the proofs and the shape against the threshold. Anyone can run this.
    public func verify(threshold: TrusteeThreshold, election: ElectionHash) throws(CryptoError) {
        guard (1...threshold.trustees).contains(index) else {
            throw .invalidParameter("trustee index \(index) out of range")
        }
        guard commitments.count == threshold.quorum, commitmentProofs.count == threshold.quorum else {
            throw .invalidParameter(
                "trustee \(index) published \(commitments.count) commitments, expected \(threshold.quorum)")
        }
        guard
            encryptionKeyProof.verify(
                publicKey: encryptionKey, statement: Self.statement("encryption-key", trustee: index, coefficient: 0),
                election: election)
        else {
            throw .invalidProof("trustee \(index) encryption-key proof")
        }
        for (j, (c, p)) in zip(commitments, commitmentProofs).enumerated() {
            guard
                p.verify(
                    publicKey: c, statement: Self.statement("coefficient", trustee: index, coefficient: j),
                    election: election)
            else {
                throw .invalidProof("trustee \(index) coefficient \(j) proof")
            }
        }
    }

    /// Σ_j C_{i,j}·ℓ^j = f_i(ℓ)·G: what the share for trustee ℓ must match.
    public func expectedShareImage(for recipient: Int) -> GroupElement<G> {
        var terms: [(G.Representation, Scalar<G>)] = []
        var power = Scalar<G>.one
        let x = Scalar<G>(UInt64(recipient))
        for c in commitments {
            terms.append((c.representation, power))
            power = power * x
        }
        return GroupElement(G.linearCombination(generator: .zero, fixed: [], terms: terms))
    }
}

/// A share f_i(ℓ) encrypted from trustee i to trustee ℓ with DHIES (Abdalla, Bellare,
/// Rogaway 2001): R = y·G, key = HKDF-SHA256(y·E_ℓ, salt = election hash,
/// info = "DAUYS-v1 dkg-share" ‖ i ‖ ℓ ‖ R ‖ E_ℓ), AES-256-GCM with a zero nonce (each key is
/// used once) and the info as associated data.
public struct EncryptedShare<G: PrimeOrderGroup>: Hashable, Sendable {
    public let from: Int
    public let to: Int
    public let ephemeral: GroupElement<G>
    public let sealed: [UInt8]

    public init(from: Int, to: Int, ephemeral: GroupElement<G>, sealed: [UInt8]) {
        self.from = from
        self.to = to
        self.ephemeral = ephemeral
        self.sealed = sealed
    }

    static func info(from: Int, to: Int, ephemeral: GroupElement<G>, recipientKey: GroupElement<G>) -> [UInt8] {
        var w = ByteWriter()
        w.string("DAUYS-v1 dkg-share")
        w.string(G.name)
        w.u32(UInt32(from))
        w.u32(UInt32(to))
        w.fixed(ephemeral.bytes)
        w.fixed(recipientKey.bytes)
        return w.bytes
    }

    static func key(shared: GroupElement<G>, election: ElectionHash, info: [UInt8]) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: shared.bytes), salt: election.bytes, info: info, outputByteCount: 32)
    }

    static func seal(
        share: Scalar<G>, from: Int, to: Int, recipientKey: GroupElement<G>, election: ElectionHash
    ) -> EncryptedShare {
        let y = Scalar<G>.randomNonZero()
        let r = GroupElement<G>.base(y)
        let info = info(from: from, to: to, ephemeral: r, recipientKey: recipientKey)
        let k = key(shared: y * recipientKey, election: election, info: info)
        let box = try! AES.GCM.seal(
            share.bytes, using: k, nonce: try! AES.GCM.Nonce(data: [UInt8](repeating: 0, count: 12)),
            authenticating: info)
        return EncryptedShare(from: from, to: to, ephemeral: r, sealed: Array(box.ciphertext) + Array(box.tag))
    }

    func open(
        secret e: Scalar<G>, recipientKey: GroupElement<G>, election: ElectionHash
    ) throws(CryptoError) -> Scalar<G> {
        let info = Self.info(from: from, to: to, ephemeral: ephemeral, recipientKey: recipientKey)
        let k = Self.key(shared: e * ephemeral, election: election, info: info)
        guard sealed.count == G.scalarField.byteCount + 16 else {
            throw .invalidEncoding("encrypted share: wrong length")
        }
        let plain: [UInt8]
        do {
            let box = try AES.GCM.SealedBox(
                nonce: try AES.GCM.Nonce(data: [UInt8](repeating: 0, count: 12)),
                ciphertext: sealed.dropLast(16), tag: sealed.suffix(16))
            plain = Array(try AES.GCM.open(box, using: k, authenticating: info))
        } catch {
            throw .decryptionFailed("share from trustee \(from) to trustee \(to)")
        }
        return try Scalar(bytes: plain, what: "share from trustee \(from)")
    }
}

/// Trustee ℓ accuses trustee i of sending a share that does not open or does not match i's
/// commitments (the complaint round of Gennaro, Jarecki, Krawczyk, Rabin 1999).
public struct ShareComplaint: Hashable, Sendable, Codable {
    public let from: Int
    public let against: Int
    public init(from: Int, against: Int) {
        self.from = from
        self.against = against
    }
}

/// The accused trustee's answer: the disputed share in the clear. Anyone checks it against
/// the commitments; a correct share clears the accused (and the complainant uses it), a wrong
/// or missing answer disqualifies it.
public struct ShareReveal<G: PrimeOrderGroup>: Hashable, Sendable {
    public let from: Int
    public let to: Int
    public let share: Scalar<G>
    public init(from: Int, to: Int, share: Scalar<G>) {
        self.from = from
        self.to = to
        self.share = share
    }
}

/// A trustee's secrets during and after the ceremony. Lives only in the trustee's own key
/// file; no step ever puts the shares of the election secret together.
public struct Trustee<G: PrimeOrderGroup>: Sendable {
    public let index: Int
    public let threshold: TrusteeThreshold
    let encryptionSecret: Scalar<G>
    let coefficients: [Scalar<G>]
    public let publicKey: TrusteePublicKey<G>

    /// Starts the ceremony for trustee `index` (1-based).
    public static func generate(
        index: Int, threshold: TrusteeThreshold, election: ElectionHash
    ) throws(CryptoError) -> Trustee {
        guard (1...threshold.trustees).contains(index) else {
            throw .invalidParameter("trustee index \(index) out of 1…\(threshold.trustees)")
        }
        let e = Scalar<G>.randomNonZero()
        let coeffs = (0..<threshold.quorum).map { _ in Scalar<G>.randomNonZero() }
        return Trustee(
            index: index, threshold: threshold, encryptionSecret: e, coefficients: coeffs, election: election)
    }

    init(
        index: Int, threshold: TrusteeThreshold, encryptionSecret e: Scalar<G>, coefficients: [Scalar<G>],
        election: ElectionHash
    ) {
        self.index = index
        self.threshold = threshold
        self.encryptionSecret = e
        self.coefficients = coefficients
        let ek = KeyPair<G>(secret: e)
        let commitments = coefficients.map { GroupElement<G>.base($0) }
        publicKey = TrusteePublicKey(
            index: index,
            encryptionKey: ek.publicKey,
            encryptionKeyProof: .prove(
                secret: e, publicKey: ek.publicKey,
                statement: TrusteePublicKey<G>.statement("encryption-key", trustee: index, coefficient: 0),
                election: election),
            commitments: commitments,
            commitmentProofs: zip(coefficients, commitments).enumerated().map { j, pair in
                .prove(
                    secret: pair.0, publicKey: pair.1,
                    statement: TrusteePublicKey<G>.statement("coefficient", trustee: index, coefficient: j),
                    election: election)
            })
    }

    /// f_i(x), Horner's rule.
    func evaluate(at x: Int) -> Scalar<G> {
        let xs = Scalar<G>(UInt64(x))
        var acc = Scalar<G>.zero
        for c in coefficients.reversed() { acc = acc * xs + c }
        return acc
    }

    /// Encrypted shares f_i(ℓ) for every other trustee, after checking their public keys.
    public func shares(
        for others: [TrusteePublicKey<G>], election: ElectionHash
    ) throws(CryptoError) -> [EncryptedShare<G>] {
        var out: [EncryptedShare<G>] = []
        for pk in others where pk.index != index {
            try pk.verify(threshold: threshold, election: election)
            out.append(
                .seal(
                    share: evaluate(at: pk.index), from: index, to: pk.index, recipientKey: pk.encryptionKey,
                    election: election))
        }
        return out
    }

    /// Opens and checks a share received from another trustee. Returns nil — meaning
    /// "complain" — if it does not decrypt or does not match the sender's commitments.
    public func receive(
        _ share: EncryptedShare<G>, from sender: TrusteePublicKey<G>, election: ElectionHash
    ) -> Scalar<G>? {
        guard share.to == index, share.from == sender.index,
            let s = try? share.open(
                secret: encryptionSecret, recipientKey: publicKey.encryptionKey, election: election),
            GroupElement<G>.base(s) == sender.expectedShareImage(for: index)
        else { return nil }
        return s
    }

    /// Reveals the share this trustee sent to `recipient`, to answer a complaint.
    public func reveal(to recipient: Int) -> ShareReveal<G> {
        ShareReveal(from: index, to: recipient, share: evaluate(at: recipient))
    }

    /// This trustee's share of the election secret, s_ℓ = Σ_{i ∈ qualified} f_i(ℓ), from the
    /// checked shares received (keyed by sender) and its own f_ℓ(ℓ).
    public func secretShare(received: [Int: Scalar<G>], qualified: Set<Int>) throws(CryptoError) -> ElectionKeyShare<G>
    {
        var s = Scalar<G>.zero
        for i in qualified.sorted() {
            if i == index {
                s += evaluate(at: index)
                continue
            }
            guard let v = received[i] else { throw .invalidParameter("no checked share from trustee \(i)") }
            s += v
        }
        return ElectionKeyShare(index: index, secret: s)
    }

    /// For key files: the trustee's secrets as canonical bytes (index, threshold,
    /// encryption secret, coefficients).
    public var secretBytes: [UInt8] {
        var w = ByteWriter()
        w.u16(UInt16(index))
        w.u16(UInt16(threshold.trustees))
        w.u16(UInt16(threshold.quorum))
        w.fixed(encryptionSecret.bytes)
        for c in coefficients { w.fixed(c.bytes) }
        return w.bytes
    }
    public init(secretBytes: [UInt8], election: ElectionHash) throws(CryptoError) {
        var r = ByteReader(secretBytes)
        let i = Int(try r.u16("trustee index")), n = Int(try r.u16("trustee count")), k = Int(try r.u16("quorum"))
        let t = try TrusteeThreshold(trustees: n, quorum: k)
        let sb = G.scalarField.byteCount
        let e = try Scalar<G>(bytes: try r.fixed(sb, "encryption secret"))
        var cs: [Scalar<G>] = []
        for j in 0..<k { cs.append(try Scalar(bytes: try r.fixed(sb, "coefficient \(j)"))) }
        try r.finish("trustee secrets")
        self.init(index: i, threshold: t, encryptionSecret: e, coefficients: cs, election: election)
    }
}

/// Public results of the ceremony, computable by anyone from the published messages.
public enum KeyCeremony<G: PrimeOrderGroup> {
    /// Resolves complaints: a trustee is disqualified if any complaint against it is not
    /// answered by a reveal that matches its commitments. Trustees whose public key fails
    /// verification are disqualified too. Returns the qualified set.
    public static func qualified(
        publicKeys: [TrusteePublicKey<G>], complaints: [ShareComplaint], reveals: [ShareReveal<G>],
        threshold: TrusteeThreshold, election: ElectionHash
    ) -> Set<Int> {
        var ok = Set<Int>()
        var byIndex: [Int: TrusteePublicKey<G>] = [:]
        for pk in publicKeys where byIndex[pk.index] == nil {
            if (try? pk.verify(threshold: threshold, election: election)) != nil {
                ok.insert(pk.index)
                byIndex[pk.index] = pk
            }
        }
        for c in complaints {
            guard let accused = byIndex[c.against] else { continue }
            let answered = reveals.contains { r in
                r.from == c.against && r.to == c.from
                    && GroupElement<G>.base(r.share) == accused.expectedShareImage(for: c.from)
            }
            if !answered { ok.remove(c.against) }
        }
        return ok
    }

    /// K = Σ_{i ∈ qualified} C_{i,0}.
    public static func jointKey(publicKeys: [TrusteePublicKey<G>], qualified: Set<Int>) -> GroupElement<G> {
        publicKeys.filter { qualified.contains($0.index) }.map { $0.commitments[0] }.reduce(.identity, +)
    }

    /// S_ℓ = s_ℓ·G = Σ_{i ∈ qualified} Σ_j C_{i,j}·ℓ^j: trustee ℓ's verification key.
    public static func verificationKey(
        for trustee: Int, publicKeys: [TrusteePublicKey<G>], qualified: Set<Int>
    ) -> GroupElement<G> {
        publicKeys.filter { qualified.contains($0.index) }.map { $0.expectedShareImage(for: trustee) }.reduce(
            .identity, +)
    }
}

/// Trustee ℓ's share s_ℓ of the election secret (a point on the joint polynomial).
public struct ElectionKeyShare<G: PrimeOrderGroup>: Sendable {
    public let index: Int
    let secret: Scalar<G>
    public var verificationKey: GroupElement<G> { .base(secret) }
    public var secretBytes: [UInt8] { secret.bytes }
    public init(index: Int, secretBytes: [UInt8]) throws(CryptoError) {
        self.index = index
        secret = try Scalar(bytes: secretBytes, what: "election key share")
    }
    init(index: Int, secret: Scalar<G>) {
        self.index = index
        self.secret = secret
    }
}
