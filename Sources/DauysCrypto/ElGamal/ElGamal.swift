/// An exponential ElGamal ciphertext (α, β) = (ρ·G, m·G + ρ·K) of a small integer m under the
/// election key K (ElGamal 1985; the "exponential" variant of Cramer, Gennaro, Schoenmakers
/// 1997), so that adding ciphertexts adds the plaintexts.
public struct Ciphertext<G: PrimeOrderGroup>: Hashable, Sendable {
    public let alpha: GroupElement<G>
    public let beta: GroupElement<G>

    public init(alpha: GroupElement<G>, beta: GroupElement<G>) {
        self.alpha = alpha
        self.beta = beta
    }

    /// The encryption of 0 with nonce 0: the neutral element of homomorphic addition.
    public static var zero: Ciphertext { Ciphertext(alpha: .identity, beta: .identity) }

    /// Homomorphic addition: Enc(a) + Enc(b) = Enc(a + b).
    public static func + (a: Ciphertext, b: Ciphertext) -> Ciphertext {
        Ciphertext(alpha: a.alpha + b.alpha, beta: a.beta + b.beta)
    }

    /// Encrypts `message` with the given nonce (constant-time in the nonce).
    public static func encrypt(_ message: UInt64, nonce: Scalar<G>, key: FixedBase<G>) -> Ciphertext {
        let alpha = GroupElement<G>.base(nonce)
        var beta = key.multiply(nonce)
        if message != 0 { beta = beta + GroupElement<G>.base(Scalar(message)) }
        return Ciphertext(alpha: alpha, beta: beta)
    }

    /// m·G = β − s·α, for whoever holds the whole secret s (tests and single-trustee use only;
    /// elections decrypt with threshold shares).
    public func decryptToElement(secret: Scalar<G>) -> GroupElement<G> { beta - secret * alpha }

    /// Canonical encoding α ‖ β; the neutral element is accepted only if `allowIdentity`
    /// (sums of many ciphertexts), never inside a single ballot.
    public var bytes: [UInt8] { alpha.bytes + beta.bytes }
    public init<B: Collection>(bytes: B, allowIdentity: Bool = false) throws(CryptoError) where B.Element == UInt8 {
        let n = G.elementByteCount
        let a = Array(bytes)
        guard a.count == 2 * n else { throw .invalidEncoding("ciphertext: \(a.count) bytes, expected \(2 * n)") }
        alpha = try GroupElement(bytes: a[0..<n], allowIdentity: allowIdentity)
        beta = try GroupElement(bytes: a[n..<(2 * n)], allowIdentity: allowIdentity)
    }
}

/// A secret key with its public key X = x·G.
public struct KeyPair<G: PrimeOrderGroup>: Sendable {
    public let secret: Scalar<G>
    public let publicKey: GroupElement<G>

    public init(secret: Scalar<G>) {
        self.secret = secret
        publicKey = .base(secret)
    }
    public static func generate() -> KeyPair { KeyPair(secret: .randomNonZero()) }
}
