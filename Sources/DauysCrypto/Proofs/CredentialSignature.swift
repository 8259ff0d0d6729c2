/// A signature of knowledge by an anonymous voting credential (Belenios, after Schnorr 1991):
/// the voter proves knowledge of u with U = u·G while binding a message, here the hash of
/// the whole ballot. Commitment form (A, r) for batch verification:
///
///     A = k·G,  c = H("credential-signature", election, U, message, A),  r = k + c·u;
///     valid iff r·G = A + c·U.
///
/// The nonce k mixes fresh randomness with the secret and the message, so that neither a
/// bad random generator nor a revealed ballot seed can expose the credential.
public struct CredentialSignature<G: PrimeOrderGroup>: Hashable, Sendable {
    public let commitment: GroupElement<G>
    public let response: Scalar<G>

    public init(commitment: GroupElement<G>, response: Scalar<G>) {
        self.commitment = commitment
        self.response = response
    }

    public static func sign(
        message: [UInt8], credential: KeyPair<G>, election: ElectionHash, entropy: [UInt8] = SecureRandom.bytes(32)
    ) -> CredentialSignature {
        var nt = Transcript<G>("credential-signature-nonce", election: election)
        nt.append(credential.secret)
        nt.append(bytes: message)
        nt.append(bytes: entropy)
        var k = nt.challenge()
        if k.isZero { k = .one }
        let a = GroupElement<G>.base(k)
        let c = challenge(credential.publicKey, message, a, election)
        return CredentialSignature(commitment: a, response: k + c * credential.secret)
    }

    static func challenge(
        _ U: GroupElement<G>, _ message: [UInt8], _ A: GroupElement<G>, _ e: ElectionHash
    ) -> Scalar<G> {
        var t = Transcript<G>("credential-signature", election: e)
        t.append(U)
        t.append(bytes: message)
        t.append(A)
        return t.challenge()
    }

    /// r·G − A − c·U = O
    public func relation(credential U: GroupElement<G>, message: [UInt8], election: ElectionHash) -> Relation<G> {
        let c = Self.challenge(U, message, commitment, election)
        var r = Relation<G>("credential signature")
        r.generator = response
        r.terms = [(commitment, -.one), (U, -c)]
        return r
    }

    public func verify(credential U: GroupElement<G>, message: [UInt8], election: ElectionHash) -> Bool {
        BatchCheck.holds(relation(credential: U, message: message, election: election), fixedBase: nil)
    }

    public var bytes: [UInt8] { commitment.bytes + response.bytes }
    public init(reader: inout ByteReader) throws(CryptoError) {
        commitment = try GroupElement(bytes: try reader.fixed(G.elementByteCount, "signature commitment"))
        response = try Scalar(
            bytes: try reader.fixed(G.scalarField.byteCount, "signature response"), what: "signature response")
    }
}
