/// Proof that a ciphertext (α, β) under key K encrypts some v in [lo, hi]: the disjunctive
/// Chaum–Pedersen proof of Cramer, Damgård and Schoenmakers (CRYPTO 1994), as used by
/// Helios and Belenios, in commitment form so that it can be batch-verified.
///
/// For each v in lo…hi the prover shows "α = ρ·G and β − v·G = ρ·K" with commitments
/// (A_v, B_v), challenge c_v and response r_v; it can answer honestly for one v only, and
/// simulates the others. The challenges must add up to
///
///     c = H("range", election, statement, lo, hi, K, α, β, A_lo, B_lo, …, A_hi, B_hi).
///
/// Verification: Σ c_v = c, and for every v
///     r_v·G = A_v + c_v·α     and     r_v·K = B_v + c_v·(β − v·G).
///
/// Encoding: A_lo, B_lo, …, A_hi, B_hi, then c_lo … c_(hi−1) (the last challenge is
/// implied by the sum), then r_lo … r_hi. A 0/1 proof is the case lo = 0, hi = 1.
public struct RangeProof<G: PrimeOrderGroup>: Hashable, Sendable {
    public let lo: Int
    public let hi: Int
    public let commitments: [(a: GroupElement<G>, b: GroupElement<G>)]
    public let challenges: [Scalar<G>]  // hi − lo of them
    public let responses: [Scalar<G>]  // hi − lo + 1 of them

    public static func == (x: RangeProof, y: RangeProof) -> Bool { x.bytes == y.bytes }
    public func hash(into h: inout Hasher) { h.combine(bytes) }

    init(
        lo: Int, hi: Int, commitments: [(a: GroupElement<G>, b: GroupElement<G>)], challenges: [Scalar<G>],
        responses: [Scalar<G>]
    ) {
        precondition(
            hi >= lo && commitments.count == hi - lo + 1 && challenges.count == hi - lo
                && responses.count == hi - lo + 1)
        self.lo = lo
        self.hi = hi
        self.commitments = commitments
        self.challenges = challenges
        self.responses = responses
    }

    /// Source of the prover's random values: fresh randomness, or values derived from a
    /// ballot seed so that an audited ballot can be re-created and checked.
    public struct Randomness {
        public var commitmentNonce: Scalar<G>
        /// For each simulated value v ≠ m: (c_v, r_v).
        public var simulated: (Int) -> (Scalar<G>, Scalar<G>)

        public init(commitmentNonce: Scalar<G>, simulated: @escaping (Int) -> (Scalar<G>, Scalar<G>)) {
            self.commitmentNonce = commitmentNonce
            self.simulated = simulated
        }
        public static var fresh: Randomness {
            Randomness(commitmentNonce: .randomNonZero(), simulated: { _ in (.random(), .random()) })
        }
    }

    /// Proves that `ciphertext`, made with `nonce`, encrypts `value` ∈ [lo, hi].
    public static func prove(
        ciphertext: Ciphertext<G>, value: Int, nonce: Scalar<G>, lo: Int, hi: Int,
        key: FixedBase<G>, statement: [UInt8], election: ElectionHash, randomness: Randomness = .fresh
    ) -> RangeProof {
        precondition(lo <= value && value <= hi, "the proven value must be inside the range")
        let (alpha, beta) = (ciphertext.alpha, ciphertext.beta)
        var commitments: [(a: GroupElement<G>, b: GroupElement<G>)] = []
        var sim: [Int: (Scalar<G>, Scalar<G>)] = [:]
        let w = randomness.commitmentNonce
        for v in lo...hi {
            if v == value {
                commitments.append((.base(w), key.multiply(w)))
            } else {
                // Simulation: pick (c_v, r_v), solve the verification equations for A_v, B_v.
                // These values are published in the proof, so variable-time arithmetic is fine.
                let (c, r) = randomness.simulated(v)
                sim[v] = (c, r)
                let a = GroupElement<G>(
                    G.linearCombination(generator: r, fixed: [], terms: [(alpha.representation, -c)]))
                let b = GroupElement<G>(
                    G.linearCombination(
                        generator: c * Scalar(UInt64(v)), fixed: [(key.table, r)], terms: [(beta.representation, -c)]))
                commitments.append((a, b))
            }
        }
        let c = challenge(
            lo: lo, hi: hi, key: key.element, ciphertext: ciphertext, commitments: commitments,
            statement: statement, election: election)
        var cReal = c
        for (_, s) in sim { cReal -= s.0 }
        var allC: [Scalar<G>] = []
        var responses: [Scalar<G>] = []
        for v in lo...hi {
            if v == value {
                allC.append(cReal)
                responses.append(w + cReal * nonce)
            } else {
                allC.append(sim[v]!.0)
                responses.append(sim[v]!.1)
            }
        }
        return RangeProof(
            lo: lo, hi: hi, commitments: commitments, challenges: Array(allC.dropLast()), responses: responses)
    }

    static func challenge(
        lo: Int, hi: Int, key: GroupElement<G>, ciphertext: Ciphertext<G>,
        commitments: [(a: GroupElement<G>, b: GroupElement<G>)], statement: [UInt8], election: ElectionHash
    ) -> Scalar<G> {
        var t = Transcript<G>("range", election: election)
        t.append(bytes: statement)
        t.append(u32: UInt32(lo))
        t.append(u32: UInt32(hi))
        t.append([key, ciphertext.alpha, ciphertext.beta])
        for (a, b) in commitments {
            t.append(a)
            t.append(b)
        }
        return t.challenge()
    }

    /// The 2·(hi − lo + 1) relations; all use the fixed base K.
    public func relations(
        ciphertext: Ciphertext<G>, key: FixedBase<G>, statement: [UInt8], election: ElectionHash, label: String
    ) -> [Relation<G>] {
        let c = Self.challenge(
            lo: lo, hi: hi, key: key.element, ciphertext: ciphertext, commitments: commitments,
            statement: statement, election: election)
        var last = c
        for x in challenges { last -= x }
        let allC = challenges + [last]
        var out: [Relation<G>] = []
        out.reserveCapacity(2 * allC.count)
        for (i, v) in (lo...hi).enumerated() {
            let (cv, rv) = (allC[i], responses[i])
            var r1 = Relation<G>(label)
            r1.generator = rv
            r1.terms = [(commitments[i].a, -.one), (ciphertext.alpha, -cv)]
            var r2 = Relation<G>(label)
            r2.fixed = rv
            r2.generator = cv * Scalar(UInt64(v))
            r2.terms = [(commitments[i].b, -.one), (ciphertext.beta, -cv)]
            out.append(r1)
            out.append(r2)
        }
        return out
    }

    public var bytes: [UInt8] {
        var w = ByteWriter()
        for (a, b) in commitments {
            w.fixed(a.bytes)
            w.fixed(b.bytes)
        }
        for c in challenges { w.fixed(c.bytes) }
        for r in responses { w.fixed(r.bytes) }
        return w.bytes
    }

    public static func byteCount(lo: Int, hi: Int) -> Int {
        let n = hi - lo + 1
        return 2 * n * G.elementByteCount + (2 * n - 1) * G.scalarField.byteCount
    }

    public init(reader: inout ByteReader, lo: Int, hi: Int, what: String) throws(CryptoError) {
        let n = hi - lo + 1
        let eb = G.elementByteCount, sb = G.scalarField.byteCount
        var cs: [(a: GroupElement<G>, b: GroupElement<G>)] = []
        for i in 0..<n {
            let a = try GroupElement<G>(bytes: try reader.fixed(eb, "\(what) commitment A[\(i)]"))
            let b = try GroupElement<G>(bytes: try reader.fixed(eb, "\(what) commitment B[\(i)]"))
            cs.append((a, b))
        }
        var ch: [Scalar<G>] = []
        for i in 0..<(n - 1) {
            ch.append(
                try Scalar(bytes: try reader.fixed(sb, "\(what) challenge[\(i)]"), what: "\(what) challenge[\(i)]"))
        }
        var rs: [Scalar<G>] = []
        for i in 0..<n {
            rs.append(try Scalar(bytes: try reader.fixed(sb, "\(what) response[\(i)]"), what: "\(what) response[\(i)]"))
        }
        self.init(lo: lo, hi: hi, commitments: cs, challenges: ch, responses: rs)
    }
}
