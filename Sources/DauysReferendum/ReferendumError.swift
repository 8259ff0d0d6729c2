import DauysCrypto

/// Why a lifecycle step was refused — worded for the commission officer who tried it.
public enum ReferendumError: Error, Equatable, Sendable, CustomStringConvertible {
    case wrongPhase(action: String, phase: String, required: String)
    case precondition(String)
    case invalidArtefact(String)
    case notFound(String)

    public var description: String {
        switch self {
        case let .wrongPhase(action, phase, required): "cannot \(action) now: the referendum is in phase \"\(phase)\", this needs \"\(required)\""
        case .precondition(let s): s
        case .invalidArtefact(let s): s
        case .notFound(let s): s
        }
    }
}

/// Why a ballot was refused at casting. Each case maps to an HTTP status in the server.
public enum CastError: Error, Equatable, Sendable, CustomStringConvertible {
    case votingNotOpen(phase: String)
    case tooLarge(Int)
    case malformed(String)
    case wrongElection
    case unknownCredential
    case wrongRegion
    case invalidProof(String)

    public var description: String {
        switch self {
        case .votingNotOpen(let p): "voting is not open (phase \(p))"
        case .tooLarge(let n): "ballot of \(n) bytes is larger than allowed"
        case .malformed(let s): "ballot is malformed: \(s)"
        case .wrongElection: "ballot belongs to another election"
        case .unknownCredential: "ballot is signed by a credential that is not on the published lists"
        case .wrongRegion: "ballot's credential belongs to another region"
        case .invalidProof(let s): "ballot \(s) does not verify"
        }
    }

    init(_ e: BallotError) {
        switch e {
        case .malformed(let c): self = .malformed(c.description)
        case .wrongElection: self = .wrongElection
        case .invalidProof(let s): self = .invalidProof(s)
        case .auditMismatch: self = .invalidProof("audit")
        }
    }
}

/// What a voter gets back when a ballot is on the board.
public struct CastReceipt: Sendable, Equatable, Codable {
    public let trackingCode: String
    public let trackingDigest: String
    public let entryIndex: UInt64
    /// True if this exact ballot was already on the board (an idempotent retry).
    public let duplicate: Bool
    public let region: String

    enum CodingKeys: String, CodingKey {
        case trackingCode = "tracking_code", trackingDigest = "tracking_digest", entryIndex = "entry", duplicate, region
    }
}
