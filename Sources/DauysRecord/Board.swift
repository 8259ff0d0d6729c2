import Crypto
import DauysCrypto
import Foundation

/// What a bulletin-board entry holds. The raw value is the byte written in the record.
public enum EntryKind: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case genesis = 0, manifest = 1, phase = 2, trusteeKey = 3, encryptedShare = 4, complaint = 5, shareReveal = 6
    case electionKey = 7, credentials = 8, ballot = 9, encryptedTally = 10, decryptionShares = 11, results = 12,
        checkpoint = 13
    case revokedCredentials = 14
    case trusteeCommitment = 15
    case shareAcknowledgement = 16
    case eligibleCounts = 17
    case commissionKey = 18, turnoutReport = 19, precinctProtocol = 20, officialResult = 21
    case votingExtension = 22
    case witnessCosignature = 23
    case auditedBallot = 24

    public var description: String {
        switch self {
        case .genesis: "genesis"
        case .manifest: "manifest"
        case .phase: "phase"
        case .trusteeKey: "trustee public key"
        case .encryptedShare: "encrypted key share"
        case .complaint: "key-share complaint"
        case .shareReveal: "key-share reveal"
        case .electionKey: "election key"
        case .credentials: "credential list"
        case .ballot: "ballot"
        case .encryptedTally: "encrypted tally"
        case .decryptionShares: "decryption shares"
        case .results: "results"
        case .checkpoint: "checkpoint"
        case .revokedCredentials: "revoked credentials (voted on paper)"
        case .trusteeCommitment: "trustee commitment"
        case .shareAcknowledgement: "key-share acknowledgement"
        case .eligibleCounts: "eligible voters per precinct"
        case .commissionKey: "commission key"
        case .turnoutReport: "turnout report"
        case .precinctProtocol: "precinct protocol"
        case .officialResult: "official result"
        case .votingExtension: "voting extension"
        case .witnessCosignature: "witness cosignature"
        case .auditedBallot: "audited ballot"
        }
    }
}

/// The phases of a referendum, in their only possible order. A `phase` entry starts the
/// named phase; each kind of artefact may only be posted in its phase (`allowedPhase`).
public enum Phase: String, Sendable, CaseIterable, Comparable, Codable {
    case setup, keyCeremony = "key-ceremony", credentialsPublished = "credentials-published", votingOpen = "voting-open"
    case closed, tallied, decrypted, published

    public var next: Phase? {
        let all = Phase.allCases
        let i = all.firstIndex(of: self)!
        return i + 1 < all.count ? all[i + 1] : nil
    }
    public static func < (a: Phase, b: Phase) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }

    /// The phases in which entries of `kind` may appear (nil: any phase; record.md §5).
    public static func allowed(for kind: EntryKind) -> ClosedRange<Phase>? {
        switch kind {
        case .genesis, .manifest: .setup ... .setup
        case .trusteeCommitment, .trusteeKey, .encryptedShare, .complaint, .shareAcknowledgement, .shareReveal,
            .electionKey, .credentials, .eligibleCounts:
            .keyCeremony ... .keyCeremony
        case .ballot, .auditedBallot: .votingOpen ... .votingOpen
        case .encryptedTally, .revokedCredentials: .closed ... .closed
        case .decryptionShares: .tallied ... .tallied
        case .results: .decrypted ... .decrypted
        // Commissions are registered before voting closes, so that every precinct commission
        // can see its key on the board before the count.
        case .commissionKey: .setup ... .votingOpen
        // The 20:00 reports may arrive after the polls closed.
        case .turnoutReport: .votingOpen ... .closed
        // Protocols (and their corrections) from the count until the official result.
        case .precinctProtocol: .closed ... .published
        case .officialResult: .published ... .published
        // Decided while voting runs (a precinct that opened late, a queue at closing time).
        case .votingExtension: .votingOpen ... .votingOpen
        // A witness may cosign any checkpoint, at any time after it.
        case .phase, .checkpoint, .witnessCosignature: nil
        }
    }
}

/// One entry of the append-only bulletin board. Each entry's hash commits to its index, its
/// time, its kind, its payload and the previous entry's hash, so the board is a hash chain:
///
///     hash_i = SHA-256( str("DAUYS-v1") ‖ str("board-entry") ‖ u64(i) ‖ hash_{i−1}
///                       ‖ u64(time_ms) ‖ u8(kind) ‖ lp(payload) ),   hash_{−1} = 32 zero bytes
public struct BoardEntry: Sendable, Hashable {
    public let index: UInt64
    public let time: UInt64
    public let kind: EntryKind
    public let payload: [UInt8]
    public let hash: [UInt8]

    public init(index: UInt64, time: UInt64, kind: EntryKind, payload: [UInt8], previous: [UInt8]) {
        self.index = index
        self.time = time
        self.kind = kind
        self.payload = payload
        hash = Self.hash(index: index, previous: previous, time: time, kind: kind, payload: payload)
    }

    /// An entry as read back; `hash` is what was stored and must be checked by the reader.
    public init(index: UInt64, time: UInt64, kind: EntryKind, payload: [UInt8], storedHash: [UInt8]) {
        self.index = index
        self.time = time
        self.kind = kind
        self.payload = payload
        hash = storedHash
    }

    public static let zeroHash = [UInt8](repeating: 0, count: 32)

    public static func hash(
        index: UInt64, previous: [UInt8], time: UInt64, kind: EntryKind, payload: [UInt8]
    ) -> [UInt8] {
        var h = SHA256()
        var w = ByteWriter(capacity: 96)
        w.string("DAUYS-v1")
        w.string("board-entry")
        w.u64(index)
        w.fixed(previous)
        w.u64(time)
        w.u8(kind.rawValue)
        w.u32(UInt32(payload.count))
        h.update(data: w.bytes)
        h.update(data: payload)
        return Array(h.finalize())
    }

    public var hashHex: String { Hex.encode(hash) }
}

/// The first entry: who runs the board (its Ed25519 checkpoint key) and the protocol.
public struct Genesis: Codable, Sendable, Equatable {
    public var protocolVersion: String
    public var boardKey: String
    public init(boardKey: Curve25519.Signing.PublicKey) {
        protocolVersion = "DAUYS-v1"
        self.boardKey = Hex.encode(boardKey.rawRepresentation)
    }
    enum CodingKeys: String, CodingKey { case protocolVersion = "protocol", boardKey = "board_key" }

    public func publicKey() throws -> Curve25519.Signing.PublicKey {
        try Curve25519.Signing.PublicKey(rawRepresentation: try Hex.decode(boardKey, what: "board key"))
    }
}

/// A signed statement by the board operator that the board, up to entry `upTo`, ends with
/// hash `hash`. Anyone holding a checkpoint can later prove the board was rewritten.
///
///     payload = u64(upTo) ‖ hash (32) ‖ Ed25519 signature (64) over
///               str("DAUYS-v1") ‖ str("checkpoint") ‖ u64(upTo) ‖ hash
public struct Checkpoint: Sendable, Equatable {
    public let upTo: UInt64
    public let hash: [UInt8]
    public let signature: [UInt8]

    static func message(_ upTo: UInt64, _ hash: [UInt8]) -> [UInt8] {
        var w = ByteWriter()
        w.string("DAUYS-v1")
        w.string("checkpoint")
        w.u64(upTo)
        w.fixed(hash)
        return w.bytes
    }
    public init(upTo: UInt64, hash: [UInt8], key: Curve25519.Signing.PrivateKey) throws {
        self.upTo = upTo
        self.hash = hash
        signature = Array(try key.signature(for: Self.message(upTo, hash)))
    }
    public init(payload: [UInt8]) throws(DauysCrypto.CryptoError) {
        var r = ByteReader(payload)
        upTo = try r.u64("checkpoint index")
        hash = Array(try r.fixed(32, "checkpoint hash"))
        signature = Array(try r.fixed(64, "checkpoint signature"))
        try r.finish("checkpoint")
    }
    public var payload: [UInt8] {
        var w = ByteWriter()
        w.u64(upTo)
        w.fixed(hash)
        w.fixed(signature)
        return w.bytes
    }
    public func verify(_ key: Curve25519.Signing.PublicKey) -> Bool {
        key.isValidSignature(signature, for: Self.message(upTo, hash))
    }
    /// Checks the signature with the board key published in the genesis entry.
    public func verify(genesis: Genesis) -> Bool {
        guard let k = try? genesis.publicKey() else { return false }
        return verify(k)
    }
}

extension BoardEntry {
    /// Chains new entries after the entry with hash `previous`, starting at index `start`.
    public static func chain(
        _ items: [(EntryKind, [UInt8])], start: UInt64, previous: [UInt8], time: UInt64
    ) -> [BoardEntry] {
        var out: [BoardEntry] = []
        out.reserveCapacity(items.count)
        var prev = previous
        for (n, (k, p)) in items.enumerated() {
            let e = BoardEntry(index: start + UInt64(n), time: time, kind: k, payload: p, previous: prev)
            out.append(e)
            prev = e.hash
        }
        return out
    }
}

/// A checkpoint as an observer keeps it (record.md §9.1): anyone who saved one can later show
/// that a record claiming to be the same board was rewritten — re-chained, re-signed, even
/// re-keyed — because it no longer holds this entry with this hash under this key.
public struct PinnedCheckpoint: Codable, Sendable, Equatable {
    /// The board key (hex) of the genesis entry.
    public let boardKey: String
    public let upTo: UInt64
    /// hash_{upTo} (hex).
    public let hash: String
    /// The board's Ed25519 signature of §2's checkpoint message (hex).
    public let signature: String

    enum CodingKeys: String, CodingKey { case boardKey = "board_key", upTo = "up_to", hash, signature }

    public init(_ c: Checkpoint, boardKey: Curve25519.Signing.PublicKey) {
        self.boardKey = Hex.encode(boardKey.rawRepresentation)
        upTo = c.upTo
        hash = Hex.encode(c.hash)
        signature = Hex.encode(c.signature)
    }

    /// The key and the entry hash, if the signature verifies under the key it names.
    public func verified() -> (key: [UInt8], hash: [UInt8])? {
        guard let k = try? Hex.decode(boardKey), let h = try? Hex.decode(hash), h.count == 32,
            let sig = try? Hex.decode(signature),
            let pk = try? Curve25519.Signing.PublicKey(rawRepresentation: k),
            pk.isValidSignature(sig, for: Checkpoint.message(upTo, h))
        else { return nil }
        return (k, h)
    }
}

/// What an observer pinned before reading a record: the board key it expects and entries it
/// saw under checkpoints (`dauys verify --board-key --checkpoint`).
public struct RecordPins: Sendable {
    public var boardKey: [UInt8]?
    /// Entry index → hash, from verified checkpoints.
    public var entries: [UInt64: [UInt8]] = [:]
    /// Witness keys whose cosignature the record must hold (record.md §9.4).
    public var witnesses: [[UInt8]] = []
    public init(boardKey: [UInt8]? = nil, entries: [UInt64: [UInt8]] = [:], witnesses: [[UInt8]] = []) {
        self.boardKey = boardKey
        self.entries = entries
        self.witnesses = witnesses
    }
    public var isEmpty: Bool { boardKey == nil && entries.isEmpty && witnesses.isEmpty }
}

/// The board's signed acknowledgement of a cast ballot (record.md §9.2): with it a voter can
/// later prove that the board accepted the ballot at this place — or, if a record lacks it,
/// that the board dropped or rewrote it.
///
///     message = str("DAUYS-v1") ‖ str("receipt") ‖ h₀ (32) ‖ u64(entry) ‖ entry hash (32)
///               ‖ tracking digest (32) ‖ u64(time_ms)
///     signature = Ed25519 over message with the board key of the genesis entry
public struct BallotReceipt: Codable, Sendable, Equatable {
    /// h₀ (hex): the election the ballot belongs to.
    public let election: String
    public let entry: UInt64
    /// hash_entry (hex).
    public let entryHash: String
    /// SHA-256 of the ballot's bytes (hex); its first 80 bits are the short tracking code.
    public let trackingDigest: String
    public let trackingCode: String
    /// The entry's time (ms since 1970).
    public let time: UInt64
    public let boardKey: String
    public let signature: String

    enum CodingKeys: String, CodingKey {
        case election, entry, entryHash = "entry_hash", trackingDigest = "tracking_digest"
        case trackingCode = "tracking_code", time, boardKey = "board_key", signature
    }

    static func message(
        election: [UInt8], entry: UInt64, entryHash: [UInt8], digest: [UInt8], time: UInt64
    ) -> [UInt8] {
        var w = ByteWriter(capacity: 160)
        w.string("DAUYS-v1")
        w.string("receipt")
        w.fixed(election)
        w.u64(entry)
        w.fixed(entryHash)
        w.fixed(digest)
        w.u64(time)
        return w.bytes
    }

    /// The board signs the ballot entry `e` of the election with base hash `base`.
    public init(entry e: BoardEntry, base: ElectionHash, key: Curve25519.Signing.PrivateKey) throws {
        let code = TrackingCode(ballotBytes: e.payload)
        election = base.hex
        entry = e.index
        entryHash = e.hashHex
        trackingDigest = code.hex
        trackingCode = code.short
        time = e.time
        boardKey = Hex.encode(key.publicKey.rawRepresentation)
        let m = Self.message(election: base.bytes, entry: e.index, entryHash: e.hash, digest: code.digest, time: e.time)
        signature = Hex.encode(try key.signature(for: m))
    }

    /// The receipt's fields as bytes, if its signature verifies under the board key it names
    /// (and the short code is the digest's).
    public func verified() -> (boardKey: [UInt8], election: [UInt8], entryHash: [UInt8], digest: [UInt8])? {
        guard let k = try? Hex.decode(boardKey), let el = try? Hex.decode(election), el.count == 32,
            let h = try? Hex.decode(entryHash), h.count == 32, let d = try? Hex.decode(trackingDigest), d.count == 32,
            let sig = try? Hex.decode(signature), let pk = try? Curve25519.Signing.PublicKey(rawRepresentation: k),
            TrackingCode.short(digest: d) == trackingCode,
            pk.isValidSignature(sig, for: Self.message(election: el, entry: entry, entryHash: h, digest: d, time: time))
        else { return nil }
        return (k, el, h, d)
    }
}

/// What a signed receipt proves about a copy of the board (record.md §9.2).
public enum ReceiptVerdict: Sendable, Equatable, CustomStringConvertible {
    /// The entry is there, with the hash the board signed, holding this ballot.
    case included(entry: UInt64)
    /// The board signed that the ballot is at `entry`; this copy ends before it.
    case omitted(entry: UInt64, entries: UInt64)
    /// The copy holds something else at `entry`, or is under another board key: the board was rewritten.
    case rewritten(entry: UInt64, String)
    /// The receipt itself does not stand: its signature, its key, or its election.
    case invalidReceipt(String)

    public var proves: Bool { if case .invalidReceipt = self { false } else { true } }

    public var description: String {
        switch self {
        case .included(let i):
            "INCLUDED: entry \(i) holds this ballot with the hash the board signed"
        case let .omitted(i, n):
            "OMITTED: the board signed that entry \(i) holds this ballot; this copy of the board has only \(n) entries"
        case let .rewritten(i, why): "REWRITTEN: entry \(i): \(why)"
        case .invalidReceipt(let why): "the receipt proves nothing: \(why)"
        }
    }

    /// Judges a receipt against a copy of the board: its genesis and manifest entries, the
    /// entry the receipt names and the one before it (nil where the copy has none), and the
    /// number of entries in the copy. `pinnedKey`: the board key the holder expects, if any.
    public static func judge(
        _ r: BallotReceipt, genesis: BoardEntry, manifest: BoardEntry, previous: BoardEntry?, entry: BoardEntry?,
        entries: UInt64, pinnedKey: [UInt8]? = nil
    ) -> ReceiptVerdict {
        guard let v = r.verified() else {
            return .invalidReceipt("its signature does not verify under the board key it names")
        }
        if let pinnedKey, pinnedKey != v.boardKey {
            return .invalidReceipt("it is signed by another key than the board key you gave")
        }
        guard let g = try? CanonicalJSON.decode(Genesis.self, genesis.payload),
            let key = try? Hex.decode(g.boardKey)
        else { return .rewritten(entry: 0, "the genesis entry cannot be read") }
        guard key == v.boardKey else {
            return .rewritten(
                entry: 0,
                "this board is under board key \(g.boardKey.prefix(16))…, the receipt was signed by \(r.boardKey.prefix(16))… (re-keyed)"
            )
        }
        let base = RecordContext.baseHash(
            manifestPayload: manifest.payload,
            group: (try? CanonicalJSON.decode(Manifest.self, manifest.payload))?.group
                ?? "")
        guard base.bytes == v.election else { return .invalidReceipt("it is for another election") }
        guard let e = entry, e.index == r.entry else { return .omitted(entry: r.entry, entries: entries) }
        guard e.hash == v.entryHash else {
            return .rewritten(
                entry: r.entry, "its hash is \(e.hashHex.prefix(16))…, the board signed \(r.entryHash.prefix(16))…")
        }
        if let p = previous {
            guard
                BoardEntry.hash(index: e.index, previous: p.hash, time: e.time, kind: e.kind, payload: e.payload)
                    == e.hash
            else { return .rewritten(entry: r.entry, "its content does not match its hash") }
        }
        guard e.kind == .ballot, TrackingCode(ballotBytes: e.payload).digest == v.digest, e.time == r.time else {
            return .rewritten(entry: r.entry, "it does not hold the ballot the board signed")
        }
        return .included(entry: r.entry)
    }
}

/// Entry times (ms since 1970) as people read them.
public enum BoardTime {
    /// ISO 8601 in UTC, with milliseconds.
    public static func instant(_ ms: UInt64) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }
}
