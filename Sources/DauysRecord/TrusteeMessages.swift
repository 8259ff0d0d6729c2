import Crypto
import DauysCrypto

/// A trustee's message on the board, signed by its sender (record.md §3.1):
///
///     payload   = message ‖ σ                                   (σ: 64 bytes)
///     σ         = Ed25519 signature (RFC 8032) with trustee i's key named in the manifest, over
///                 str("DAUYS-v1") ‖ str("trustee-message") ‖ h₀ ‖ u8(kind) ‖ lp(message)
///
/// for the kinds trustee public key, encrypted share, complaint, share reveal and decryption
/// shares. The signature makes every such entry attributable to its sender: whoever runs the
/// board cannot complain, answer or decrypt in a trustee's name.
public struct SignedTrusteeMessage: Sendable, Equatable {
    public static let kinds: Set<EntryKind> = [
        .trusteeKey, .encryptedShare, .complaint, .shareReveal, .decryptionShares,
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
    public init(_ complaint: ShareComplaint, key: Curve25519.Signing.PrivateKey, base: ElectionHash) throws {
        try self.init(kind: .complaint, message: complaint.payload, key: key, base: base)
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
        case .trusteeKey: try TrusteePublicKey<G>(payload: message).index
        case .encryptedShare: try EncryptedShare<G>(payload: message).from
        case .complaint: try ShareComplaint(payload: message).from
        case .shareReveal: try ShareReveal<G>(payload: message).from
        default: try TrusteeDecryption<G>(payload: message).trustee
        }
    }
}
