/// Proof of knowledge of x with X = x·G (Schnorr 1991), made non-interactive by Fiat–Shamir,
/// in "commitment" form (A, r) so that it can be batch-verified:
///
///     A = w·G,  c = H("schnorr", election, statement, X, A),  r = w + c·x;
///     valid iff r·G = A + c·X.
public struct SchnorrProof<G: PrimeOrderGroup>: Hashable, Sendable {
    public let commitment: GroupElement<G>
    public let response: Scalar<G>

    public init(commitment: GroupElement<G>, response: Scalar<G>) {
        self.commitment = commitment
        self.response = response
    }

    /// `statement` binds the proof to its purpose (e.g. trustee 3, coefficient 1).
    public static func prove(
        secret x: Scalar<G>, publicKey X: GroupElement<G>, statement: [UInt8], election: ElectionHash,
        nonce: Scalar<G> = .randomNonZero()
    ) -> SchnorrProof {
        let a = GroupElement<G>.base(nonce)
        let c = challenge(X, a, statement, election)
        return SchnorrProof(commitment: a, response: nonce + c * x)
    }

    static func challenge(
        _ X: GroupElement<G>, _ A: GroupElement<G>, _ statement: [UInt8], _ e: ElectionHash
    ) -> Scalar<G> {
        var t = Transcript<G>("schnorr", election: e)
        t.append(bytes: statement)
        t.append(X)
        t.append(A)
        return t.challenge()
    }

    /// r·G − A − c·X = O
    public func relation(
        publicKey X: GroupElement<G>, statement: [UInt8], election: ElectionHash, label: String
    ) -> Relation<G> {
        let c = Self.challenge(X, commitment, statement, election)
        var r = Relation<G>(label)
        r.generator = response
        r.terms = [(commitment, -.one), (X, -c)]
        return r
    }

    public func verify(publicKey X: GroupElement<G>, statement: [UInt8], election: ElectionHash) -> Bool {
        BatchCheck.holds(
            relation(publicKey: X, statement: statement, election: election, label: "Schnorr proof"), fixedBase: nil)
    }

    public var bytes: [UInt8] { commitment.bytes + response.bytes }
    public static var byteCount: Int { G.elementByteCount + G.scalarField.byteCount }
    public init(reader: inout ByteReader, what: String) throws(CryptoError) {
        commitment = try GroupElement(bytes: try reader.fixed(G.elementByteCount, "\(what) commitment"))
        response = try Scalar(
            bytes: try reader.fixed(G.scalarField.byteCount, "\(what) response"), what: "\(what) response")
    }
}

/// Proof that log_G X = log_H Y (Chaum–Pedersen 1992), commitment form (A, B, r):
///
///     A = w·G, B = w·H,  c = H("chaum-pedersen", election, statement, H, X, Y, A, B),
///     r = w + c·x;  valid iff r·G = A + c·X and r·H = B + c·Y.
///
/// Used for decryption shares: X is the trustee's verification key, H the ciphertext's α,
/// Y the share.
public struct ChaumPedersenProof<G: PrimeOrderGroup>: Hashable, Sendable {
    public let commitmentG: GroupElement<G>
    public let commitmentH: GroupElement<G>
    public let response: Scalar<G>

    public init(commitmentG: GroupElement<G>, commitmentH: GroupElement<G>, response: Scalar<G>) {
        self.commitmentG = commitmentG
        self.commitmentH = commitmentH
        self.response = response
    }

    public static func prove(
        secret x: Scalar<G>, base H: GroupElement<G>, X: GroupElement<G>, Y: GroupElement<G>,
        statement: [UInt8], election: ElectionHash, nonce: Scalar<G> = .randomNonZero()
    ) -> ChaumPedersenProof {
        let a = GroupElement<G>.base(nonce), b = nonce * H
        let c = challenge(H, X, Y, a, b, statement, election)
        return ChaumPedersenProof(commitmentG: a, commitmentH: b, response: nonce + c * x)
    }

    static func challenge(
        _ H: GroupElement<G>, _ X: GroupElement<G>, _ Y: GroupElement<G>, _ A: GroupElement<G>, _ B: GroupElement<G>,
        _ statement: [UInt8], _ e: ElectionHash
    ) -> Scalar<G> {
        var t = Transcript<G>("chaum-pedersen", election: e)
        t.append(bytes: statement)
        t.append([H, X, Y, A, B])
        return t.challenge()
    }

    /// r·G − A − c·X = O and r·H − B − c·Y = O
    public func relations(
        base H: GroupElement<G>, X: GroupElement<G>, Y: GroupElement<G>, statement: [UInt8], election: ElectionHash,
        label: String
    ) -> [Relation<G>] {
        let c = Self.challenge(H, X, Y, commitmentG, commitmentH, statement, election)
        var r1 = Relation<G>(label)
        r1.generator = response
        r1.terms = [(commitmentG, -.one), (X, -c)]
        var r2 = Relation<G>(label)
        r2.terms = [(H, response), (commitmentH, -.one), (Y, -c)]
        return [r1, r2]
    }

    public func verify(
        base H: GroupElement<G>, X: GroupElement<G>, Y: GroupElement<G>, statement: [UInt8], election: ElectionHash
    ) -> Bool {
        relations(base: H, X: X, Y: Y, statement: statement, election: election, label: "Chaum–Pedersen proof")
            .allSatisfy { BatchCheck.holds($0, fixedBase: nil) }
    }

    public var bytes: [UInt8] { commitmentG.bytes + commitmentH.bytes + response.bytes }
    /// `baseMayBeNeutral`: the second base H may be the neutral element (a decryption share of
    /// a tally whose α is O), and then so is B = w·H; protocol.md §7.5.
    public init(reader: inout ByteReader, what: String, baseMayBeNeutral: Bool = false) throws(CryptoError) {
        commitmentG = try GroupElement(bytes: try reader.fixed(G.elementByteCount, "\(what) commitment A"))
        commitmentH = try GroupElement(
            bytes: try reader.fixed(G.elementByteCount, "\(what) commitment B"), allowIdentity: baseMayBeNeutral)
        response = try Scalar(
            bytes: try reader.fixed(G.scalarField.byteCount, "\(what) response"), what: "\(what) response")
    }
}
