import DauysCrypto
import Foundation

/// A ballot the voter chose to audit instead of casting (entry kind 24, record.md §5.6):
/// Benaloh's cast-or-audit challenge. The device shows the tracking code first; if the voter
/// audits, the ballot is posted with its seed and the choices it claims to encrypt, and
/// anyone re-creates the encryption from them (`BallotContext.audit`). Its secrets are then
/// public, so the board never takes that ballot as a vote.
///
///     payload = lp(ballot) ‖ seed (32) ‖ u16(questions) ‖ per question: u16(n) ‖ n × u8(mark)
public struct AuditedBallot: Sendable, Equatable {
    public let ballot: [UInt8]
    public let seed: BallotSeed
    public let selections: [[Int]]
    public let payload: [UInt8]

    /// At most this many audited ballots per credential: enough to test a device, too few to
    /// flood the board.
    public static let perCredential = 10

    public init(ballot: [UInt8], seed: BallotSeed, selections: [[Int]]) {
        self.ballot = ballot
        self.seed = seed
        self.selections = selections
        var w = ByteWriter(capacity: ballot.count + 64)
        w.lengthPrefixed(ballot)
        w.fixed(seed.bytes)
        w.u16(UInt16(selections.count))
        for q in selections {
            w.u16(UInt16(q.count))
            for m in q { w.u8(UInt8(truncatingIfNeeded: m)) }
        }
        payload = w.bytes
    }

    public init(payload: [UInt8]) throws(CryptoError) {
        var r = ByteReader(payload)
        ballot = Array(try r.lengthPrefixed("audited ballot", max: 1 << 16))
        seed = try BallotSeed(bytes: Array(try r.fixed(32, "seed")))
        let q = Int(try r.u16("number of questions"))
        guard q <= 64 else { throw .invalidEncoding("audited ballot: \(q) questions") }
        var s: [[Int]] = []
        for _ in 0..<q {
            let n = Int(try r.u16("number of options"))
            guard n <= 256 else { throw .invalidEncoding("audited ballot: \(n) options") }
            s.append(try (0..<n).map { _ throws(CryptoError) in Int(try r.u8("mark")) })
        }
        try r.finish("audited ballot")
        selections = s
        self.payload = payload
    }

    public var tracking: TrackingCode { TrackingCode(ballotBytes: ballot) }

    /// The audit itself: the ballot decodes, its proofs and signature verify, and the seed and
    /// choices re-create exactly its encryption (protocol.md §6.4).
    public func check<G: PrimeOrderGroup>(_ ctx: BallotContext<G>) throws(BallotError) {
        let b = try ctx.decodeAndVerify(ballot)
        try ctx.audit(b, seed: seed, selections: selections)
    }

    /// The option ids the ballot encrypts, per question, as the manifest names them.
    public func choices(_ m: Manifest) -> [String] {
        zip(m.questions, selections).map { q, marks in
            let picked = marks.enumerated().filter { $0.element == 1 }.map { q.options[$0.offset].id }
            return "\(q.id) = \(picked.isEmpty ? "(none)" : picked.joined(separator: "+"))"
        }
    }
}

extension BoardState {
    /// record.md §5.6: an audited ballot of a published credential, during voting, made to be
    /// its credential's next ballot (so never one that was cast), not audited before, at most
    /// `AuditedBallot.perCredential` per credential, whose seed and choices re-create it.
    mutating func applyAudited(_ e: BoardEntry) throws(BoardViolation) {
        let a: AuditedBallot
        do { a = try AuditedBallot(payload: e.payload) } catch {
            throw BoardViolation(.auditedBallots, "audited ballot at entry \(e.index): \(error)")
        }
        guard let ctx = ballotContext else {
            throw BoardViolation(.auditedBallots, "audited ballot at entry \(e.index): there is no election key")
        }
        guard let header = Ballot<G>.header(of: a.ballot), header.election.elementsEqual(ctx.election.bytes) else {
            throw BoardViolation(.auditedBallots, "audited ballot at entry \(e.index) is not a ballot of this election")
        }
        let credential = DigestKey(header.credential)
        guard let published = credentials[credential] else {
            throw BoardViolation(
                .auditedBallots, "audited ballot at entry \(e.index) is signed by a credential that was never published"
            )
        }
        // A ballot that was cast has a sequence number at most its credential's last one; the
        // ballot a voter audits is one made to be cast next. So no cast ballot is ever audited.
        guard UInt64(header.sequence) == UInt64(published.lastSequence) + 1 else {
            throw BoardViolation(
                .auditedBallots,
                "entry \(e.index) audits a ballot with sequence number \(header.sequence) where its credential's next is \(UInt64(published.lastSequence) + 1): it may have been cast, and a cast ballot's secrets are never revealed"
            )
        }
        let digest = DigestKey(digest: a.tracking.digest)
        if let first = audited[digest] {
            throw BoardViolation(
                .auditedBallots, "entry \(e.index) audits the ballot already audited at entry \(first)")
        }
        guard auditsPerCredential[credential, default: 0] < AuditedBallot.perCredential else {
            throw BoardViolation(
                .auditedBallots,
                "entry \(e.index): this credential already audited \(AuditedBallot.perCredential) ballots")
        }
        do { try a.check(ctx) } catch {
            throw BoardViolation(.auditedBallots, "audited ballot at entry \(e.index): \(error)")
        }
        audited[digest] = e.index
        auditsPerCredential[credential, default: 0] += 1
    }
}
