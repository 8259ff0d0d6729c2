import Crypto
import DauysCrypto
import Foundation

/// The named checks of `dauys verify` (docs/record.md §9). Every rule of the board belongs to
/// exactly one of them, so a refused entry says which check a forged copy of it would fail.
public enum RecordCheck: String, CaseIterable, Sendable, Codable {
    case recordFormat = "record format"
    case hashChain = "hash chain"
    case checkpoints
    case manifest
    case phases
    case keyCeremony = "key ceremony"
    case credentialLists = "credential lists"
    case ballots
    case encryptedTally = "encrypted tally"
    case decryptionShares = "decryption shares"
    case decryptedResults = "decrypted results"
    case decisionRules = "decision rules"
    case commissionKeys = "commission keys"
    case turnoutReports = "turnout reports"
    case precinctProtocols = "precinct protocols"
    case protocolVersions = "protocol versions"
    case controlRelations = "control relations"
    case officialResult = "official result"
    case schedule
    case witnesses
    case auditedBallots = "audited ballots"
    case sideFiles = "side files"
}

/// A board entry that breaks a rule of the board: the check it fails and why, in words.
public struct BoardViolation: Error, Equatable, Sendable, CustomStringConvertible {
    public let check: RecordCheck
    public let message: String
    public init(_ check: RecordCheck, _ message: String) {
        self.check = check
        self.message = message
    }
    public var description: String { message }
}

/// Where a ballot is on the board.
public struct BallotLocation: Sendable, Equatable {
    public let index: UInt64
    public let region: Int
    public init(index: UInt64, region: Int) {
        self.index = index
        self.region = region
    }
}

/// A published credential (record.md §5.3): its precinct (index in `BoardState.precincts`),
/// the entry of its last ballot (revoting: the last one counts), 0 while it has none (entry 0
/// is the genesis, never a ballot), and that ballot's sequence number (§5.4), 0 while none.
public struct PublishedCredential: Sendable, Equatable {
    public let precinct: Int32
    /// Fits in what would be padding: the table stays 16 bytes per credential.
    public var lastSequence: UInt32
    public var lastBallot: UInt64
    public var hasBallot: Bool { lastBallot != 0 }
}

/// The state of a referendum's bulletin board after a prefix of its entries: the one place
/// where every rule of the board is written down (docs/record.md §5).
///
/// Both sides apply it: the lifecycle in refusing mode (`apply(_:)` throws, the state is
/// unchanged, nothing is written) and the verifier in collecting mode (`apply(_:collecting:)`
/// records each violation under its check and carries on). An entry is applied atomically:
/// every rule is checked before anything changes.
///
/// Two rules are checked beside it, in bulk, by the same code on both sides: the proofs of a
/// ballot (`BallotContext.verify`, `BatchVerifier`) and the sums of the encrypted tally
/// (`TallyComputation`).
public struct BoardState<G: PrimeOrderGroup>: Sendable {
    public let genesis: Genesis
    public let boardKey: Curve25519.Signing.PublicKey
    public let manifest: Manifest
    public let manifestPayload: [UInt8]
    /// derive("election-base", [manifest, group]) — protocol.md §3.3.
    public let baseHash: ElectionHash
    public let shape: BallotShape
    public let threshold: TrusteeThreshold

    /// Number of entries applied; the index the next entry must have.
    public private(set) var count: UInt64 = 2
    /// Hash of the last entry.
    public private(set) var head: [UInt8]
    public private(set) var phase: Phase = .setup

    /// Commitments to the trustees' public keys, by trustee (record.md §3.2).
    public private(set) var commitments: [Int: TrusteeCommitment] = [:]
    public private(set) var trusteeKeys: [Int: TrusteePublicKey<G>] = [:]
    public private(set) var encryptedShares: [EncryptedShare<G>] = []
    public private(set) var complaints: [ShareComplaint<G>] = []
    /// Each trustee's last word on the shares it was sent, by trustee.
    public private(set) var acknowledgements: [Int: ShareAcknowledgement] = [:]
    public private(set) var reveals: [ShareReveal<G>] = []
    public private(set) var electionKey: ElectionKeyRecord<G>?
    public private(set) var ballotContext: BallotContext<G>?

    /// Every published credential (by digest of its encoding): its precinct and last ballot.
    public private(set) var credentials = CompactMap<DigestKey, PublishedCredential>()
    /// Published credentials per region: the voters entitled to vote electronically.
    public private(set) var eligible: [UInt64]
    /// Eligible voters per precinct, as the registry signed them (record.md §3.3).
    public private(set) var eligibleCounts: [String: UInt64]?
    /// Published credentials per precinct.
    public private(set) var credentialsPerPrecinct: [String: UInt64] = [:]
    /// Every precinct of the manifest, in manifest order, with its region.
    public let precincts: [(precinct: String, region: Int)]
    /// Index in `precincts` of every precinct id.
    let precinctIndex: [String: Int]
    /// Region of the precinct with this index.
    public let regionOfPrecinct: [Int]
    /// Credentials whose holders voted on paper: their e-ballots do not count.
    public private(set) var revoked = Set<DigestKey>()
    /// Revoked credentials per precinct (by index in `precincts`).
    public private(set) var revokedPerPrecinct: [Int: UInt64] = [:]
    /// District id of the precinct with this index.
    public let districtOfPrecinct: [String]
    /// The instant (ms since 1970) of each official turnout time on voting day.
    let turnoutInstants: [String: UInt64]
    /// The latest checkpoint on the board (what observers pin, record.md §9.1).
    public private(set) var lastCheckpoint: Checkpoint?
    /// Every checkpoint's entry and hash (what witnesses may cosign, record.md §9.4).
    public internal(set) var checkpointHashes: [UInt64: [UInt8]] = [:]
    /// The entries each witness (hex key) cosigned.
    public internal(set) var cosigned: [String: Set<UInt64>] = [:]
    /// The index of the entry that closed voting.
    public private(set) var closedAt: UInt64?
    /// The paper side: commissions, protocols, turnout reports, official result (record.md §3.4).
    public internal(set) var paper = PaperRecord()

    /// The voting window of the manifest's schedule (ms since 1970; record.md §5.5).
    public let window: (opens: UInt64, closes: UInt64)
    /// The time of the last entry: entry times never go back.
    public internal(set) var lastTime: UInt64 = 0
    /// Extensions of the voting window, in board order, and the latest closing time they set
    /// per region and per precinct (by index in `precincts`).
    public internal(set) var extensions: [VotingExtension] = []
    var closesByRegion: [Int: UInt64] = [:]
    var closesByPrecinct: [Int: UInt64] = [:]

    /// Ballots on the board.
    public private(set) var ballotCount = 0
    /// Every ballot by its tracking digest, for a server that answers voters' tracking codes
    /// and identical retries; nil (not kept) unless asked for at creation. No rule of the board
    /// needs it (§5.4 works from each credential's last sequence number), so the verifier's
    /// memory does not grow with the ballots.
    public private(set) var ballotIndex: CompactMap<DigestKey, BallotLocation>?
    /// Counted ballots (participants) per region: credentials with a ballot, not revoked.
    public private(set) var countedPerRegion: [UInt64]
    /// Audited (spoiled) ballots by tracking digest, with their entry: never castable (§5.6).
    public internal(set) var audited: [DigestKey: UInt64] = [:]
    var auditsPerCredential: [DigestKey: Int] = [:]
    /// Entry index of every ballot by the 80 bits its short code shows, for voters who kept
    /// only the short code — built on demand (`indexShortCodes`) where ballots are looked up,
    /// never by the verifier. With two ballots on the same 80 bits, the first.
    public private(set) var shortCodes: CompactMap<ShortCodeKey, UInt64>?
    /// Ballots per region per local hour (UTC+5) of their entry time, for live turnout.
    public private(set) var castsByRegionHour: [[Int]]

    public private(set) var tally: EncryptedTally<G>?
    /// Valid decryption shares, in board order.
    public private(set) var decryptions: [TrusteeDecryption<G>] = []
    public private(set) var results: Results?

    // MARK: the first two entries

    /// The state after the genesis entry (index 0) and the manifest (index 1). Throws if either
    /// is not what it must be, or if the manifest asks for another group than `G`. With
    /// `indexingBallots`, it also keeps every ballot by tracking digest (`ballotIndex`).
    public init(genesis g: BoardEntry, manifest m: BoardEntry, indexingBallots: Bool = false) throws(BoardViolation) {
        if indexingBallots { ballotIndex = CompactMap() }
        guard g.index == 0, g.kind == .genesis else {
            throw BoardViolation(.phases, "the board does not start with its genesis entry")
        }
        guard m.index == 1, m.kind == .manifest else {
            throw BoardViolation(.phases, "the manifest is not the second entry")
        }
        guard
            g.hash
                == BoardEntry.hash(
                    index: 0, previous: BoardEntry.zeroHash, time: g.time, kind: g.kind, payload: g.payload),
            m.hash == BoardEntry.hash(index: 1, previous: g.hash, time: m.time, kind: m.kind, payload: m.payload)
        else { throw BoardViolation(.hashChain, "the genesis or manifest entry does not match its hash") }
        let genesis: Genesis, key: Curve25519.Signing.PublicKey
        do {
            genesis = try CanonicalJSON.decode(Genesis.self, g.payload)
            key = try genesis.publicKey()
        } catch { throw BoardViolation(.recordFormat, "the genesis entry cannot be read") }
        let manifest: Manifest
        do {
            manifest = try CanonicalJSON.decode(Manifest.self, m.payload)
            try manifest.validate()
        } catch { throw BoardViolation(.manifest, "the manifest cannot be read or is invalid: \(error)") }
        guard manifest.canonicalJSON() == m.payload else {
            throw BoardViolation(.manifest, "the manifest is not in canonical JSON form")
        }
        guard manifest.group == G.name else {
            throw BoardViolation(
                .manifest, "the manifest asks for group \(manifest.group), this board state is for \(G.name)")
        }
        do {
            shape = try manifest.ballotShape()
            threshold = try manifest.threshold
        } catch { throw BoardViolation(.manifest, "trustee threshold or ballot shape invalid: \(error)") }
        self.genesis = genesis
        boardKey = key
        self.manifest = manifest
        manifestPayload = m.payload
        baseHash = RecordContext.baseHash(manifestPayload: m.payload, group: G.name)
        head = m.hash
        eligible = [UInt64](repeating: 0, count: manifest.regions.count)
        countedPerRegion = eligible
        precincts = manifest.precinctsInOrder
        precinctIndex = Dictionary(uniqueKeysWithValues: precincts.enumerated().map { ($1.precinct, $0) })
        regionOfPrecinct = precincts.map(\.region)
        districtOfPrecinct = manifest.regions.flatMap { r in r.districts.flatMap { d in d.precincts.map { _ in d.id } }
        }
        turnoutInstants = TurnoutReport.instants(schedule: manifest.schedule)
        guard let w = manifest.schedule.window else {
            throw BoardViolation(.manifest, "the manifest's voting window cannot be read")
        }
        window = w
        guard m.time >= g.time else {
            throw BoardViolation(.schedule, "the manifest entry's time is before the genesis entry's")
        }
        lastTime = m.time
        castsByRegionHour = [[Int]](repeating: [Int](repeating: 0, count: 24), count: manifest.regions.count)
    }

    // MARK: applying entries

    /// Refusing mode: applies the entry or throws the first rule it breaks, leaving the state
    /// unchanged.
    @_specialize(exported:true,where G == DauysCrypto.P256)
    public mutating func apply(_ e: BoardEntry) throws(BoardViolation) {
        try checkChain(e)
        try checkTime(e)
        try applyContent(e)
        count = e.index + 1
        head = e.hash
        lastTime = e.time
    }

    /// Collecting mode (the verifier): records what the entry breaks and carries on. A broken
    /// link is reported once and the chain continues from the entry's stored hash; an entry
    /// whose content breaks a rule is not applied.
    @_specialize(exported:true,where G == DauysCrypto.P256)
    public mutating func apply(_ e: BoardEntry, collecting violations: inout [BoardViolation]) {
        do { try checkChain(e) } catch { violations.append(error) }
        do { try checkTime(e) } catch { violations.append(error) }
        do { try applyContent(e, asPublished: true) } catch { violations.append(error) }
        count = e.index + 1
        head = e.hash
        lastTime = max(lastTime, e.time)
    }

    /// hash_i = H(i, hash_{i−1}, time, kind, payload) and the index follows the last one (record.md §3).
    func checkChain(_ e: BoardEntry) throws(BoardViolation) {
        guard e.index == count else {
            throw BoardViolation(
                .hashChain, "entry \(count) expected, entry \(e.index) found (entries missing or out of order)")
        }
        guard e.hash == BoardEntry.hash(index: e.index, previous: head, time: e.time, kind: e.kind, payload: e.payload)
        else {
            throw BoardViolation(.hashChain, "entry \(e.index) (\(e.kind)) does not match its hash or its predecessor")
        }
    }

    /// `asPublished` (collecting mode): a tally or results entry that can be read but breaks a
    /// rule is still taken as published, so that one forged figure fails one check rather
    /// than every check after it.
    private mutating func applyContent(_ e: BoardEntry, asPublished: Bool = false) throws(BoardViolation) {
        if let allowed = Phase.allowed(for: e.kind), !allowed.contains(phase) {
            let when =
                allowed.lowerBound == allowed.upperBound
                ? "only in \"\(allowed.lowerBound.rawValue)\""
                : "only from \"\(allowed.lowerBound.rawValue)\" to \"\(allowed.upperBound.rawValue)\""
            throw BoardViolation(
                .phases, "a \(e.kind) entry (\(e.index)) is not allowed in phase \"\(phase.rawValue)\", \(when)")
        }
        switch e.kind {
        case .genesis: throw BoardViolation(.phases, "a second genesis entry at \(e.index)")
        case .manifest: throw BoardViolation(.phases, "a second manifest entry at \(e.index)")
        case .phase: try applyPhase(e)
        case .checkpoint: try checkCheckpoint(e)
        case .trusteeCommitment: try applyCommitment(e)
        case .trusteeKey: try applyTrusteeKey(e)
        case .encryptedShare: try applyShare(e)
        case .complaint: try applyComplaint(e)
        case .shareAcknowledgement: try applyAcknowledgement(e)
        case .shareReveal: try applyReveal(e)
        case .electionKey: try applyElectionKey(e)
        case .credentials: try applyCredentials(e)
        case .eligibleCounts: try applyEligibleCounts(e)
        case .ballot:
            do { applyBallot(try checkBallot(e.payload, at: e.time), entry: e) } catch {
                throw error.violation(at: e.index)
            }
        case .revokedCredentials: try applyRevocation(e)
        case .encryptedTally: try applyTally(e, asPublished: asPublished)
        case .decryptionShares: try applyDecryption(e)
        case .results: try applyResults(e, asPublished: asPublished)
        case .commissionKey: try applyCommissionKey(e)
        case .turnoutReport: try applyTurnout(e)
        case .precinctProtocol: try applyProtocol(e)
        case .officialResult: try applyOfficialResult(e, asPublished: asPublished)
        case .votingExtension: try applyExtension(e)
        case .witnessCosignature: try applyCosignature(e)
        case .auditedBallot: try applyAudited(e)
        }
    }

    // MARK: phases and checkpoints

    /// The phases run in their one order; each may start only when the one before is complete.
    private mutating func applyPhase(_ e: BoardEntry) throws(BoardViolation) {
        guard let p = Phase(rawValue: String(decoding: e.payload, as: UTF8.self)) else {
            throw BoardViolation(.phases, "entry \(e.index) names an unknown phase")
        }
        guard phase.next == p else {
            throw BoardViolation(
                .phases,
                "entry \(e.index) moves from \(phase.rawValue) to \(p.rawValue); the next phase is \(phase.next?.rawValue ?? "none")"
            )
        }
        if let missing = missingFor(p) {
            throw BoardViolation(missing.check, "entry \(e.index) starts \(p.rawValue) too early: \(missing.message)")
        }
        if p == .closed, e.time < latestClose {
            throw BoardViolation(
                .schedule,
                "entry \(e.index) closes voting at \(Self.instant(e.time)), before the schedule closes it at \(Self.instant(latestClose))"
            )
        }
        if p == .closed { closedAt = e.index }
        phase = p
    }

    /// What is still missing before phase `p` may start (nil: nothing), under the check a
    /// phase entry that started anyway would fail: credentials that do not match the
    /// registry's counts are an eligibility failure, anything else a phase out of order.
    public func missingFor(_ p: Phase) -> BoardViolation? {
        func phases(_ m: String) -> BoardViolation { BoardViolation(.phases, m) }
        switch p {
        case .credentialsPublished:
            if electionKey == nil { return phases("the key ceremony is not finished: no election key yet") }
            if eligibleCounts == nil { return phases("the registry has not published the number of eligible voters") }
            if credentials.isEmpty { return phases("no credential list has been published") }
            let short = credentialShortfall
            if !short.isEmpty {
                return BoardViolation(
                    .credentialLists,
                    "credentials and eligible voters differ: " + short.prefix(5).joined(separator: "; ")
                        + (short.count > 5 ? "; … (\(short.count) precincts)" : ""))
            }
        case .tallied:
            if tally == nil { return phases("the encrypted tally has not been computed") }
        case .decrypted:
            if decryptions.count < threshold.quorum {
                return phases("decryption shares from \(decryptions.count) trustees; \(threshold.quorum) are needed")
            }
        case .published:
            if results == nil { return phases("the results have not been computed") }
        default: break
        }
        return nil
    }

    /// A checkpoint certifies the entry just before it, signed by the board key of the genesis.
    private mutating func checkCheckpoint(_ e: BoardEntry) throws(BoardViolation) {
        let c: Checkpoint
        do { c = try Checkpoint(payload: e.payload) } catch {
            throw BoardViolation(.checkpoints, "checkpoint at \(e.index): \(error)")
        }
        guard c.upTo + 1 == e.index, c.hash == head else {
            throw BoardViolation(.checkpoints, "checkpoint at \(e.index) does not certify the entry before it")
        }
        guard c.verify(boardKey) else {
            throw BoardViolation(.checkpoints, "checkpoint at \(e.index) is not signed by the board key")
        }
        lastCheckpoint = c
        checkpointHashes[c.upTo] = c.hash
    }

    // MARK: trustee messages

    /// A trustee message's content, once its signature is found to be its sender's: `decode`
    /// reads the message and names the sender; the signature must verify under that
    /// trustee's key in the manifest (record.md §3.1).
    private func signedMessage<M>(
        _ e: BoardEntry, _ check: RecordCheck, decode: ([UInt8]) throws(DauysCrypto.CryptoError) -> (M, sender: Int)
    ) throws(BoardViolation) -> M {
        let signed: SignedTrusteeMessage
        let content: (M, sender: Int)
        do {
            signed = try SignedTrusteeMessage(kind: e.kind, payload: e.payload)
            content = try decode(signed.message)
        } catch { throw BoardViolation(check, "\(e.kind) at entry \(e.index): \(error)") }
        guard let key = manifest.trustees.signingKey(of: content.sender), signed.isSigned(by: key, base: baseHash)
        else {
            throw BoardViolation(
                check, "\(e.kind) at entry \(e.index) is not signed by trustee \(content.sender), its sender")
        }
        return content.0
    }

    // MARK: key ceremony

    private func requireCeremonyOpen(_ e: BoardEntry) throws(BoardViolation) {
        guard electionKey == nil else {
            throw BoardViolation(
                .keyCeremony, "entry \(e.index) (\(e.kind)) comes after the election key: the key ceremony is finished")
        }
    }

    /// A commitment: from a trustee of the manifest, once, before any public key is published.
    private mutating func applyCommitment(_ e: BoardEntry) throws(BoardViolation) {
        try requireCeremonyOpen(e)
        let c = try signedMessage(e, .keyCeremony) { m throws(DauysCrypto.CryptoError) in
            let v = try TrusteeCommitment(payload: m)
            return (v, v.trustee)
        }
        guard trusteeKeys.isEmpty else {
            throw BoardViolation(
                .keyCeremony,
                "trustee \(c.trustee)'s commitment at entry \(e.index) comes after public keys were revealed")
        }
        guard commitments[c.trustee] == nil else {
            throw BoardViolation(.keyCeremony, "trustee \(c.trustee) already committed to a public key")
        }
        commitments[c.trustee] = c
    }

    /// Shares, complaints and acknowledgements need the set of published keys: the first of
    /// them closes key publication (record.md §5).
    public var keysClosed: Bool { !encryptedShares.isEmpty || !complaints.isEmpty || !acknowledgements.isEmpty }

    private mutating func applyTrusteeKey(_ e: BoardEntry) throws(BoardViolation) {
        try requireCeremonyOpen(e)
        let pk = try signedMessage(e, .keyCeremony) { m throws(DauysCrypto.CryptoError) in
            let v = try TrusteePublicKey<G>(payload: m)
            return (v, v.index)
        }
        guard (1...threshold.trustees).contains(pk.index) else {
            throw BoardViolation(
                .keyCeremony, "entry \(e.index): trustee \(pk.index) does not exist (1…\(threshold.trustees))")
        }
        guard trusteeKeys[pk.index] == nil else {
            throw BoardViolation(.keyCeremony, "trustee \(pk.index) already published a key")
        }
        guard !keysClosed else {
            throw BoardViolation(
                .keyCeremony,
                "trustee \(pk.index)'s key at entry \(e.index) comes after shares were sent: key publication is closed")
        }
        guard let commitment = commitments[pk.index] else {
            throw BoardViolation(.keyCeremony, "trustee \(pk.index) published a key without committing to it first")
        }
        guard commitment.opens(pk, base: baseHash) else {
            throw BoardViolation(.keyCeremony, "trustee \(pk.index)'s public key does not match its commitment")
        }
        do { try pk.verify(threshold: threshold, election: baseHash) } catch {
            throw BoardViolation(.keyCeremony, "trustee \(pk.index) public key refused: \(error)")
        }
        trusteeKeys[pk.index] = pk
    }

    /// The share from `dealer` to `recipient` on the board, if any.
    public func share(from dealer: Int, to recipient: Int) -> EncryptedShare<G>? {
        encryptedShares.first { $0.from == dealer && $0.to == recipient }
    }

    private func complaint(from ℓ: Int, against i: Int) -> ShareComplaint<G>? {
        complaints.first { $0.from == ℓ && $0.against == i }
    }

    private mutating func applyShare(_ e: BoardEntry) throws(BoardViolation) {
        try requireCeremonyOpen(e)
        let s = try signedMessage(e, .keyCeremony) { m throws(DauysCrypto.CryptoError) in
            let v = try EncryptedShare<G>(payload: m)
            return (v, v.from)
        }
        guard trusteeKeys[s.from] != nil, trusteeKeys[s.to] != nil, s.from != s.to else {
            throw BoardViolation(
                .keyCeremony, "share from \(s.from) to \(s.to): both trustees must have published keys")
        }
        guard share(from: s.from, to: s.to) == nil else {
            throw BoardViolation(.keyCeremony, "trustee \(s.from) already sent a share to trustee \(s.to)")
        }
        guard acknowledgements[s.to] == nil, complaint(from: s.to, against: s.from) == nil else {
            throw BoardViolation(
                .keyCeremony,
                "share from \(s.from) to \(s.to) at entry \(e.index) comes after trustee \(s.to) checked its shares")
        }
        encryptedShares.append(s)
    }

    /// A complaint: from a published trustee ℓ against another published trustee i, once per
    /// pair, before ℓ's acknowledgement, and true as anyone can check it: "missing" only if no
    /// share from i to ℓ is on the board; "bad" only if its opening proves the share bad
    /// (protocol.md §7.3). A false complaint can therefore not make a dealer reveal anything.
    private mutating func applyComplaint(_ e: BoardEntry) throws(BoardViolation) {
        try requireCeremonyOpen(e)
        let c = try signedMessage(e, .keyCeremony) { m throws(DauysCrypto.CryptoError) in
            let v = try ShareComplaint<G>(payload: m)
            return (v, v.from)
        }
        guard let complainant = trusteeKeys[c.from], let dealer = trusteeKeys[c.against], c.from != c.against else {
            throw BoardViolation(
                .keyCeremony,
                "complaint at \(e.index): trustee \(c.from) against trustee \(c.against) — both must have published keys, and be different"
            )
        }
        guard complaint(from: c.from, against: c.against) == nil else {
            throw BoardViolation(.keyCeremony, "trustee \(c.from) already complained against trustee \(c.against)")
        }
        guard acknowledgements[c.from] == nil else {
            throw BoardViolation(
                .keyCeremony, "complaint at \(e.index): trustee \(c.from) has already acknowledged its shares")
        }
        let disputed = share(from: c.against, to: c.from)
        guard c.isFounded(share: disputed, dealer: dealer, complainant: complainant, election: baseHash) else {
            let why =
                c.evidence == nil
                ? "trustee \(c.against)'s share to trustee \(c.from) is on the board"
                : (disputed == nil
                    ? "there is no share from trustee \(c.against) to trustee \(c.from) to open"
                    : "its opening does not verify, or the share opens and matches trustee \(c.against)'s commitments")
            throw BoardViolation(.keyCeremony, "complaint at \(e.index) by trustee \(c.from) is unfounded: \(why)")
        }
        complaints.append(c)
    }

    /// Trustee ℓ's acknowledgement: once, before the election key; it names, with ℓ's
    /// complaints, every other published trustee exactly once, and only dealers whose share to
    /// ℓ is on the board.
    private mutating func applyAcknowledgement(_ e: BoardEntry) throws(BoardViolation) {
        try requireCeremonyOpen(e)
        let a = try signedMessage(e, .keyCeremony) { m throws(DauysCrypto.CryptoError) in
            let v = try ShareAcknowledgement(payload: m)
            return (v, v.from)
        }
        guard trusteeKeys[a.from] != nil else {
            throw BoardViolation(.keyCeremony, "acknowledgement at \(e.index): trustee \(a.from) published no key")
        }
        guard acknowledgements[a.from] == nil else {
            throw BoardViolation(.keyCeremony, "trustee \(a.from) already acknowledged its shares")
        }
        for i in a.dealers where share(from: i, to: a.from) == nil {
            throw BoardViolation(
                .keyCeremony,
                "trustee \(a.from) acknowledges a share from trustee \(i), and there is no such share on the board")
        }
        let complainedAgainst = complaints.filter { $0.from == a.from }.map(\.against)
        let named = a.dealers + complainedAgainst
        let others = trusteeKeys.keys.filter { $0 != a.from }
        guard Set(named) == Set(others), named.count == others.count else {
            throw BoardViolation(
                .keyCeremony,
                "trustee \(a.from)'s acknowledgement at \(e.index) must name every other trustee with a published key once, "
                    + "with its complaints (named: \(named.sorted()), published: \(others.sorted()))")
        }
        acknowledgements[a.from] = a
    }

    /// A reveal answers a complaint about a missing share, once, and only while fewer than
    /// `quorum` trustees complained against the dealer.
    private mutating func applyReveal(_ e: BoardEntry) throws(BoardViolation) {
        try requireCeremonyOpen(e)
        let r = try signedMessage(e, .keyCeremony) { m throws(DauysCrypto.CryptoError) in
            let v = try ShareReveal<G>(payload: m)
            return (v, v.from)
        }
        guard let c = complaint(from: r.to, against: r.from) else {
            throw BoardViolation(
                .keyCeremony, "reveal at \(e.index): no complaint by trustee \(r.to) against trustee \(r.from)")
        }
        guard c.evidence == nil else {
            throw BoardViolation(
                .keyCeremony,
                "reveal at \(e.index): trustee \(r.to)'s complaint proves trustee \(r.from)'s share bad; there is nothing to answer"
            )
        }
        guard !reveals.contains(where: { $0.from == r.from && $0.to == r.to }) else {
            throw BoardViolation(.keyCeremony, "trustee \(r.from) already answered trustee \(r.to)'s complaint")
        }
        // k revealed points of f_i would give anyone f_i(0): a dealer with k or more complaints
        // is disqualified (its complaints stay unanswered) and must not answer any more.
        let against = complaintsAgainst(r.from)
        guard against < threshold.quorum else {
            throw BoardViolation(
                .keyCeremony,
                "trustee \(r.from) has \(against) complaints against it (the quorum is \(threshold.quorum)): it is disqualified and must not reveal shares"
            )
        }
        reveals.append(r)
    }

    /// How many trustees complained against trustee `i`.
    public func complaintsAgainst(_ i: Int) -> Int { complaints.count { $0.against == i } }

    /// Trustee `i` can no longer qualify whatever it does: `quorum` or more complaints against
    /// it, or one that proves a share of it bad.
    public func isDisqualified(_ i: Int) -> Bool {
        complaintsAgainst(i) >= threshold.quorum || complaints.contains { $0.against == i && $0.evidence != nil }
    }

    /// What the ceremony still waits for, in words (empty: complete): trustees with a published
    /// key that could still qualify and have not acknowledged their shares, and complaints about
    /// a missing share that the dealer may still answer.
    public var ceremonyOutstanding: [String] {
        var out: [String] = []
        for i in trusteeKeys.keys.sorted() where acknowledgements[i] == nil && !isDisqualified(i) {
            out.append("trustee \(i) has not checked its shares")
        }
        for c in complaints where c.evidence == nil && !isDisqualified(c.against) {
            if !reveals.contains(where: { $0.from == c.against && $0.to == c.from }) {
                out.append("trustee \(c.against) has not answered trustee \(c.from)'s complaint (missing share)")
            }
        }
        return out
    }

    /// The qualified trustees, the joint key and the election hash, as anyone derives them
    /// from the ceremony's messages (protocol.md §7.3–7.4). At `time` (ms), before the
    /// manifest's `ceremony_closes`, only a complete ceremony can end.
    public func deriveElectionKey(at time: UInt64) throws(BoardViolation) -> ElectionKeyRecord<G> {
        let outstanding = ceremonyOutstanding
        if !outstanding.isEmpty, time < (manifest.trustees.ceremonyClosesMs ?? .max) {
            throw BoardViolation(
                .keyCeremony,
                "the key ceremony is not complete and does not close before \(manifest.trustees.ceremonyCloses): "
                    + outstanding.joined(separator: "; "))
        }
        let q = KeyCeremony.qualified(
            publicKeys: trusteeKeys, acknowledged: Set(acknowledgements.keys), complaints: complaints,
            reveals: reveals, threshold: threshold)
        guard q.count >= threshold.quorum else {
            throw BoardViolation(
                .keyCeremony, "only \(q.count) trustees qualified (\(q.sorted())); \(threshold.quorum) are needed")
        }
        let k = KeyCeremony.jointKey(publicKeys: trusteeKeys, qualified: q)
        guard !k.isIdentity else { throw BoardViolation(.keyCeremony, "the election key is the neutral element") }
        let sorted = q.sorted()
        return ElectionKeyRecord(
            qualified: sorted, publicKey: k,
            electionHash: RecordContext.electionHash(base: baseHash, qualified: sorted, key: k))
    }

    private mutating func applyElectionKey(_ e: BoardEntry) throws(BoardViolation) {
        try requireCeremonyOpen(e)
        let ek: ElectionKeyRecord<G>
        do { ek = try ElectionKeyRecord<G>(payload: e.payload) } catch {
            throw BoardViolation(.keyCeremony, "election key entry: \(error)")
        }
        let derived = try deriveElectionKey(at: e.time)
        guard ek.qualified == derived.qualified else {
            throw BoardViolation(
                .keyCeremony,
                "published qualified trustees \(ek.qualified) differ from the complaints' outcome \(derived.qualified)")
        }
        guard ek.publicKey == derived.publicKey else {
            throw BoardViolation(
                .keyCeremony, "published election key is not the sum of the qualified trustees' commitments")
        }
        guard ek.electionHash == derived.electionHash else {
            throw BoardViolation(.keyCeremony, "published election hash is not derived from the manifest and the key")
        }
        electionKey = ek
        ballotContext = BallotContext(election: ek.electionHash, publicKey: ek.publicKey, shape: shape)
    }

    /// Trustee ℓ's verification key S_ℓ (protocol.md §7.4); needs the election key.
    public func verificationKey(for trustee: Int) -> GroupElement<G>? {
        guard let ek = electionKey else { return nil }
        return KeyCeremony.verificationKey(for: trustee, publicKeys: trusteeKeys, qualified: Set(ek.qualified))
    }

    // MARK: credentials

    /// The registry's count of eligible voters: once, signed by the registry's key of the
    /// manifest, naming every precinct of the manifest once, in manifest order (record.md §5).
    private mutating func applyEligibleCounts(_ e: BoardEntry) throws(BoardViolation) {
        guard eligibleCounts == nil else {
            throw BoardViolation(.credentialLists, "a second count of eligible voters at entry \(e.index)")
        }
        let c: EligibleCounts
        do { c = try EligibleCounts(payload: e.payload) } catch {
            throw BoardViolation(.credentialLists, "eligible counts at entry \(e.index): \(error)")
        }
        guard c.isSigned(manifest: manifest, base: baseHash) else {
            throw BoardViolation(
                .credentialLists, "eligible counts at entry \(e.index) are not signed by the registry's key")
        }
        guard c.counts.map(\.precinct) == manifest.precinctsInOrder.map(\.precinct) else {
            throw BoardViolation(
                .credentialLists,
                "eligible counts at entry \(e.index) must name every precinct of the manifest once, in order")
        }
        eligibleCounts = Dictionary(uniqueKeysWithValues: c.counts.map { ($0.precinct, $0.count) })
    }

    /// A credential list: signed by the credential authority's key of the manifest, for a
    /// precinct of the manifest in the region it names, after the registry's counts, never more
    /// credentials in a precinct than its eligible voters, no credential twice (record.md §5).
    private mutating func applyCredentials(_ e: BoardEntry) throws(BoardViolation) {
        let list: CredentialList<G>
        do { list = try CredentialList<G>(payload: e.payload) } catch {
            throw BoardViolation(.credentialLists, "entry \(e.index): \(error)")
        }
        guard list.isSigned(manifest: manifest, base: baseHash) else {
            throw BoardViolation(
                .credentialLists, "credential list at entry \(e.index) is not signed by the credential authority's key")
        }
        guard let pi = precinctIndex[list.precinct], regionOfPrecinct[pi] == list.region else {
            throw BoardViolation(
                .credentialLists,
                "credential list at entry \(e.index) names precinct \(list.precinct) of region \(list.region), which the manifest does not have"
            )
        }
        guard let counts = eligibleCounts else {
            throw BoardViolation(
                .credentialLists,
                "credential list at entry \(e.index) comes before the registry's count of eligible voters")
        }
        let keys = list.credentials.map { DigestKey($0.bytes) }
        let total = (credentialsPerPrecinct[list.precinct] ?? 0) + UInt64(keys.count)
        guard total <= counts[list.precinct] ?? 0 else {
            throw BoardViolation(
                .credentialLists,
                "precinct \(list.precinct) would have \(total) credentials for \(counts[list.precinct] ?? 0) eligible voters (entry \(e.index))"
            )
        }
        for k in keys where credentials[k] != nil {
            throw BoardViolation(.credentialLists, "a credential is listed twice (entry \(e.index))")
        }
        for k in keys { credentials[k] = PublishedCredential(precinct: Int32(pi), lastSequence: 0, lastBallot: 0) }
        credentialsPerPrecinct[list.precinct] = total
        eligible[list.region] += UInt64(keys.count)
    }

    /// Precincts whose published credentials differ from their eligible voters (empty before
    /// the counts, meaning: nothing to compare yet).
    public var credentialShortfall: [String] {
        guard let counts = eligibleCounts else { return [] }
        return manifest.precinctsInOrder.compactMap { p in
            let have = credentialsPerPrecinct[p.precinct] ?? 0, need = counts[p.precinct] ?? 0
            return have == need ? nil : "precinct \(p.precinct): \(have) credentials for \(need) eligible voters"
        }
    }

    /// The region of a published credential.
    public func region(ofCredential bytes: some Collection<UInt8>) -> Int? {
        credentials[DigestKey(bytes)].map { regionOfPrecinct[Int($0.precinct)] }
    }

    /// The precinct id of a published credential.
    public func precinct(ofCredential bytes: some Collection<UInt8>) -> String? {
        credentials[DigestKey(bytes)].map { precincts[Int($0.precinct)].precinct }
    }

    /// How many credentials are revoked.
    public var revokedCount: Int { revoked.count }

    /// Whether a credential's holder is recorded as having voted on paper.
    public func isRevoked(_ credential: some Collection<UInt8>) -> Bool { revoked.contains(DigestKey(credential)) }

    private mutating func applyRevocation(_ e: BoardEntry) throws(BoardViolation) {
        guard tally == nil else {
            throw BoardViolation(.phases, "revoked credentials at entry \(e.index) come after the tally")
        }
        let list: RevokedCredentials<G>
        do { list = try RevokedCredentials<G>(payload: e.payload) } catch {
            throw BoardViolation(.credentialLists, "revoked credentials at entry \(e.index): \(error)")
        }
        guard list.isSigned(manifest: manifest, base: baseHash) else {
            throw BoardViolation(
                .credentialLists, "revoked credentials at entry \(e.index) are not signed by the registry's key")
        }
        guard let pi = precinctIndex[list.precinct] else {
            throw BoardViolation(
                .credentialLists,
                "revoked credentials at entry \(e.index) name precinct \(list.precinct), not in the manifest")
        }
        let keys = list.credentials.map { DigestKey($0.bytes) }
        for k in keys {
            guard let p = credentials[k]?.precinct else {
                throw BoardViolation(.credentialLists, "entry \(e.index) revokes a credential that was never published")
            }
            guard p == Int32(pi) else {
                throw BoardViolation(
                    .credentialLists,
                    "entry \(e.index) revokes, for precinct \(list.precinct), a credential of precinct \(precincts[Int(p)].precinct)"
                )
            }
            guard !revoked.contains(k) else {
                throw BoardViolation(.credentialLists, "entry \(e.index) revokes a credential twice")
            }
        }
        // Evidence (record.md §5.5): no more e-credentials revoked in a precinct than paper
        // ballots its commission's signed protocol says were issued there.
        guard let issued = paper.history[list.precinct]?.last?.figures.issued else {
            throw BoardViolation(
                .credentialLists,
                "entry \(e.index) revokes credentials of precinct \(list.precinct) before its protocol is on the board: nothing shows that paper ballots were issued there"
            )
        }
        let total = (revokedPerPrecinct[pi] ?? 0) + UInt64(keys.count)
        guard total <= issued else {
            throw BoardViolation(
                .credentialLists,
                "entry \(e.index) would revoke \(total) credentials in precinct \(list.precinct), where its protocol records \(issued) paper ballots issued"
            )
        }
        revoked.formUnion(keys)
        revokedPerPrecinct[pi] = total
        for k in keys where credentials[k]?.hasBallot == true { countedPerRegion[regionOfPrecinct[pi]] -= 1 }
    }

    // MARK: ballots

    /// What the board learns from a ballot that passes its rules.
    public struct BallotFacts: Sendable {
        public let credential: DigestKey
        public let region: Int
        public let sequence: UInt32
        public let tracking: TrackingCode
    }

    /// Why a ballot breaks a rule of the board.
    public enum BallotRefusal: Error, Equatable, Sendable {
        case noElectionKey, malformed, wrongElection, unknownCredential
        /// The sequence number is not one above that of the credential's last ballot, at `last`
        /// (index 0: none yet): a copy of an earlier ballot (a replay, or an identical retry),
        /// or one made out of order.
        case outOfSequence(sequence: UInt32, lastSequence: UInt32, last: BallotLocation)
        /// The time is outside the voting window of the credential's precinct.
        case outsideSchedule(opens: UInt64, closes: UInt64)
        /// The ballot was audited at this entry: its secrets are public (record.md §5.6).
        case audited(UInt64)

        func violation(at index: UInt64) -> BoardViolation {
            switch self {
            case .noElectionKey: BoardViolation(.ballots, "ballot at entry \(index): there is no election key")
            case .malformed: BoardViolation(.ballots, "ballot at entry \(index) is malformed")
            case .wrongElection: BoardViolation(.ballots, "ballot at entry \(index) belongs to another election")
            case .unknownCredential:
                BoardViolation(.ballots, "ballot at entry \(index) is signed by a credential that was never published")
            case let .outOfSequence(sequence, lastSequence, last):
                BoardViolation(
                    .ballots,
                    "ballot at entry \(index) has sequence number \(sequence) where its credential's next is \(UInt64(lastSequence) + 1)\(last.index == 0 ? "" : " (its ballot at entry \(last.index) has \(lastSequence))"): a replayed or out-of-order ballot"
                )
            case let .outsideSchedule(opens, closes):
                BoardViolation(
                    .schedule,
                    "ballot at entry \(index) is outside its voting window \(BoardState.instant(opens)) … \(BoardState.instant(closes))"
                )
            case .audited(let at):
                BoardViolation(
                    .ballots, "ballot at entry \(index) was audited at entry \(at): an audited ballot is never cast")
            }
        }
    }

    /// The board's rules for a ballot (record.md §5.4): it belongs to this election, is
    /// signed by a published credential, its sequence number is one above that of the
    /// credential's last ballot (so no earlier ballot can be cast again, and no ballot can jump
    /// ahead to stop its voter from revoting), it was not audited, and its entry
    /// time `time` falls in the voting window of the credential's precinct (record.md §5.5).
    /// Its encodings and proofs are checked by `BallotContext.verify`. `pending`: the sequence
    /// numbers of ballots about to be appended before this one, per credential (a group commit).
    public func checkBallot(
        _ payload: [UInt8], at time: UInt64, pending: [DigestKey: UInt32] = [:]
    ) throws(BallotRefusal) -> BallotFacts {
        guard let ctx = ballotContext else { throw .noElectionKey }
        guard let header = Ballot<G>.header(of: payload) else { throw .malformed }
        guard header.election.elementsEqual(ctx.election.bytes) else { throw .wrongElection }
        let credential = DigestKey(header.credential)
        guard let c = credentials[credential] else { throw .unknownCredential }
        let p = c.precinct
        let region = regionOfPrecinct[Int(p)]
        let lastSequence = pending.isEmpty ? c.lastSequence : pending[credential] ?? c.lastSequence
        guard UInt64(header.sequence) == UInt64(lastSequence) + 1 else {
            throw .outOfSequence(
                sequence: header.sequence, lastSequence: lastSequence,
                last: BallotLocation(index: c.lastBallot, region: region))
        }
        let tracking = TrackingCode(ballotBytes: payload)
        if !audited.isEmpty, let at = audited[DigestKey(digest: tracking.digest)] { throw .audited(at) }
        let closes = closing(precinct: Int(p))
        guard window.opens <= time, time < closes else { throw .outsideSchedule(opens: window.opens, closes: closes) }
        return BallotFacts(credential: credential, region: region, sequence: header.sequence, tracking: tracking)
    }

    private mutating func applyBallot(_ f: BallotFacts, entry e: BoardEntry) {
        var c = credentials[f.credential]!
        if !c.hasBallot && !revoked.contains(f.credential) { countedPerRegion[f.region] += 1 }
        c.lastBallot = e.index
        c.lastSequence = f.sequence
        credentials[f.credential] = c
        ballotCount += 1
        if ballotIndex != nil {
            let key = DigestKey(digest: f.tracking.digest)
            ballotIndex![key] = BallotLocation(index: e.index, region: f.region)
            if shortCodes != nil, shortCodes![key.shortCode] == nil { shortCodes![key.shortCode] = e.index }
        }
        castsByRegionHour[f.region][Int(((e.time / 1000) + 5 * 3600) / 3600 % 24)] += 1
    }

    /// Builds the short-code index, if it is not there yet (needs `ballotIndex`).
    public mutating func indexShortCodes() {
        guard shortCodes == nil, let ballotIndex else { return }
        var m = CompactMap<ShortCodeKey, UInt64>()
        ballotIndex.forEach { k, at in m[k.shortCode] = min(m[k.shortCode] ?? .max, at.index) }
        shortCodes = m
    }

    /// Where the ballot with this tracking digest is (nil also without `ballotIndex`).
    public func ballot(trackingDigest d: [UInt8]) -> BallotLocation? {
        d.count == 32 ? ballotIndex?[DigestKey(digest: d)] : nil
    }

    /// The sequence number the credential's next ballot needs: one above its last ballot's (1
    /// for its first). Nil for a credential that was never published.
    public func nextSequence(credential: some Collection<UInt8>) -> UInt32? {
        guard let c = credentials[DigestKey(credential)] else { return nil }
        return c.lastSequence == .max ? nil : c.lastSequence + 1
    }

    /// What became of a ballot, as the voter who holds its tracking code may ask (record.md §7).
    public enum BallotStatus: Sendable, Equatable {
        /// The last ballot of its credential, not overridden: it counts (during voting: it
        /// will, unless its voter votes again or on paper).
        case counted
        /// A later ballot of the same credential replaced it (revoting): the entry of the last one.
        case superseded(by: UInt64)
        /// Its voter voted on paper: the e-ballot does not count.
        case overriddenByPaper
    }

    /// The status of the ballot at entry `index` signed by `credential`.
    public func status(ofBallotAt index: UInt64, credential: some Collection<UInt8>) -> BallotStatus? {
        let key = DigestKey(credential)
        guard let last = credentials[key]?.lastBallot, last != 0 else { return nil }
        if last != index { return .superseded(by: last) }
        return revoked.contains(key) ? .overriddenByPaper : .counted
    }

    /// Entry indices of the counted ballots: the last of every credential not revoked.
    public var countedBallots: EntrySet {
        var out = EntrySet(bound: count)
        credentials.forEach { k, c in
            if c.hasBallot && (revoked.isEmpty || !revoked.contains(k)) { out.insert(c.lastBallot) }
        }
        return out
    }

    // MARK: tally, decryption, results

    /// The first way published results differ from the computed ones, by the check it fails.
    static func compare(
        _ published: Results, payload: [UInt8], with computed: Result<Results, BoardViolation>
    ) -> BoardViolation? {
        let c: Results
        switch computed {
        case .failure(let v): return v
        case .success(let r): c = r
        }
        if published.referendum != c.referendum || published.units != c.units {
            return BoardViolation(.decryptedResults, "published totals differ from the decryption of the tally")
        }
        if published.regions != c.regions {
            return BoardViolation(.decryptedResults, "published regional figures differ from the record")
        }
        if published.questions != c.questions {
            return BoardViolation(
                .decisionRules, "the published outcome does not follow from the figures and the rules")
        }
        if published.payload != payload {
            return BoardViolation(.decryptedResults, "results entry is not canonical JSON")
        }
        return nil
    }

    /// The tally units the counted ballots give (record.md §7).
    public var tallyUnits: [TallyUnit] {
        RecordContext.tallyUnits(manifest: manifest, ballotsPerRegion: countedPerRegion)
    }

    private mutating func applyTally(_ e: BoardEntry, asPublished: Bool) throws(BoardViolation) {
        guard tally == nil else {
            throw BoardViolation(.encryptedTally, "a second encrypted tally at entry \(e.index)")
        }
        let t: EncryptedTally<G>
        do { t = try EncryptedTally<G>(payload: e.payload, shape: shape) } catch {
            throw BoardViolation(.encryptedTally, "the encrypted tally cannot be read: \(error)")
        }
        let units = tallyUnits
        guard t.units == units else {
            if asPublished { tally = t }
            throw BoardViolation(
                .encryptedTally,
                "tally units \(t.units.map(\.id)) differ from those the counted ballots give \(units.map(\.id))")
        }
        tally = t
    }

    /// Checks one trustee's decryption shares against its verification key (protocol.md §7.5).
    public func checkDecryption(_ d: TrusteeDecryption<G>) throws(BoardViolation) {
        guard let tally, let ek = electionKey else {
            throw BoardViolation(.decryptionShares, "there is no tally to decrypt")
        }
        guard ek.qualified.contains(d.trustee) else {
            throw BoardViolation(.decryptionShares, "trustee \(d.trustee) is not a qualified trustee")
        }
        guard !decryptions.contains(where: { $0.trustee == d.trustee }) else {
            throw BoardViolation(.decryptionShares, "trustee \(d.trustee) already posted decryption shares")
        }
        let labelled = tally.labelled(manifest)
        guard d.shares.count == labelled.count else {
            throw BoardViolation(
                .decryptionShares, "trustee \(d.trustee) posted \(d.shares.count) shares for \(labelled.count) tallies")
        }
        let vk = verificationKey(for: d.trustee)!
        for (s, (label, c)) in zip(d.shares, labelled)
        where !s.verify(ciphertext: c, verificationKey: vk, label: label, election: ek.electionHash) {
            throw BoardViolation(
                .decryptionShares,
                "trustee \(d.trustee)'s share for \(String(decoding: label, as: UTF8.self)) does not verify")
        }
    }

    private mutating func applyDecryption(_ e: BoardEntry) throws(BoardViolation) {
        let d = try signedMessage(e, .decryptionShares) { m throws(DauysCrypto.CryptoError) in
            let v = try TrusteeDecryption<G>(payload: m)
            return (v, v.trustee)
        }
        try checkDecryption(d)
        decryptions.append(d)
    }

    /// Decrypts the tally with the first `quorum` valid decryption shares and applies the
    /// decision rules: the results every party must compute (record.md §8).
    public func computeResults() throws(BoardViolation) -> Results {
        guard let tally else { throw BoardViolation(.decryptedResults, "there is no tally") }
        let used = Array(decryptions.prefix(threshold.quorum))
        guard used.count == threshold.quorum else {
            throw BoardViolation(
                .decryptionShares, "valid shares from \(used.count) trustees, the quorum is \(threshold.quorum)")
        }
        let dlog = DiscreteLog<G>.shared
        var k = 0
        var units: [UnitResult] = []
        for (u, sums) in zip(tally.units, tally.sums) {
            var totals: [[UInt64]] = []
            for (qi, q) in shape.questions.enumerated() {
                var enc: [UInt64] = []
                for c in sums[qi] {
                    do {
                        let m = try ThresholdDecryption.combine(
                            used.map { $0.shares[k] }, ciphertext: c, quorum: threshold.quorum)
                        enc.append(try dlog.solve(m, bound: u.ballots * UInt64(q.maxSelections)))
                    } catch {
                        throw BoardViolation(.decryptedResults, "unit \(u.id) question \(qi + 1): \(error)")
                    }
                    k += 1
                }
                totals.append(q.optionTotals(encryptedTotals: enc, ballots: u.ballots))
            }
            units.append(
                UnitResult(
                    id: u.id, regions: u.regions.map { manifest.regions[$0].id }, ballots: u.ballots, totals: totals))
        }
        return Results.compute(manifest: manifest, eligible: eligible, participants: countedPerRegion, units: units)
    }

    private mutating func applyResults(_ e: BoardEntry, asPublished: Bool) throws(BoardViolation) {
        guard results == nil else { throw BoardViolation(.decryptedResults, "a second results entry at \(e.index)") }
        let published: Results
        do { published = try CanonicalJSON.decode(Results.self, e.payload) } catch {
            throw BoardViolation(.decryptedResults, "the results entry cannot be read")
        }
        if let v = Self.compare(
            published, payload: e.payload, with: Result { () throws(BoardViolation) in try computeResults() })
        {
            if asPublished { results = published }
            throw v
        }
        results = published
    }
}
