import Crypto
import DauysCrypto

/// A trustee's message on the board, signed by its sender (record.md §3.1):
///
///     payload   = message ‖ σ                                   (σ: 64 bytes)
///     σ         = Ed25519 signature (RFC 8032) with trustee i's key named in the manifest, over
///                 str("DAUYS-v1") ‖ str("trustee-message") ‖ h₀ ‖ u8(kind) ‖ lp(message)
///
/// for the kinds trustee commitment, trustee public key, encrypted share, complaint,
/// acknowledgement, share reveal and decryption shares. The signature makes every such entry attributable to its sender: whoever runs the
/// board cannot complain, answer or decrypt in a trustee's name.
public struct SignedTrusteeMessage: Sendable, Equatable {
    public static let kinds: Set<EntryKind> = [
        .trusteeCommitment, .trusteeKey, .encryptedShare, .complaint, .shareAcknowledgement, .shareReveal,
        .decryptionShares,
    ]

    public let kind: EntryKind
    /// The entry's payload: the message and the signature.
    public let payload: [UInt8]

    /// The message, without its signature.
    public var message: [UInt8] { Array(payload.dropLast(64)) }
    var signature: [UInt8] { Array(payload.suffix(64)) }

    /// Reads a payload as posted (the signature is checked by `isSigned`).
    public init(kind: EntryKind, payload: [UInt8]) throws(DauysCrypto.CryptoError) {
        guard Self.kinds.contains(kind) else { throw .invalidParameter("\(kind) is not a trustee message") }
        guard payload.count > 64 else {
            throw .invalidEncoding("\(kind): too short to hold a message and its signature")
        }
        self.kind = kind
        self.payload = payload
    }

    /// Signs a message as trustee, with the trustee's private signing key.
    public init(kind: EntryKind, message: [UInt8], key: Curve25519.Signing.PrivateKey, base: ElectionHash) throws {
        guard Self.kinds.contains(kind) else {
            throw DauysCrypto.CryptoError.invalidParameter("\(kind) is not a trustee message")
        }
        self.kind = kind
        payload = message + Array(try key.signature(for: Self.signed(kind: kind, message: message, base: base)))
    }

    static func signed(kind: EntryKind, message: [UInt8], base: ElectionHash) -> [UInt8] {
        var w = ByteWriter(capacity: message.count + 64)
        w.string("DAUYS-v1")
        w.string("trustee-message")
        w.fixed(base.bytes)
        w.u8(kind.rawValue)
        w.lengthPrefixed(message)
        return w.bytes
    }

    public func isSigned(by key: Curve25519.Signing.PublicKey, base: ElectionHash) -> Bool {
        key.isValidSignature(signature, for: Self.signed(kind: kind, message: message, base: base))
    }
}

extension SignedTrusteeMessage {
    public init<G>(_ pk: TrusteePublicKey<G>, key: Curve25519.Signing.PrivateKey, base: ElectionHash) throws {
        try self.init(kind: .trusteeKey, message: pk.payload, key: key, base: base)
    }
    public init<G>(_ share: EncryptedShare<G>, key: Curve25519.Signing.PrivateKey, base: ElectionHash) throws {
        try self.init(kind: .encryptedShare, message: share.payload, key: key, base: base)
    }
    public init<G>(_ complaint: ShareComplaint<G>, key: Curve25519.Signing.PrivateKey, base: ElectionHash) throws {
        try self.init(kind: .complaint, message: complaint.payload, key: key, base: base)
    }
    public init(_ ack: ShareAcknowledgement, key: Curve25519.Signing.PrivateKey, base: ElectionHash) throws {
        try self.init(kind: .shareAcknowledgement, message: ack.payload, key: key, base: base)
    }
    public init<G>(_ reveal: ShareReveal<G>, key: Curve25519.Signing.PrivateKey, base: ElectionHash) throws {
        try self.init(kind: .shareReveal, message: reveal.payload, key: key, base: base)
    }
    public init<G>(_ d: TrusteeDecryption<G>, key: Curve25519.Signing.PrivateKey, base: ElectionHash) throws {
        try self.init(kind: .decryptionShares, message: d.payload, key: key, base: base)
    }

    /// The trustee the message says it comes from (the sender field of its payload).
    public func sender<G: PrimeOrderGroup>(_: G.Type) throws(DauysCrypto.CryptoError) -> Int {
        switch kind {
        case .trusteeCommitment: try TrusteeCommitment(payload: message).trustee
        case .trusteeKey: try TrusteePublicKey<G>(payload: message).index
        case .encryptedShare: try EncryptedShare<G>(payload: message).from
        case .complaint: try ShareComplaint<G>(payload: message).from
        case .shareAcknowledgement: try ShareAcknowledgement(payload: message).from
        case .shareReveal: try ShareReveal<G>(payload: message).from
        default: try TrusteeDecryption<G>(payload: message).trustee
        }
    }
}

/// Trustee i's commitment to its public key, posted before any public key is (record.md §3.2):
///
///     message = u16(i) ‖ c
///     c       = derive("trustee-commitment", [h₀, u16(i), E(E_i) ‖ u16(k) ‖ E(C_i0) ‖ … ‖ E(C_i,k−1)])
///
/// (the keys, not their proofs: a proof may be made again with fresh randomness).
///
/// Once the first public key is on the board no commitment is accepted, and a public key is
/// accepted only if it matches its author's commitment: nobody can choose its key after seeing
/// the others' (Gennaro–Jarecki–Krawczyk–Rabin 1999, "rushing").
public struct TrusteeCommitment: Sendable, Equatable {
    public let trustee: Int
    public let digest: [UInt8]

    public init<G>(_ pk: TrusteePublicKey<G>, base: ElectionHash) {
        trustee = pk.index
        digest = Self.digest(pk, base: base)
    }

    static func digest<G>(_ pk: TrusteePublicKey<G>, base: ElectionHash) -> [UInt8] {
        var i = ByteWriter()
        i.u16(UInt16(pk.index))
        var keys = ByteWriter()
        keys.fixed(pk.encryptionKey.bytes)
        keys.u16(UInt16(pk.commitments.count))
        for c in pk.commitments { keys.fixed(c.bytes) }
        return ElectionHash.derive("trustee-commitment", parts: [base.bytes, i.bytes, keys.bytes]).bytes
    }

    /// True iff `pk` holds the keys this commitment was made to.
    public func opens<G>(_ pk: TrusteePublicKey<G>, base: ElectionHash) -> Bool {
        pk.index == trustee && Self.digest(pk, base: base) == digest
    }

    public var payload: [UInt8] {
        var w = ByteWriter()
        w.u16(UInt16(trustee))
        w.fixed(digest)
        return w.bytes
    }

    public init(payload: [UInt8]) throws(DauysCrypto.CryptoError) {
        var r = ByteReader(payload)
        trustee = Int(try r.u16("committing trustee"))
        digest = Array(try r.fixed(32, "commitment"))
        try r.finish("trustee commitment")
    }
}

extension SignedTrusteeMessage {
    public init(_ c: TrusteeCommitment, key: Curve25519.Signing.PrivateKey, base: ElectionHash) throws {
        try self.init(kind: .trusteeCommitment, message: c.payload, key: key, base: base)
    }
}

extension ShareCheck {
    /// The complaints, then the acknowledgement, signed by the trustee: one post (record.md §5).
    public func messages(key: Curve25519.Signing.PrivateKey, base: ElectionHash) throws -> [SignedTrusteeMessage] {
        try complaints.map { try SignedTrusteeMessage($0, key: key, base: base) }
            + [try SignedTrusteeMessage(acknowledgement, key: key, base: base)]
    }
}

extension BoardState {
    /// A trustee's check of the shares sent to it on this board (protocol.md §7.3), without
    /// the complaints it already filed.
    public func checkShares(as trustee: Trustee<G>) -> ShareCheck<G> {
        trustee.checkShares(encryptedShares, publicKeys: trusteeKeys, election: baseHash).excluding(
            alreadyFiled: Set(complaints.filter { $0.from == trustee.index }.map(\.against)))
    }

    /// The shares dealers revealed to `trustee` in answer to its complaints, where they match
    /// the dealers' commitments.
    public func revealedShares(to trustee: Trustee<G>) -> [Int: Scalar<G>] {
        var out: [Int: Scalar<G>] = [:]
        for r in reveals where r.to == trustee.index {
            if let pk = trusteeKeys[r.from], let v = trustee.acceptReveal(r, from: pk) { out[r.from] = v }
        }
        return out
    }
}
