/// Why a cryptographic input or operation was refused.
///
/// Every case carries a short description of *which* value was wrong, written for an
/// election official or observer; none ever carries secret material.
public enum CryptoError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The bytes or text do not follow the canonical encoding (length, format, trailing data).
    case invalidEncoding(String)
    /// A value decodes to a number or point that is not an element of the group.
    case notInGroup(String)
    /// The neutral element appeared where the protocol forbids it (a public key, a ciphertext part).
    case identityNotAllowed(String)
    /// A scalar is not reduced modulo the group order q.
    case scalarOutOfRange(String)
    /// A zero-knowledge proof or signature does not verify.
    case invalidProof(String)
    /// Parameters are inconsistent (threshold larger than trustee count, empty option list, …).
    case invalidParameter(String)
    /// A value is outside what the computation supports (a tally larger than the discrete-log bound, …).
    case outOfRange(String)
    /// The operating system's random number generator failed.
    case randomnessUnavailable
    /// Authenticated decryption failed (wrong key, tampered ciphertext).
    case decryptionFailed(String)

    public var description: String {
        switch self {
        case .invalidEncoding(let s): return "invalid encoding: \(s)"
        case .notInGroup(let s): return "not a group element: \(s)"
        case .identityNotAllowed(let s): return "neutral element not allowed: \(s)"
        case .scalarOutOfRange(let s): return "scalar not reduced modulo the group order: \(s)"
        case .invalidProof(let s): return "proof does not verify: \(s)"
        case .invalidParameter(let s): return "invalid parameter: \(s)"
        case .outOfRange(let s): return "value out of range: \(s)"
        case .randomnessUnavailable: return "the system random number generator failed"
        case .decryptionFailed(let s): return "decryption failed: \(s)"
        }
    }
}
