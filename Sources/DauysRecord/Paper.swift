import Crypto
import DauysCrypto
import Foundation

/// The figures of a precinct count protocol, as the referendum law requires them
/// (shared/reference: figures 1–9), per question for the answers.
public struct ProtocolFigures: Codable, Equatable, Sendable {
    /// 1. Voters on the precinct list (including those added on the day).
    public var votersOnList: UInt64
    /// 2. Ballots the commission received.
    public var ballotsReceived: UInt64
    /// 3. Ballots issued to voters in the room …
    public var issuedInRoom: UInt64
    /// 3b. … and through the mobile box.
    public var issuedMobile: UInt64
    /// Written requests to vote at home (the mobile box may not hold more ballots).
    public var mobileRequests: UInt64
    /// 4. Unused ballots cancelled.
    public var cancelled: UInt64
    /// 5. Ballots found in the boxes (= participants).
    public var inBoxes: UInt64
    /// 6–9 per question: votes per option, invalid, valid but not counted (both boxes marked).
    public var questions: [QuestionFigures]

    public struct QuestionFigures: Codable, Equatable, Sendable {
        public var options: [UInt64]
        public var invalid: UInt64
        public var notCounted: UInt64
        public init(options: [UInt64], invalid: UInt64, notCounted: UInt64) {
            self.options = options
            self.invalid = invalid
            self.notCounted = notCounted
        }
        enum CodingKeys: String, CodingKey { case options, invalid, notCounted = "not_counted" }
    }

    public init(
        votersOnList: UInt64, ballotsReceived: UInt64, issuedInRoom: UInt64, issuedMobile: UInt64,
        mobileRequests: UInt64,
        cancelled: UInt64, inBoxes: UInt64, questions: [QuestionFigures]
    ) {
        self.votersOnList = votersOnList
        self.ballotsReceived = ballotsReceived
        self.issuedInRoom = issuedInRoom
        self.issuedMobile = issuedMobile
        self.mobileRequests = mobileRequests
        self.cancelled = cancelled
        self.inBoxes = inBoxes
        self.questions = questions
    }

    enum CodingKeys: String, CodingKey {
        case votersOnList = "voters_on_list", ballotsReceived = "ballots_received", issuedInRoom = "issued_in_room"
        case issuedMobile = "issued_mobile", mobileRequests = "mobile_requests", cancelled, inBoxes = "in_boxes",
            questions
    }

    public var issued: UInt64 { issuedInRoom + issuedMobile }

    /// The control relations, each with its name; an empty list means the protocol is consistent.
    public func violations(manifest: Manifest) -> [String] {
        var v: [String] = []
        if ballotsReceived != issued + cancelled {
            v.append("ballots received (\(ballotsReceived)) ≠ issued (\(issued)) + cancelled (\(cancelled))")
        }
        if inBoxes > issued { v.append("ballots in the boxes (\(inBoxes)) > ballots issued (\(issued))") }
        if issued > votersOnList { v.append("ballots issued (\(issued)) > voters on the list (\(votersOnList))") }
        if issuedMobile > mobileRequests {
            v.append(
                "mobile-box ballots (\(issuedMobile)) > written requests (\(mobileRequests)): the mobile box's ballots are to be declared invalid before the protocol is signed"
            )
        }
        if questions.count != manifest.questions.count {
            v.append("\(questions.count) questions in the protocol, the referendum has \(manifest.questions.count)")
        } else {
            for (q, f) in zip(manifest.questions, questions) {
                if f.options.count != q.options.count {
                    v.append("question \(q.id): \(f.options.count) option figures, expected \(q.options.count)")
                    continue
                }
                let sum = f.options.reduce(0, +) + f.invalid + f.notCounted
                if sum != inBoxes {
                    v.append(
                        "question \(q.id): participants (\(inBoxes)) ≠ " + q.options.map(\.id).joined(separator: " + ")
                            + " + invalid + not counted (\(sum))")
                }
            }
        }
        return v
    }
}

/// One version of a precinct's count protocol. A correction is a new version with a reason;
/// earlier versions are never overwritten and stay public.
public struct PrecinctProtocol: Codable, Equatable, Sendable {
    public var referendum: String
    public var precinct: String
    public var version: Int
    /// Why this version replaces the previous one (required from version 2 on).
    public var reason: String?
    public var figures: ProtocolFigures

    public init(referendum: String, precinct: String, version: Int, reason: String?, figures: ProtocolFigures) {
        self.referendum = referendum
        self.precinct = precinct
        self.version = version
        self.reason = reason
        self.figures = figures
    }
}

/// A precinct's voting-day turnout report: ballots issued so far at one of the official times
/// (10:00, 12:00, 14:00, 16:00, 18:00, 20:00 local), over the voters on its list. Day-time
/// turnout is issued ÷ list; the final participation (ballots found in the boxes) comes from the
/// count protocol — the two differ, and both are kept.
public struct TurnoutReport: Codable, Equatable, Sendable {
    public static let officialTimes = ["10:00", "12:00", "14:00", "16:00", "18:00", "20:00"]
    public var precinct: String
    public var time: String
    public var votersOnList: UInt64
    public var issued: UInt64

    public init(precinct: String, time: String, votersOnList: UInt64, issued: UInt64) {
        self.precinct = precinct
        self.time = time
        self.votersOnList = votersOnList
        self.issued = issued
    }
    enum CodingKeys: String, CodingKey { case precinct, time, votersOnList = "voters_on_list", issued }

    /// The instant (ms since 1970) of each official time on voting day, in the time zone of the
    /// schedule's `voting_opens`.
    public static func instants(schedule: Schedule) -> [String: UInt64] {
        let opens = schedule.votingOpens
        let zone = opens.hasSuffix("Z") ? "Z" : String(opens.suffix(6))
        let f = ISO8601DateFormatter()
        var out: [String: UInt64] = [:]
        for t in officialTimes {
            if let d = f.date(from: "\(schedule.votingDay)T\(t):00\(zone)") {
                out[t] = UInt64(max(0, d.timeIntervalSince1970 * 1000))
            }
        }
        return out
    }

    public func problems(previous: TurnoutReport?) -> [String] {
        var p: [String] = []
        if !Self.officialTimes.contains(time) {
            p.append("\(time) is not an official reporting time (\(Self.officialTimes.joined(separator: ", ")))")
        }
        if issued > votersOnList { p.append("ballots issued (\(issued)) > voters on the list (\(votersOnList))") }
        if let prev = previous, prev.time >= time {
            p.append("the report of \(prev.time) is already on the board; reports follow the official times in order")
        } else if let prev = previous, prev.issued > issued {
            p.append("ballots issued went down from \(prev.issued) at \(prev.time)")
        }
        return p
    }
}

/// A document a commission signs for the board: a precinct's count protocol (kind 20) or a
/// turnout report (kind 19). Both name the precinct they are about.
public protocol CommissionDocument: Codable, Equatable, Sendable {
    static var entryKind: EntryKind { get }
    var precinct: String { get }
}

extension PrecinctProtocol: CommissionDocument {
    public static var entryKind: EntryKind { .precinctProtocol }
}

extension TurnoutReport: CommissionDocument {
    public static var entryKind: EntryKind { .turnoutReport }
}

/// A document signed by a commission's own key (entry kinds 19 and 20, record.md §3.4):
///
///     message = K (32, the commission's Ed25519 public key) ‖ canonical JSON of the document
///     payload = message ‖ σ_K,   σ over str("DAUYS-v1") ‖ str("authority-message") ‖ str("commission")
///                                      ‖ h₀ ‖ u8(kind) ‖ lp(message)
///
/// The board accepts it only if K was registered by the central commission for a scope that
/// covers the document's precinct.
public struct CommissionSigned<Document: CommissionDocument>: Sendable {
    public let key: [UInt8]
    public let document: Document
    public let payload: [UInt8]

    public init(_ document: Document, key: Curve25519.Signing.PrivateKey, base: ElectionHash) throws {
        self.document = document
        self.key = Array(key.publicKey.rawRepresentation)
        payload = try RecordAuthority.commission.sign(
            kind: Document.entryKind, message: self.key + Array(try CanonicalJSON.encode(document)), key: key,
            base: base)
    }

    /// Reads a document as posted: its JSON must be canonical; the signature is checked by `isSigned`.
    public init(payload: [UInt8]) throws(DauysCrypto.CryptoError) {
        guard payload.count > 96 else { throw .invalidEncoding("\(Document.entryKind): too short") }
        key = Array(payload.prefix(32))
        let json = Array(payload[32..<(payload.count - 64)])
        guard let d = try? CanonicalJSON.decode(Document.self, json) else {
            throw .invalidEncoding("\(Document.entryKind): the document cannot be read")
        }
        guard let again = try? CanonicalJSON.encode(d), Array(again) == json else {
            throw .invalidEncoding("\(Document.entryKind): the document is not in canonical JSON form")
        }
        document = d
        self.payload = payload
    }

    public var keyHex: String { Hex.encode(key) }

    public func isSigned(base: ElectionHash) -> Bool {
        guard let k = try? Curve25519.Signing.PublicKey(rawRepresentation: key) else { return false }
        return RecordAuthority.commission.verifies(kind: Document.entryKind, payload: payload, key: k, base: base)
    }
}

/// A commission's public key, registered by the central commission for one scope (entry kind
/// 18, record.md §3.4). The commission made its key pair itself; only the public key is here.
///
///     message = lp(scope) ‖ lp(name) ‖ K (32)      scope: a precinct, district or region id
///     payload = message ‖ σ_central
public struct CommissionRegistration: Sendable, Equatable {
    public let scope: String
    public let name: String
    public let key: [UInt8]
    public let payload: [UInt8]

    public init(
        scope: String, name: String, key: Curve25519.Signing.PublicKey, central: Curve25519.Signing.PrivateKey,
        base: ElectionHash
    ) throws {
        self.scope = scope
        self.name = name
        self.key = Array(key.rawRepresentation)
        var w = ByteWriter()
        w.string(scope)
        w.string(name)
        w.fixed(self.key)
        payload = try RecordAuthority.centralCommission.sign(
            kind: .commissionKey, message: w.bytes, key: central, base: base)
    }

    public init(payload: [UInt8]) throws(DauysCrypto.CryptoError) {
        guard payload.count > 64 else { throw .invalidEncoding("commission key: too short for its signature") }
        var r = ByteReader(Array(payload.dropLast(64)))
        guard let s = String(bytes: try r.lengthPrefixed("scope", max: 64), encoding: .utf8),
            let n = String(bytes: try r.lengthPrefixed("commission name", max: 256), encoding: .utf8)
        else { throw .invalidEncoding("commission key: scope or name not UTF-8") }
        scope = s
        name = n
        key = Array(try r.fixed(32, "commission public key"))
        try r.finish("commission key")
        guard (try? Curve25519.Signing.PublicKey(rawRepresentation: key)) != nil else {
            throw .invalidEncoding("commission key: not an Ed25519 public key")
        }
        self.payload = payload
    }

    public var keyHex: String { Hex.encode(key) }

    public func isSigned(manifest: Manifest, base: ElectionHash) -> Bool {
        RecordAuthority.centralCommission.verifies(
            kind: .commissionKey, payload: payload, manifest: manifest, base: base)
    }
}

/// The official result, signed by the central commission (entry kind 21, record.md §8.4):
///
///     message = canonical JSON of the result (the `Results` form: paper and e-votes together)
///     payload = message ‖ σ_central
public struct SignedOfficialResult: Sendable, Equatable {
    public let results: Results
    public let payload: [UInt8]

    public init(_ results: Results, central: Curve25519.Signing.PrivateKey, base: ElectionHash) throws {
        self.results = results
        payload = try RecordAuthority.centralCommission.sign(
            kind: .officialResult, message: results.payload, key: central, base: base)
    }

    public init(payload: [UInt8]) throws(DauysCrypto.CryptoError) {
        guard payload.count > 64, let r = try? CanonicalJSON.decode(Results.self, Array(payload.dropLast(64))) else {
            throw .invalidEncoding("official result: cannot be read")
        }
        guard r.payload == Array(payload.dropLast(64)) else {
            throw .invalidEncoding("official result: not in canonical JSON form")
        }
        results = r
        self.payload = payload
    }

    public func isSigned(manifest: Manifest, base: ElectionHash) -> Bool {
        RecordAuthority.centralCommission.verifies(
            kind: .officialResult, payload: payload, manifest: manifest, base: base)
    }
}

/// A later closing time for one region or one precinct, decided and signed by the central
/// commission while voting runs (entry kind 22, record.md §3.5):
///
///     message = lp(scope) ‖ u64(closes, ms since 1970) ‖ lp(reason)    scope: a region or precinct id
///     payload = message ‖ σ_central
public struct VotingExtension: Sendable, Equatable {
    public let scope: String
    public let closes: UInt64
    public let reason: String
    public let payload: [UInt8]

    public init(
        scope: String, closes: UInt64, reason: String, central: Curve25519.Signing.PrivateKey, base: ElectionHash
    ) throws {
        self.scope = scope
        self.closes = closes
        self.reason = reason
        var w = ByteWriter()
        w.string(scope)
        w.u64(closes)
        w.string(reason)
        payload = try RecordAuthority.centralCommission.sign(
            kind: .votingExtension, message: w.bytes, key: central, base: base)
    }

    public init(payload: [UInt8]) throws(DauysCrypto.CryptoError) {
        guard payload.count > 64 else { throw .invalidEncoding("voting extension: too short for its signature") }
        var r = ByteReader(Array(payload.dropLast(64)))
        guard let s = String(bytes: try r.lengthPrefixed("scope", max: 64), encoding: .utf8) else {
            throw .invalidEncoding("voting extension: scope not UTF-8")
        }
        let c = try r.u64("closing time")
        guard let why = String(bytes: try r.lengthPrefixed("reason", max: 1024), encoding: .utf8),
            !why.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        else { throw .invalidEncoding("voting extension: the reason is missing or not UTF-8") }
        try r.finish("voting extension")
        scope = s
        closes = c
        reason = why
        self.payload = payload
    }

    public func isSigned(manifest: Manifest, base: ElectionHash) -> Bool {
        RecordAuthority.centralCommission.verifies(
            kind: .votingExtension, payload: payload, manifest: manifest, base: base)
    }
}

/// The paper side of the board as its entries left it (a read model of kinds 18–21): the
/// registered commissions, every version of every protocol, the turnout reports, the
/// official result. Built only by `BoardState`, so it holds nothing the board's rules refused.
public struct PaperRecord: Sendable {
    /// Registered commissions, in board order.
    public internal(set) var commissions: [CommissionRegistration] = []
    /// Scope of every registered key (by its 32 bytes).
    var scopeOfKey: [DigestKey: String] = [:]
    var registeredScopes = Set<String>()
    /// Every version of every precinct's protocol, in order (version i at index i − 1).
    public internal(set) var history: [String: [PrecinctProtocol]] = [:]
    /// Turnout reports in board order, and the last one of each precinct.
    public internal(set) var turnout: [TurnoutReport] = []
    public internal(set) var lastTurnout: [String: TurnoutReport] = [:]
    /// The official result, once the central commission published it.
    public internal(set) var official: Results?

    public init() {}

    /// The current (latest) version of every precinct's protocol that has one.
    public var latest: [String: PrecinctProtocol] { history.compactMapValues(\.last) }

    /// The scope a key was registered for, if it was.
    public func scope(ofKey key: [UInt8]) -> String? { scopeOfKey[DigestKey(key)] }
}
