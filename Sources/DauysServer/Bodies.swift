import DauysCrypto
import Foundation

// JSON bodies of the API (docs/openapi.json). Binary artefacts travel as hexadecimal text.

struct ErrorBody: Encodable {
    struct Detail: Encodable {
        let code: String
        let message: String
    }
    let error: Detail
}
struct StatusBody: Encodable {
    let referendum: String
    let phase: String
    let group: String
    let boardEntries: UInt64
    let ballots: Int
    let electionHash: String?
    let publicKey: String?
    let baseHash: String
    enum CodingKeys: String, CodingKey {
        case referendum, phase, group, ballots, boardEntries = "board_entries", electionHash = "election_hash"
        case publicKey = "public_key", baseHash = "base_hash"
    }
}
struct LookupBody: Encodable {
    let trackingDigest: String
    let entry: UInt64
    let region: String
    /// "counted", "superseded" (a revote replaced it) or "overridden_by_paper".
    let status: String
    /// For "superseded": the entry of the voter's last ballot.
    let supersededBy: UInt64?
    /// false while voting may still change the status (before the tally).
    let final: Bool
    enum CodingKeys: String, CodingKey {
        case trackingDigest = "tracking_digest", entry, region, status, supersededBy = "superseded_by", final
    }
}
struct BoardPage: Encodable {
    struct Entry: Encodable {
        let index: UInt64
        let time: UInt64
        let kind: UInt8
        let kindName: String
        let payload: String
        let hash: String
        enum CodingKeys: String, CodingKey { case index, time, kind, kindName = "kind_name", payload, hash }
    }
    let entries: [Entry]
    let next: UInt64
}
struct TurnoutBody: Encodable {
    struct Region: Encodable {
        let id: String
        let eligible: UInt64
        let voted: UInt64
        let ballotsByHour: [String: Int]
        enum CodingKeys: String, CodingKey { case id, eligible, voted, ballotsByHour = "ballots_by_hour" }
    }
    let regions: [Region]
    let eligible: UInt64
    let voted: UInt64
}
struct SignInBody: Decodable {
    let iin: String
    let code: String
}
struct SessionBody: Encodable {
    let token: String
    let region: String
    let expiresIn: Int
    /// The voter's own public credential U (hex), so the booth can tell a mistyped credential
    /// code before casting; nil if the registry holds none (then the voter votes on paper).
    let credential: String?
    /// The sequence number the voter's next ballot needs (record.md §5.4); nil without a credential.
    let nextSequence: UInt32?
    enum CodingKeys: String, CodingKey {
        case token, region, expiresIn = "expires_in", credential, nextSequence = "next_sequence"
    }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(token, forKey: .token)
        try c.encode(region, forKey: .region)
        try c.encode(expiresIn, forKey: .expiresIn)
        try c.encode(credential, forKey: .credential)
        try c.encode(nextSequence, forKey: .nextSequence)
    }
}
struct SessionExtendedBody: Encodable {
    let expiresIn: Int
    let extensionsLeft: Int
    enum CodingKeys: String, CodingKey { case expiresIn = "expires_in", extensionsLeft = "extensions_left" }
}
struct BallotBody: Decodable { let ballot: String }
struct SequenceBody: Encodable {
    let nextSequence: UInt32
    enum CodingKeys: String, CodingKey { case nextSequence = "next_sequence" }
}
struct PhaseBody: Decodable { let next: String }
struct EmptyBody: Decodable {}
struct PayloadBody: Decodable {
    let payload: String
    func bytes() throws -> [UInt8] { try Hex.decode(payload, what: "payload") }
}
struct PayloadsBody: Decodable { let payloads: [String] }
struct PaperTurnoutBody: Encodable {
    let times: [String]
    let national: [Double]
    let regions: [String: [Double]]
}

/// The answer to an audited ballot (record.md §5.6).
struct AuditedBody: Codable {
    let entry: UInt64
    let trackingCode: String
    let trackingDigest: String
    let choices: [String]
    enum CodingKeys: String, CodingKey {
        case entry, choices, trackingCode = "tracking_code", trackingDigest = "tracking_digest"
    }
}
