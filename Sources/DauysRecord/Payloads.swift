import DauysCrypto
import Foundation

// Binary payloads of the board entries that carry group elements. Layouts are in
// docs/record.md; every decoder validates every element and scalar and refuses trailing bytes.

extension TrusteePublicKey {
    /// u16(i) ‖ E ‖ proof(E) ‖ u16(k) ‖ k × (C_j ‖ proof(C_j))
    public var payload: [UInt8] {
        var w = ByteWriter()
        w.u16(UInt16(index))
        w.fixed(encryptionKey.bytes)
        w.fixed(encryptionKeyProof.bytes)
        w.u16(UInt16(commitments.count))
        for (c, p) in zip(commitments, commitmentProofs) {
            w.fixed(c.bytes)
            w.fixed(p.bytes)
        }
        return w.bytes
    }
    public init(payload: [UInt8]) throws(CryptoError) {
        var r = ByteReader(payload)
        let i = Int(try r.u16("trustee index"))
        let e = try GroupElement<G>(bytes: try r.fixed(G.elementByteCount, "trustee encryption key"))
        let ep = try SchnorrProof<G>(reader: &r, what: "encryption-key proof")
        let k = Int(try r.u16("commitment count"))
        var cs: [GroupElement<G>] = [], ps: [SchnorrProof<G>] = []
        for j in 0..<k {
            cs.append(try GroupElement(bytes: try r.fixed(G.elementByteCount, "commitment \(j)")))
            ps.append(try SchnorrProof(reader: &r, what: "commitment \(j) proof"))
        }
        try r.finish("trustee public key")
        self.init(index: i, encryptionKey: e, encryptionKeyProof: ep, commitments: cs, commitmentProofs: ps)
    }
}

extension EncryptedShare {
    /// u16(from) ‖ u16(to) ‖ R ‖ lp(sealed)
    public var payload: [UInt8] {
        var w = ByteWriter()
        w.u16(UInt16(from))
        w.u16(UInt16(to))
        w.fixed(ephemeral.bytes)
        w.lengthPrefixed(sealed)
        return w.bytes
    }
    public init(payload: [UInt8]) throws(CryptoError) {
        var r = ByteReader(payload)
        let f = Int(try r.u16("share sender")), t = Int(try r.u16("share recipient"))
        let e = try GroupElement<G>(bytes: try r.fixed(G.elementByteCount, "share ephemeral key"))
        let s = Array(try r.lengthPrefixed("sealed share", max: 1024))
        try r.finish("encrypted share")
        self.init(from: f, to: t, ephemeral: e, sealed: s)
    }
}

extension ShareComplaint {
    /// u16(from) ‖ u16(against) ‖ u8(0)                       — no share arrived
    /// u16(from) ‖ u16(against) ‖ u8(1) ‖ Z ‖ A ‖ B ‖ r         — the share is bad: Z = e_from·R opens it,
    ///                                                          (A, B, r) proves log_G E_from = log_R Z
    public var payload: [UInt8] {
        var w = ByteWriter()
        w.u16(UInt16(from))
        w.u16(UInt16(against))
        if let evidence {
            w.u8(1)
            w.fixed(evidence.shared.bytes)
            w.fixed(evidence.proof.bytes)
        } else {
            w.u8(0)
        }
        return w.bytes
    }
    public init(payload: [UInt8]) throws(CryptoError) {
        var r = ByteReader(payload)
        let f = Int(try r.u16("complainant")), a = Int(try r.u16("accused"))
        let evidence: ShareOpening<G>?
        switch try r.u8("complaint reason") {
        case 0: evidence = nil
        case 1:
            let z = try GroupElement<G>(bytes: try r.fixed(G.elementByteCount, "complaint: opening value Z"))
            evidence = ShareOpening(
                shared: z, proof: try ChaumPedersenProof(reader: &r, what: "complaint: opening proof"))
        default: throw .invalidEncoding("complaint reason must be 0 (missing share) or 1 (bad share)")
        }
        try r.finish("complaint")
        self.init(from: f, against: a, evidence: evidence)
    }
}

extension ShareAcknowledgement {
    /// u16(from) ‖ u16(m) ‖ u16(i₁) ‖ … ‖ u16(i_m), dealers strictly increasing
    public var payload: [UInt8] {
        var w = ByteWriter()
        w.u16(UInt16(from))
        w.u16(UInt16(dealers.count))
        for d in dealers { w.u16(UInt16(d)) }
        return w.bytes
    }
    public init(payload: [UInt8]) throws(CryptoError) {
        var r = ByteReader(payload)
        let f = Int(try r.u16("acknowledging trustee"))
        let m = Int(try r.u16("dealer count"))
        var ds: [Int] = []
        for _ in 0..<m {
            let d = Int(try r.u16("dealer"))
            guard ds.last.map({ $0 < d }) ?? true else {
                throw .invalidEncoding("acknowledgement: dealers must be strictly increasing")
            }
            ds.append(d)
        }
        try r.finish("acknowledgement")
        self.init(from: f, dealers: ds)
    }
}

extension ShareReveal {
    public var payload: [UInt8] {
        var w = ByteWriter()
        w.u16(UInt16(from))
        w.u16(UInt16(to))
        w.fixed(share.bytes)
        return w.bytes
    }
    public init(payload: [UInt8]) throws(CryptoError) {
        var r = ByteReader(payload)
        let f = Int(try r.u16("reveal sender")), t = Int(try r.u16("reveal recipient"))
        let s = try Scalar<G>(bytes: try r.fixed(G.scalarField.byteCount, "revealed share"), what: "revealed share")
        try r.finish("share reveal")
        self.init(from: f, to: t, share: s)
    }
}

/// The outcome of the key ceremony: u16(|QUAL|) ‖ u16 indices ‖ K ‖ election hash.
public struct ElectionKeyRecord<G: PrimeOrderGroup>: Sendable, Equatable {
    public let qualified: [Int]
    public let publicKey: GroupElement<G>
    public let electionHash: ElectionHash

    public init(qualified: [Int], publicKey: GroupElement<G>, electionHash: ElectionHash) {
        self.qualified = qualified
        self.publicKey = publicKey
        self.electionHash = electionHash
    }
    public var payload: [UInt8] {
        var w = ByteWriter()
        w.u16(UInt16(qualified.count))
        for i in qualified { w.u16(UInt16(i)) }
        w.fixed(publicKey.bytes)
        w.fixed(electionHash.bytes)
        return w.bytes
    }
    public init(payload: [UInt8]) throws(CryptoError) {
        var r = ByteReader(payload)
        let n = Int(try r.u16("qualified count"))
        var q: [Int] = []
        for _ in 0..<n { q.append(Int(try r.u16("qualified trustee"))) }
        publicKey = try GroupElement(bytes: try r.fixed(G.elementByteCount, "election public key"))
        electionHash = try ElectionHash(bytes: try r.fixed(32, "election hash"))
        try r.finish("election key")
        qualified = q
    }
}

/// One tally unit: regions whose counted ballots are added up and decrypted together.
public struct TallyUnit: Sendable, Equatable, Codable {
    public let id: String
    public let regions: [Int]
    public let ballots: UInt64
    public init(id: String, regions: [Int], ballots: UInt64) {
        self.id = id
        self.regions = regions
        self.ballots = ballots
    }
}

/// The encrypted tallies: u16(units) ‖ for each unit: str(id) ‖ u16(n) ‖ n × u16(region)
/// ‖ u64(ballots) ‖ for each question, for each encrypted option: α ‖ β (neutral allowed).
public struct EncryptedTally<G: PrimeOrderGroup>: Sendable {
    public let units: [TallyUnit]
    /// sums[unit][question][option]
    public let sums: [[[Ciphertext<G>]]]

    public init(units: [TallyUnit], sums: [[[Ciphertext<G>]]]) {
        self.units = units
        self.sums = sums
    }

    public var payload: [UInt8] {
        var w = ByteWriter()
        w.u16(UInt16(units.count))
        for (u, s) in zip(units, sums) {
            w.string(u.id)
            w.u16(UInt16(u.regions.count))
            for r in u.regions { w.u16(UInt16(r)) }
            w.u64(u.ballots)
            for q in s { for c in q { w.fixed(c.bytes) } }
        }
        return w.bytes
    }
    public init(payload: [UInt8], shape: BallotShape) throws(CryptoError) {
        var r = ByteReader(payload)
        let n = Int(try r.u16("unit count"))
        var units: [TallyUnit] = [], sums: [[[Ciphertext<G>]]] = []
        for ui in 0..<n {
            let id = try r.string("unit \(ui) id")
            let rc = Int(try r.u16("unit \(ui) region count"))
            var regions: [Int] = []
            for _ in 0..<rc { regions.append(Int(try r.u16("unit \(ui) region"))) }
            let ballots = try r.u64("unit \(ui) ballots")
            var qs: [[Ciphertext<G>]] = []
            for (qi, q) in shape.questions.enumerated() {
                var os: [Ciphertext<G>] = []
                for oi in 0..<q.encryptedOptions {
                    os.append(
                        try Ciphertext(
                            bytes: try r.fixed(
                                2 * G.elementByteCount, "unit \(id) question \(qi + 1) option \(oi + 1)"),
                            allowIdentity: true))
                }
                qs.append(os)
            }
            units.append(TallyUnit(id: id, regions: regions, ballots: ballots))
            sums.append(qs)
        }
        try r.finish("encrypted tally")
        self.units = units
        self.sums = sums
    }

    /// The label bound into each decryption share: "unit/question/option".
    public static func label(unit: String, question: String, option: Int) -> [UInt8] {
        Array("\(unit)/\(question)/\(option)".utf8)
    }

    /// Ciphertexts with their labels, in the order decryption shares list them.
    public func labelled(_ manifest: Manifest) -> [([UInt8], Ciphertext<G>)] {
        var out: [([UInt8], Ciphertext<G>)] = []
        for (u, s) in zip(units, sums) {
            for (qi, q) in s.enumerated() {
                for (oi, c) in q.enumerated() {
                    out.append((Self.label(unit: u.id, question: manifest.questions[qi].id, option: oi), c))
                }
            }
        }
        return out
    }
}

/// One trustee's partial decryptions of every tally ciphertext, in tally order:
/// u16(trustee) ‖ u32(n) ‖ n × (D ‖ Chaum–Pedersen proof).
public struct TrusteeDecryption<G: PrimeOrderGroup>: Sendable {
    public let trustee: Int
    public let shares: [DecryptionShare<G>]

    public init(trustee: Int, shares: [DecryptionShare<G>]) {
        self.trustee = trustee
        self.shares = shares
    }
    public var payload: [UInt8] {
        var w = ByteWriter()
        w.u16(UInt16(trustee))
        w.u32(UInt32(shares.count))
        for s in shares {
            w.fixed(s.share.bytes)
            w.fixed(s.proof.bytes)
        }
        return w.bytes
    }
    public init(payload: [UInt8]) throws(CryptoError) {
        var r = ByteReader(payload)
        trustee = Int(try r.u16("trustee"))
        let n = Int(try r.u32("share count"))
        var out: [DecryptionShare<G>] = []
        for i in 0..<n {
            // D = s·α and B = w·α are the neutral element exactly when α is; the proof's check
            // (DecryptionShare.verify) holds them to that.
            let d = try GroupElement<G>(
                bytes: try r.fixed(G.elementByteCount, "decryption share \(i)"), allowIdentity: true)
            let p = try ChaumPedersenProof<G>(reader: &r, what: "decryption share \(i) proof", baseMayBeNeutral: true)
            out.append(DecryptionShare(trustee: trustee, share: d, proof: p))
        }
        try r.finish("decryption shares")
        shares = out
    }
}
