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

    /// `y` is fixed only by the known-answer vectors.
    static func seal(
        share: Scalar<G>, from: Int, to: Int, recipientKey: GroupElement<G>, election: ElectionHash,
        ephemeralSecret y: Scalar<G> = .randomNonZero()
    ) -> EncryptedShare {
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
        try open(shared: e * ephemeral, recipientKey: recipientKey, election: election)
    }

    /// Opens the share with the Diffie–Hellman value Z = e_ℓ·R: the recipient computes it with
    /// its secret; anyone can once the recipient publishes it in a complaint (protocol.md §7.3).
    func open(
        shared z: GroupElement<G>, recipientKey: GroupElement<G>, election: ElectionHash
    ) throws(CryptoError) -> Scalar<G> {
        let info = Self.info(from: from, to: to, ephemeral: ephemeral, recipientKey: recipientKey)
        let k = Self.key(shared: z, election: election, info: info)
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

/// The Diffie–Hellman value with which a share was opened, Z = e_ℓ·R, and a Chaum–Pedersen
/// proof that log_G E_ℓ = log_R Z (statement str("share-opening") ‖ u32(i) ‖ u32(ℓ), bound to
/// h₀). With it anyone derives the DHIES key of the share and opens it: a complaint about a bad
/// share proves itself, and nobody has to reveal anything (protocol.md §7.3).
public struct ShareOpening<G: PrimeOrderGroup>: Hashable, Sendable {
    public let shared: GroupElement<G>
    public let proof: ChaumPedersenProof<G>
    public init(shared: GroupElement<G>, proof: ChaumPedersenProof<G>) {
        self.shared = shared
        self.proof = proof
    }

    static func statement(from: Int, to: Int) -> [UInt8] {
        var w = ByteWriter()
        w.string("share-opening")
        w.u32(UInt32(from))
        w.u32(UInt32(to))
        return w.bytes
    }
}

/// Trustee ℓ accuses dealer i (the complaint round of Gennaro–Jarecki–Krawczyk–Rabin 1999),
/// with a provable reason (protocol.md §7.3):
/// - `evidence == nil`: no share from i to ℓ was on the board when ℓ checked. The dealer
///   answers by revealing f_i(ℓ) (`ShareReveal`), or is disqualified.
/// - `evidence != nil`: the share is on the board and `evidence` opens it for everyone; the
///   complaint stands only if the share does not decrypt or does not match i's commitments
///   (`isFounded`). A founded one disqualifies i outright; there is nothing to answer.
public struct ShareComplaint<G: PrimeOrderGroup>: Hashable, Sendable {
    public let from: Int
    public let against: Int
    public let evidence: ShareOpening<G>?
    public init(from: Int, against: Int, evidence: ShareOpening<G>? = nil) {
        self.from = from
        self.against = against
        self.evidence = evidence
    }

    /// Whether the complaint is true, as anyone checks it from public data: `share` is the
    /// share from `against` to `from` on the board, if any.
    public func isFounded(
        share: EncryptedShare<G>?, dealer: TrusteePublicKey<G>, complainant: TrusteePublicKey<G>,
        election: ElectionHash
    ) -> Bool {
        guard dealer.index == against, complainant.index == from else { return false }
        guard let evidence else { return share == nil }
        guard let share, share.from == against, share.to == from,
            evidence.proof.verify(
                base: share.ephemeral, X: complainant.encryptionKey, Y: evidence.shared,
                statement: ShareOpening<G>.statement(from: against, to: from), election: election)
        else { return false }
        guard
            let s = try? share.open(
                shared: evidence.shared, recipientKey: complainant.encryptionKey, election: election)
        else { return true }
        return GroupElement<G>.base(s) != dealer.expectedShareImage(for: from)
    }
}

/// Trustee ℓ's verdict on the shares it was sent, its last word in the ceremony: the dealers
/// whose share it opened and checked (increasing). Every other published trustee is one it
/// complained against (record.md §5).
public struct ShareAcknowledgement: Hashable, Sendable {
    public let from: Int
    public let dealers: [Int]
    public init(from: Int, dealers: [Int]) {
        self.from = from
        self.dealers = dealers
    }
}

/// What a trustee concludes from the shares sent to it: the checked values (by dealer), the
/// complaints to post, then the acknowledgement naming every other dealer.
public struct ShareCheck<G: PrimeOrderGroup>: Sendable {
    public let received: [Int: Scalar<G>]
    public let complaints: [ShareComplaint<G>]
    public let acknowledgement: ShareAcknowledgement
    /// Dealers from which no share had arrived (each is among `complaints`).
    public var missing: [Int] { complaints.filter { $0.evidence == nil }.map(\.against) }

    /// The same check without the complaints against `dealers`, already filed earlier.
    public func excluding(alreadyFiled dealers: Set<Int>) -> ShareCheck {
        ShareCheck(
            received: received, complaints: complaints.filter { !dealers.contains($0.against) },
            acknowledgement: acknowledgement)
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
    /// e_i, then a_i0 … a_i,k−1; zeroed when the last copy of the trustee is dropped.
    let secrets: SecretScalars<G>
    public let publicKey: TrusteePublicKey<G>

    var encryptionSecret: Scalar<G> { secrets[0] }
    func coefficient(_ j: Int) -> Scalar<G> { secrets[1 + j] }

    /// Starts the ceremony for trustee `index` (1-based).
    public static func generate(
        index: Int, threshold: TrusteeThreshold, election: ElectionHash
    ) throws(CryptoError) -> Trustee {
        guard (1...threshold.trustees).contains(index) else {
            throw .invalidParameter("trustee index \(index) out of 1…\(threshold.trustees)")
        }
        let secrets = try SecretScalars<G>(count: threshold.quorum + 1) { _ in Scalar<G>.randomNonZero() }
        return Trustee(index: index, threshold: threshold, secrets: secrets, election: election)
    }

    init(index: Int, threshold: TrusteeThreshold, secrets: SecretScalars<G>, election: ElectionHash) {
        self.index = index
        self.threshold = threshold
        self.secrets = secrets
        let e = secrets[0]
        let ek = KeyPair<G>(secret: e)
        publicKey = TrusteePublicKey(
            index: index,
            encryptionKey: ek.publicKey,
            encryptionKeyProof: .prove(
                secret: e, publicKey: ek.publicKey,
                statement: TrusteePublicKey<G>.statement("encryption-key", trustee: index, coefficient: 0),
                election: election),
            commitments: (0..<threshold.quorum).map { GroupElement<G>.base(secrets[1 + $0]) },
            commitmentProofs: (0..<threshold.quorum).map { j in
                let a = secrets[1 + j]
                return .prove(
                    secret: a, publicKey: .base(a),
                    statement: TrusteePublicKey<G>.statement("coefficient", trustee: index, coefficient: j),
                    election: election)
            })
    }

    /// f_i(x), Horner's rule.
    func evaluate(at x: Int) -> Scalar<G> {
        let xs = Scalar<G>(UInt64(x))
        var acc = Scalar<G>.zero
        for j in (0..<threshold.quorum).reversed() { acc = acc * xs + coefficient(j) }
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

    /// Checks the shares sent to this trustee by every other trustee with a published key
    /// (`shares` may hold any shares of the board): a share that opens and matches is kept; a
    /// missing one gets a complaint to answer, a bad one a complaint with its opening.
    public func checkShares(
        _ shares: [EncryptedShare<G>], publicKeys: [Int: TrusteePublicKey<G>], election: ElectionHash
    ) -> ShareCheck<G> {
        var received: [Int: Scalar<G>] = [:], complaints: [ShareComplaint<G>] = [], good: [Int] = []
        for (i, dealer) in publicKeys.sorted(by: { $0.key < $1.key }) where i != index {
            guard let share = shares.first(where: { $0.from == i && $0.to == index }) else {
                complaints.append(ShareComplaint(from: index, against: i))
                continue
            }
            if let v = receive(share, from: dealer, election: election) {
                received[i] = v
                good.append(i)
            } else {
                complaints.append(
                    ShareComplaint(from: index, against: i, evidence: opening(of: share, election: election)))
            }
        }
        return ShareCheck(
            received: received, complaints: complaints,
            acknowledgement: ShareAcknowledgement(from: index, dealers: good))
    }

    /// Z = e_ℓ·R with its proof, to publish a bad share (protocol.md §7.3).
    public func opening(of share: EncryptedShare<G>, election: ElectionHash) -> ShareOpening<G> {
        opening(of: share, election: election, nonce: .randomNonZero())
    }

    func opening(of share: EncryptedShare<G>, election: ElectionHash, nonce: Scalar<G>) -> ShareOpening<G> {
        let z = encryptionSecret * share.ephemeral
        return ShareOpening(
            shared: z,
            proof: .prove(
                secret: encryptionSecret, base: share.ephemeral, X: publicKey.encryptionKey, Y: z,
                statement: ShareOpening<G>.statement(from: share.from, to: index), election: election, nonce: nonce))
    }

    /// The share a dealer revealed to this trustee, if it matches the dealer's commitments.
    public func acceptReveal(_ r: ShareReveal<G>, from dealer: TrusteePublicKey<G>) -> Scalar<G>? {
        guard r.to == index, r.from == dealer.index,
            GroupElement<G>.base(r.share) == dealer.expectedShareImage(for: index)
        else { return nil }
        return r.share
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
        for j in 0..<secrets.count { w.fixed(secrets[j].bytes) }
        return w.bytes
    }
    public init(secretBytes: [UInt8], election: ElectionHash) throws(CryptoError) {
        var r = ByteReader(secretBytes)
        let i = Int(try r.u16("trustee index")), n = Int(try r.u16("trustee count")), k = Int(try r.u16("quorum"))
        let t = try TrusteeThreshold(trustees: n, quorum: k)
        let sb = G.scalarField.byteCount
        let secrets = try SecretScalars<G>(count: k + 1) { (j) throws(CryptoError) in
            try Scalar<G>(bytes: try r.fixed(sb, j == 0 ? "encryption secret" : "coefficient \(j - 1)"))
        }
        try r.finish("trustee secrets")
        self.init(index: i, threshold: t, secrets: secrets, election: election)
    }
}

/// Public results of the ceremony, computable by anyone from the published messages.
public enum KeyCeremony<G: PrimeOrderGroup> {
    /// The qualified set QUAL (protocol.md §7.3), from messages the board has accepted: the
    /// trustees with a published key that
    /// - acknowledged their shares (so, for every other published trustee, checked its share or
    ///   complained),
    /// - have fewer than `quorum` complaints against them,
    /// - have no complaint against them that proves a share bad, and
    /// - answered every complaint about a missing share with a reveal matching their
    ///   commitments.
    /// Then for every ordered pair in QUAL there is a checked share or an answered complaint.
    public static func qualified(
        publicKeys: [Int: TrusteePublicKey<G>], acknowledged: Set<Int>, complaints: [ShareComplaint<G>],
        reveals: [ShareReveal<G>], threshold: TrusteeThreshold
    ) -> Set<Int> {
        var ok = Set<Int>()
        for (i, dealer) in publicKeys where acknowledged.contains(i) {
            let against = complaints.filter { $0.against == i }
            guard against.count < threshold.quorum, !against.contains(where: { $0.evidence != nil }) else { continue }
            let answered = against.allSatisfy { c in
                reveals.contains { r in
                    r.from == i && r.to == c.from
                        && GroupElement<G>.base(r.share) == dealer.expectedShareImage(for: c.from)
                }
            }
            if answered { ok.insert(i) }
        }
        return ok
    }

    /// K = Σ_{i ∈ qualified} C_{i,0}.
    public static func jointKey(publicKeys: [Int: TrusteePublicKey<G>], qualified: Set<Int>) -> GroupElement<G> {
        qualified.sorted().map { publicKeys[$0]!.commitments[0] }.reduce(.identity, +)
    }

    /// S_ℓ = s_ℓ·G = Σ_{i ∈ qualified} Σ_j C_{i,j}·ℓ^j: trustee ℓ's verification key.
    public static func verificationKey(
        for trustee: Int, publicKeys: [Int: TrusteePublicKey<G>], qualified: Set<Int>
    ) -> GroupElement<G> {
        qualified.sorted().map { publicKeys[$0]!.expectedShareImage(for: trustee) }.reduce(.identity, +)
    }
}

/// Trustee ℓ's share s_ℓ of the election secret (a point on the joint polynomial).
public struct ElectionKeyShare<G: PrimeOrderGroup>: Sendable {
    public let index: Int
    /// s_ℓ, zeroed when the last copy of the share is dropped.
    private let stored: SecretScalars<G>
    var secret: Scalar<G> { stored[0] }
    public var verificationKey: GroupElement<G> { .base(secret) }
    public var secretBytes: [UInt8] { secret.bytes }
    public init(index: Int, secretBytes: [UInt8]) throws(CryptoError) {
        self.index = index
        stored = try SecretScalars(count: 1) { _ throws(CryptoError) in
            try Scalar(bytes: secretBytes, what: "election key share")
        }
    }
    init(index: Int, secret: Scalar<G>) {
        self.index = index
        stored = try! SecretScalars(count: 1) { _ in secret }
    }
}
