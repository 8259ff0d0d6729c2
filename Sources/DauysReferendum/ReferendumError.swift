import DauysCrypto
import DauysRecord

/// Why a lifecycle step was refused — worded for the commission officer who tried it.
public enum ReferendumError: Error, Equatable, Sendable, CustomStringConvertible {
    case wrongPhase(action: String, phase: String, required: String)
    case precondition(String)
    case invalidArtefact(String)
    case notFound(String)
    /// The entry would break a rule of the board (the verifier's check named in it).
    case refused(BoardViolation)
    /// The board's store failed or could not be reached; nothing is lost, try again later.
    case storageUnavailable(String)

    public var description: String {
        switch self {
        case .refused(let v): v.message
        case .storageUnavailable(let s): "the board's storage is unavailable (\(s)); try again shortly"
        case let .wrongPhase(action, phase, required):
            "cannot \(action) now: the referendum is in phase \"\(phase)\", this needs \"\(required)\""
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
    /// Outside the voting window of the credential's precinct (record.md §5.5).
    case outsideSchedule(opens: String, closes: String)
    /// The ballot was audited (its seed is public): it can never be cast (record.md §5.6).
    case audited(entry: UInt64)
    /// The ballot's sequence number is not its credential's next (record.md §5.4): a copy of an
    /// earlier ballot, or one made before another ballot of the credential was cast.
    case outOfSequence(sequence: UInt32, next: UInt64)
    /// The board's store failed; the ballot was not acknowledged and may be sent again.
    case storageUnavailable(String)

    public var description: String {
        switch self {
        case .storageUnavailable(let s): "the ballot could not be stored now (\(s)); send it again shortly"
        case .votingNotOpen(let p): "voting is not open (phase \(p))"
        case .tooLarge(let n): "ballot of \(n) bytes is larger than allowed"
        case .malformed(let s): "ballot is malformed: \(s)"
        case .wrongElection: "ballot belongs to another election"
        case .unknownCredential: "ballot is signed by a credential that is not on the published lists"
        case .wrongRegion: "ballot's credential belongs to another region"
        case .invalidProof(let s): "ballot \(s) does not verify"
        case let .outsideSchedule(opens, closes):
            "voting in this precinct is open from \(opens) until \(closes); the ballot was not accepted"
        case .audited(let at):
            "this ballot was audited (entry \(at)): its secrets are public, so it can never be cast — encrypt a new one"
        case let .outOfSequence(sequence, next):
            "ballot has sequence number \(sequence), but this credential's next ballot needs \(next) (another ballot of it was cast meanwhile, or this one is a copy of an earlier one) — encrypt a new one"
        }
    }

    init<G>(_ r: BoardState<G>.BallotRefusal) {
        switch r {
        case .noElectionKey: self = .votingNotOpen(phase: "no election key")
        case .malformed: self = .malformed("not a ballot of this referendum")
        case .wrongElection: self = .wrongElection
        case .unknownCredential: self = .unknownCredential
        case let .outOfSequence(sequence, lastSequence, _):
            self = .outOfSequence(sequence: sequence, next: UInt64(lastSequence) + 1)
        case let .outsideSchedule(opens, closes):
            self = .outsideSchedule(
                opens: BoardState<G>.instant(opens), closes: BoardState<G>.instant(closes))
        case .audited(let at): self = .audited(entry: at)
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
    /// What the board signed (record.md §9.2): the voter keeps it.
    public let signed: BallotReceipt
    /// True if this exact ballot was already on the board (an idempotent retry).
    public let duplicate: Bool
    public let region: String

    public init(signed: BallotReceipt, duplicate: Bool, region: String) {
        self.signed = signed
        self.duplicate = duplicate
        self.region = region
    }

    public var trackingCode: String { signed.trackingCode }
    public var trackingDigest: String { signed.trackingDigest }
    public var entryIndex: UInt64 { signed.entry }

    enum CodingKeys: String, CodingKey { case duplicate, region }

    /// One flat JSON object: the signed receipt's fields, then `duplicate` and `region`.
    public func encode(to encoder: any Encoder) throws {
        try signed.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(duplicate, forKey: .duplicate)
        try c.encode(region, forKey: .region)
    }
    public init(from decoder: any Decoder) throws {
        signed = try BallotReceipt(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        duplicate = try c.decode(Bool.self, forKey: .duplicate)
        region = try c.decode(String.self, forKey: .region)
    }
}
