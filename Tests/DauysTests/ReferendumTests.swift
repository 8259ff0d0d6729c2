import Crypto
import DauysCrypto
import DauysRecord
import DauysReferendum
import DauysStore
import DauysVerifier
import Foundation
import Synchronization
import XCTest

typealias G = DauysCrypto.P256

/// The lifecycle library: phases, casting rules, durability, the complaint path.
final class ReferendumTests: XCTestCase {
    struct Setup {
        let ref: Referendum<G>
        let trustees: [Trustee<G>]
        let credentials: [[KeyPair<G>]]
        let received: [Int: [Int: Scalar<G>]]
        /// The trustees' signing keys (the manifest names their public halves).
        let signers: [Curve25519.Signing.PrivateKey]
        /// The credential authority's and the registry's keys.
        let eligibility: SimulatedEligibility
        /// The central commission's key (the manifest names its public half).
        let central: Curve25519.Signing.PrivateKey

        /// A commission makes its key; the central commission registers it for `scope`.
        func commission(_ scope: String) async throws -> Curve25519.Signing.PrivateKey {
            let k = Curve25519.Signing.PrivateKey()
            try await ref.registerCommissions([
                try CommissionRegistration(
                    scope: scope, name: "Commission \(scope)", key: k.publicKey, central: central, base: ref.baseHash)
            ])
            return k
        }

        /// A protocol version signed with `key`.
        func signed(
            _ precinct: String, _ f: ProtocolFigures, key: Curve25519.Signing.PrivateKey, version: Int = 1,
            reason: String? = nil
        ) throws -> CommissionSigned<PrecinctProtocol> {
            try CommissionSigned(
                PrecinctProtocol(
                    referendum: ref.manifest.id, precinct: precinct, version: version, reason: reason, figures: f),
                key: key, base: ref.baseHash)
        }

        /// A decryption posted as its trustee signs it.
        func signed(_ d: TrusteeDecryption<G>) throws -> SignedTrusteeMessage {
            try SignedTrusteeMessage(d, key: signers[d.trustee - 1], base: ref.baseHash)
        }
    }

    /// A referendum with 2 regions × `perRegion` voters, ready for voting.
    static func ready(
        store: BoardStore, boardKey: Curve25519.Signing.PrivateKey = .init(), perRegion: Int = 5,
        corruptShareFrom: Int? = nil, withholdShareFrom: Int? = nil, answerComplaints: Bool = true,
        publishCredentials: Bool = true, regions: Int = 2, districts: Int = 2, precincts: Int = 3,
        privacyFloor: Int = 1, clock: ((Schedule) -> BoardClock)? = nil, witnesses: [String]? = nil
    ) async throws -> Setup {
        let signers = (1...3).map { _ in Curve25519.Signing.PrivateKey() }
        let eligibility = SimulatedEligibility()
        let central = Curve25519.Signing.PrivateKey()
        var m = Manifest.kazakhstan2026(
            regions: regions, districts: districts, precincts: precincts, trustees: 3, quorum: 2,
            privacyFloor: privacyFloor, trusteeKeys: signers.map(\.publicKey),
            credentialAuthority: eligibility.keys.credentialAuthority, registry: eligibility.keys.registry,
            centralCommission: central.publicKey)
        m.witnesses = witnesses
        let ref = try await Referendum<G>.create(
            store: store, manifest: m, boardKey: boardKey, clock: clock?(m.schedule) ?? .rehearsal(m.schedule))
        let base = ref.baseHash
        await assertThrowsAsync({
            let early = try Trustee<G>.generate(index: 1, threshold: ref.threshold, election: base).publicKey
            _ = try await ref.post([try SignedTrusteeMessage(early, key: signers[0], base: base)])
        }) {
            XCTAssertTrue("\($0)".contains("phase \"setup\""))
        }
        try await ref.advance(to: .keyCeremony)
        let trustees = try (1...3).map {
            try Trustee<G>.generate(index: $0, threshold: ref.threshold, election: ref.baseHash)
        }
        try await commitAndPublish(ref, trustees, signers)
        let pks = Array(ref.state.trusteeKeys.values)
        for t in trustees {
            var shares = try t.shares(for: pks, election: ref.baseHash)
            if t.index == corruptShareFrom {
                let victim = shares[0]
                shares[0] = EncryptedShare(
                    from: victim.from, to: victim.to, ephemeral: victim.ephemeral,
                    sealed: victim.sealed.map { $0 ^ 0x55 })
            }
            if t.index == withholdShareFrom { shares.removeFirst() }
            try await ref.post(try shares.map { try SignedTrusteeMessage($0, key: signers[t.index - 1], base: base) })
        }
        var received: [Int: [Int: Scalar<G>]] = [:]
        for t in trustees {
            let check = ref.state.checkShares(as: t)
            try await ref.post(try check.messages(key: signers[t.index - 1], base: base))
            received[t.index] = check.received
        }
        if answerComplaints {
            for c in ref.state.complaints where c.evidence == nil {
                let rv = trustees[c.against - 1].reveal(to: c.from)
                try await ref.post([try SignedTrusteeMessage(rv, key: signers[c.against - 1], base: base)])
                received[c.from, default: [:]][c.against] = rv.share
            }
        }
        try await ref.finishKeyCeremony()
        let creds = (0..<regions).map { _ in (0..<perRegion).map { _ in KeyPair<G>.generate() } }
        let setup = Setup(
            ref: ref, trustees: trustees, credentials: creds, received: received, signers: signers,
            eligibility: eligibility, central: central)
        guard publishCredentials else { return setup }
        try await eligibility.publish(creds.map { $0.map(\.publicKey) }, to: ref)
        try await ref.advance(to: .credentialsPublished)
        try await ref.advance(to: .votingOpen)
        return setup
    }

    func testCastingRules() async throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (_, open) in TestStores.all(dir: dir) { try await castingRules(try await open(true)) }
        try await castingRules(MemoryBoardStore())
    }

    func castingRules(_ store: BoardStore) async throws {
        let s = try await Self.ready(store: store)
        let ctx = s.ref.ballotContext!
        let b = try ctx.encrypt(selections: [[1, 0]], credential: s.credentials[0][0])
        let first = try await s.ref.cast(b.bytes)
        XCTAssertFalse(first.duplicate)
        XCTAssertEqual(first.region, "abai")
        XCTAssertEqual(first.trackingCode, b.trackingCode.short)
        // An identical retry is idempotent: same entry, nothing appended.
        let count = try await s.ref.store.count()
        let again = try await s.ref.cast(b.bytes)
        XCTAssertTrue(again.duplicate)
        XCTAssertEqual(again.entryIndex, first.entryIndex)
        let after = try await s.ref.store.count()
        XCTAssertEqual(after, count)
        XCTAssertEqual(s.ref.lookup(trackingDigest: b.trackingCode.hex)?.index, first.entryIndex)
        // The receipt is signed by the board key over the entry as stored (record.md §9.2);
        // the retry gets the same receipt, read back from the store.
        let stored = try await s.ref.store.entries(from: first.entryIndex, limit: 1)[0]
        XCTAssertEqual(first.signed.entryHash, stored.hashHex)
        XCTAssertEqual(first.signed.time, stored.time)
        XCTAssertEqual(first.signed.boardKey, Hex.encode(s.ref.state.boardKey.rawRepresentation))
        XCTAssertNotNil(first.signed.verified())
        XCTAssertEqual(again.signed, first.signed)
        // The voter looks the ballot up by the short code as typed: any case, dashes or not.
        let short = b.trackingCode.short
        for typed in [short, short.lowercased(), short.replacingOccurrences(of: "-", with: ""), b.trackingCode.hex] {
            let found = try await s.ref.ballotStatus(code: typed)
            XCTAssertEqual(found?.index, first.entryIndex, typed)
            XCTAssertEqual(found?.trackingDigest, b.trackingCode.hex)
            XCTAssertEqual(found?.status, .counted)
        }
        let unknown = try await s.ref.ballotStatus(code: "0000-0000-0000-0000")
        XCTAssertNil(unknown)
        // A revote supersedes it, found by the short code too (the index grows with the board).
        // A revote is the credential's ballot number 2 (record.md §5.4).
        let revote = try await s.ref.cast(
            try ctx.encrypt(selections: [[0, 1]], credential: s.credentials[0][0], sequence: 2).bytes)
        let old = try await s.ref.ballotStatus(code: short.lowercased())
        XCTAssertEqual(old?.status, .superseded(by: revote.entryIndex))
        let latest = try await s.ref.ballotStatus(code: revote.trackingCode)
        XCTAssertEqual(latest?.status, .counted)
        // The first ballot sent again is a retry answered with its receipt, never a vote again.
        let late = try await s.ref.cast(b.bytes)
        XCTAssertTrue(late.duplicate)
        XCTAssertEqual(late.entryIndex, first.entryIndex)
        let still = try await s.ref.ballotStatus(code: revote.trackingCode)
        XCTAssertEqual(still?.status, .counted)
        // Another ballot numbered 2, or one that skips ahead, is refused: only 3 comes next.
        for n: UInt32 in [1, 2, 4, .max] {
            let b = try ctx.encrypt(selections: [[1, 0]], credential: s.credentials[0][0], sequence: n)
            await assertThrowsAsync({ _ = try await s.ref.cast(b.bytes) }) {
                XCTAssertEqual($0 as? CastError, .outOfSequence(sequence: n, next: 3))
                XCTAssertTrue(
                    "\($0)".contains("ballot has sequence number \(n), but this credential's next ballot needs 3"),
                    "\($0)")
            }
        }
        XCTAssertEqual(s.ref.state.nextSequence(credential: s.credentials[0][0].publicKey.bytes), 3)
        XCTAssertEqual(s.ref.state.nextSequence(credential: s.credentials[0][1].publicKey.bytes), 1)
        XCTAssertNil(s.ref.state.nextSequence(credential: KeyPair<G>.generate().publicKey.bytes))
        // A signed-in voter of region 1 cannot cast with a region-0 credential.
        let other = try ctx.encrypt(selections: [[0, 1]], credential: s.credentials[0][1])
        await assertThrowsAsync({ _ = try await s.ref.cast(other.bytes, region: 1) }) {
            XCTAssertEqual($0 as? CastError, .wrongRegion)
        }
        // Unknown credential, wrong election, garbage, oversize.
        await assertThrowsAsync({
            _ = try await s.ref.cast(try ctx.encrypt(selections: [[1, 0]], credential: .generate()).bytes)
        }) { XCTAssertEqual($0 as? CastError, .unknownCredential) }
        let foreign = BallotContext<G>(
            election: ElectionHash.derive("x", parts: []), publicKey: ctx.key.element, shape: .referendum)
        await assertThrowsAsync({
            _ = try await s.ref.cast(try foreign.encrypt(selections: [[1, 0]], credential: s.credentials[0][2]).bytes)
        }) { XCTAssertEqual($0 as? CastError, .wrongElection) }
        await assertThrowsAsync({ _ = try await s.ref.cast([1, 2, 3]) }) {
            if case .malformed = $0 as! CastError {} else { XCTFail() }
        }
        await assertThrowsAsync({ _ = try await s.ref.cast(b.bytes + [UInt8](repeating: 0, count: 10_000)) }) {
            XCTAssertEqual($0 as? CastError, .tooLarge(10_689))
        }
        var forged = other.bytes
        forged[forged.count - 1] ^= 1
        await assertThrowsAsync({ _ = try await s.ref.cast(forged) }) {
            XCTAssertEqual($0 as? CastError, .invalidProof("credential signature"))
        }
        // After closing, nothing more is accepted.
        try await s.ref.advance(to: .closed)
        await assertThrowsAsync({ _ = try await s.ref.cast(other.bytes) }) {
            XCTAssertEqual($0 as? CastError, .votingNotOpen(phase: "closed"))
        }
    }

    /// record.md §5.5: the board takes ballots only inside the voting window of the
    /// credential's precinct, as the central commission may have extended it, and closes on time.
    func testTheScheduleIsEnforced() async throws {
        let now = Mutex<UInt64>(0)
        let s = try await Self.ready(
            store: MemoryBoardStore(),
            clock: { sched in
                now.withLock { $0 = sched.window!.opens - 60_000 }
                return .custom { now.withLock { $0 } }
            })
        let (opens, closes) = s.ref.manifest.schedule.window!
        let ctx = s.ref.ballotContext!
        func ballot(_ r: Int, _ i: Int) throws -> [UInt8] {
            try ctx.encrypt(selections: [[1, 0]], credential: s.credentials[r][i]).bytes
        }
        let window = (BoardState<G>.instant(opens), BoardState<G>.instant(closes))
        // A minute before voting opens.
        await assertThrowsAsync({ _ = try await s.ref.cast(try ballot(0, 0)) }) {
            XCTAssertEqual($0 as? CastError, .outsideSchedule(opens: window.0, closes: window.1))
        }
        now.withLock { $0 = opens }
        _ = try await s.ref.cast(try ballot(0, 0))
        // Eight months after it closed.
        now.withLock { $0 = closes + 240 * 86_400_000 }
        await assertThrowsAsync({ _ = try await s.ref.cast(try ballot(0, 1)) }) {
            XCTAssertEqual($0 as? CastError, .outsideSchedule(opens: window.0, closes: window.1))
        }
        // An hour more for region 1, decided before 20:00 and signed by the central commission.
        now.withLock { $0 = closes - 60_000 }
        let region1 = s.ref.manifest.regions[1].id
        let later = closes + 3_600_000
        let forged = try VotingExtension(
            scope: region1, closes: later, reason: "queues at closing time", central: .init(), base: s.ref.baseHash)
        await assertThrowsAsync({ try await s.ref.extendVoting(forged) }) {
            XCTAssertTrue("\($0)".contains("is not signed by the central commission"), "\($0)")
        }
        let ext = try VotingExtension(
            scope: region1, closes: later, reason: "queues at closing time", central: s.central, base: s.ref.baseHash)
        try await s.ref.extendVoting(ext)
        try await s.ref.extendVoting(ext)  // the same again: nothing new
        XCTAssertEqual(s.ref.state.extensions, [ext])
        now.withLock { $0 = closes + 1_800_000 }
        await assertThrowsAsync({ _ = try await s.ref.cast(try ballot(0, 1)) }) {
            XCTAssertEqual($0 as? CastError, .outsideSchedule(opens: window.0, closes: window.1))
        }
        _ = try await s.ref.cast(try ballot(1, 0))
        // Too late to extend region 0, which closed at 20:00.
        let late = try VotingExtension(
            scope: s.ref.manifest.regions[0].id, closes: later, reason: "late", central: s.central,
            base: s.ref.baseHash)
        await assertThrowsAsync({ try await s.ref.extendVoting(late) }) {
            XCTAssertTrue("\($0)".contains("comes after voting there closed"), "\($0)")
        }
        // Voting cannot be closed while region 1 still votes.
        await assertThrowsAsync({ try await s.ref.advance(to: .closed) }) {
            XCTAssertTrue("\($0)".contains("before the schedule closes it at"), "\($0)")
        }
        now.withLock { $0 = later }
        try await s.ref.advance(to: .closed)
        // The board the referendum wrote verifies; a clock that goes back is refused.
        var replayed = try BoardState<G>.replay(try await s.ref.store.entries(from: 0, limit: 1 << 20))
        XCTAssertEqual(replayed.ballotCount, 2)
        let back = BoardEntry.chain(
            [(.checkpoint, try Checkpoint(upTo: replayed.count - 1, hash: replayed.head, key: .init()).payload)],
            start: replayed.count, previous: replayed.head, time: later - 1)
        XCTAssertThrowsError(try replayed.apply(back[0])) {
            XCTAssertEqual(($0 as? BoardViolation)?.check, .schedule)
        }
    }

    func testAcknowledgedBallotsSurviveAReopenAndRevotingCountsTheLast() async throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (name, open) in TestStores.all(dir: dir) {
            try await survivesReopen(open, dir: dir, shared: name != "sqlite")
        }
    }

    func survivesReopen(_ open: TestStores.Opener, dir: String, shared: Bool) async throws {
        try? FileManager.default.removeItem(atPath: dir + "/rec")
        let key = Curve25519.Signing.PrivateKey()
        var s = try await Self.ready(store: try await open(true), boardKey: key)
        let ctx = s.ref.ballotContext!
        _ = try await s.ref.cast(try ctx.encrypt(selections: [[0, 1]], credential: s.credentials[0][0]).bytes)
        let results = await s.ref.castBatch(
            try (1..<5).map { try ctx.encrypt(selections: [[1, 0]], credential: s.credentials[0][$0]).bytes })
        XCTAssertTrue(results.allSatisfy { (try? $0.get()) != nil })
        // SQLite: one writer per board, a second writer is refused while the first holds it.
        // PostgreSQL: writers share the board (SharedBoardTests).
        if !shared {
            await assertThrowsAsync({ _ = try await open(true) }) {
                XCTAssertTrue("\($0)".contains("held by another process"), "\($0)")
            }
        }
        // The process "dies" (its lock goes with it); a new one opens the same board.
        await s.ref.store.close()
        let reopened = try await Referendum<G>.open(
            store: try await open(true), boardKey: key, clock: .rehearsal(s.ref.manifest.schedule))
        XCTAssertEqual(reopened.state.ballotCount, 5)
        XCTAssertEqual(reopened.phase, .votingOpen)
        await assertThrowsAsync({ _ = try await Referendum<G>.open(store: try await open(false), boardKey: .init()) }) {
            XCTAssertTrue("\($0)".contains("this board key is not the one"), "\($0)")
        }
        s = Setup(
            ref: reopened, trustees: s.trustees, credentials: s.credentials, received: s.received, signers: s.signers,
            eligibility: s.eligibility, central: s.central)
        // Voter 0 changes the vote to yes: the last ballot counts.
        _ = try await s.ref.cast(
            try ctx.encrypt(selections: [[1, 0]], credential: s.credentials[0][0], sequence: 2).bytes)
        XCTAssertEqual(s.ref.countedPerRegion(), [5, 0])
        try await s.ref.advance(to: .closed)
        try await s.ref.computeTally()
        try await s.ref.advance(to: .tallied)
        let ek = s.ref.electionKey!
        for t in s.trustees.prefix(2) {
            let ks = try t.secretShare(received: s.received[t.index]!, qualified: Set(ek.qualified))
            let d = TrusteeDecryption(
                trustee: t.index,
                shares: s.ref.tally!.labelled(s.ref.manifest).map {
                    DecryptionShare.make(keyShare: ks, ciphertext: $0.1, label: $0.0, election: ek.electionHash)
                })
            if t.index == 1 {
                // A wrong share is refused before it reaches the board.
                let bad = TrusteeDecryption(
                    trustee: 1,
                    shares: d.shares.map { DecryptionShare(trustee: 1, share: $0.share + .generator, proof: $0.proof) })
                await assertThrowsAsync({ _ = try await s.ref.post([try s.signed(bad)]) }) {
                    XCTAssertTrue("\($0)".contains("does not verify"), "\($0)")
                }
            }
            try await s.ref.post([try s.signed(d)])
        }
        try await s.ref.advance(to: .decrypted)
        let r = try await s.ref.publishResults()
        XCTAssertEqual(r.questions[0].totals, [5, 0])
        XCTAssertEqual(s.ref.phase, .published)
        try await s.ref.exportRecord(to: dir + "/rec")
        let report = await RecordVerifier(directory: dir + "/rec").run()
        XCTAssertTrue(report.valid, "\(report.failedChecks)")
        XCTAssertEqual(report.ballots, 6)
        XCTAssertEqual(report.countedBallots, 5)
    }

    func testPaperVoteOverridesEVote() async throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let s = try await Self.ready(store: MemoryBoardStore())
        let ctx = s.ref.ballotContext!
        var tracking: [String] = []
        for v in 0..<3 {
            let b = try ctx.encrypt(selections: [[1, 0]], credential: s.credentials[0][v])
            _ = try await s.ref.cast(b.bytes)
            tracking.append(b.trackingCode.hex)
        }
        let before = try await s.ref.ballotStatus(code: tracking[0])
        XCTAssertEqual(before?.status, .counted)
        let paperVoter = s.credentials[0][0].publicKey
        let base = s.ref.baseHash
        // The registry signs a revocation for the precinct where the voter is listed.
        func revocation(
            _ c: [GroupElement<G>], precinct: String? = nil, key: Curve25519.Signing.PrivateKey? = nil
        ) throws -> RevokedCredentials<G> {
            try RevokedCredentials(
                precinct: precinct ?? s.ref.state.precinct(ofCredential: c[0].bytes)!, credentials: c,
                registry: key ?? s.eligibility.registry, base: base)
        }
        func refused(_ r: RevokedCredentials<G>, _ message: String, line: UInt = #line) async {
            await assertThrowsAsync({ _ = try await s.ref.revoke([r]) }, line: line) {
                XCTAssertTrue("\($0)".contains(message), "\($0)", line: line)
            }
        }
        await refused(try revocation([paperVoter]), "phase")
        let tec = try await s.commission("abai")
        try await s.ref.advance(to: .closed)
        await refused(
            try revocation([KeyPair<G>.generate().publicKey], precinct: "abai.d1.p1"), "never published")
        await refused(try revocation([paperVoter], key: s.eligibility.authority), "not signed by the registry's key")
        let home = s.ref.state.precinct(ofCredential: paperVoter.bytes)!
        let elsewhere = s.ref.manifest.precinctsInOrder.first { $0.precinct != home }!.precinct
        // Evidence: no revocation before the precinct's signed protocol, never more than the
        // paper ballots it records as issued.
        await refused(try revocation([paperVoter]), "before its protocol is on the board")
        let oneBallot = PaperFixtures.figures(
            list: 10, received: 5, room: 1, mobile: 0, requests: 0, cancelled: 4, boxes: 1, yes: 1, no: 0, invalid: 0,
            notCounted: 0)
        let none = PaperFixtures.figures(
            list: 10, received: 5, room: 0, mobile: 0, requests: 0, cancelled: 5, boxes: 0, yes: 0, no: 0, invalid: 0,
            notCounted: 0)
        try await s.ref.submitProtocols([try s.signed(home, none, key: tec)])
        try await s.ref.submitProtocols([try s.signed(elsewhere, oneBallot, key: tec)])
        await refused(try revocation([paperVoter], precinct: elsewhere), "a credential of precinct \(home)")
        await refused(try revocation([paperVoter]), "where its protocol records 0 paper ballots issued")
        try await s.ref.submitProtocols([try s.signed(home, oneBallot, key: tec, version: 2, reason: "recount")])
        try await s.ref.revoke([try revocation([paperVoter])])
        // A later correction can no longer claim fewer paper ballots than revoked e-credentials.
        await assertThrowsAsync({
            try await s.ref.submitProtocols([try s.signed(home, none, key: tec, version: 3, reason: "typo")])
        }) {
            XCTAssertTrue("\($0)".contains("1 credentials revoked as paper voters > 0 paper ballots issued"), "\($0)")
        }
        // The voter looks the ballot up: overridden by the paper vote; the others still count.
        let after = try await s.ref.ballotStatus(code: tracking[0])
        XCTAssertEqual(after?.status, .overriddenByPaper)
        let other = try await s.ref.ballotStatus(code: tracking[1])
        XCTAssertEqual(other?.status, .counted)
        // Revoking the same credential again (a re-run) publishes nothing.
        let entries = s.ref.read { $0.count }
        let again = try await s.ref.revoke([try revocation([paperVoter])])
        XCTAssertEqual(again, 0)
        XCTAssertEqual(s.ref.read { $0.count }, entries)
        await refused(
            try revocation([paperVoter, s.credentials[0][2].publicKey], precinct: home), "partly on the board")
        XCTAssertEqual(s.ref.countedPerRegion(), [2, 0])
        try await s.ref.computeTally()
        await assertThrowsAsync(
            { _ = try await s.ref.revoke([try revocation([s.credentials[0][1].publicKey])]) },
            "too late after the tally")
        try await s.ref.advance(to: .tallied)
        try await Self.decrypt(s, tally: s.ref.tally!)
        try await s.ref.advance(to: .decrypted)
        let published = try await s.ref.publishResults()
        XCTAssertEqual(published.questions[0].totals, [2, 0])
        try await s.ref.exportRecord(to: dir + "/rec")
        let report = await RecordVerifier(directory: dir + "/rec").run()
        XCTAssertTrue(report.valid, "\(report.failedChecks)")
        XCTAssertEqual(report.countedBallots, 2)
        // Without the revocation the tally no longer adds up; moved after the tally, it is out of order.
        var items = try RecordRewrite.entries(dir + "/rec")
        let rv = items.firstIndex { $0.kind == .revokedCredentials }!
        var dropped = items
        dropped.remove(at: rv)
        try RecordRewrite.rechain(dropped, to: dir + "/t1")
        let r1 = await RecordVerifier(directory: dir + "/t1").run()
        XCTAssertTrue(r1.failedChecks.map(\.name).contains("encrypted tally"), "\(r1.failedChecks)")
        let moved = items.remove(at: rv)
        items.insert(moved, at: items.firstIndex { $0.kind == .encryptedTally }! + 1)
        try RecordRewrite.rechain(items, to: dir + "/t2")
        let r2 = await RecordVerifier(directory: dir + "/t2").run()
        XCTAssertTrue(r2.failedChecks.map(\.name).contains("phases"), "\(r2.failedChecks)")
        // Signed by the board operator instead of the registry: named under credential lists.
        var forged = try RecordRewrite.entries(dir + "/rec")
        forged[rv].payload = try revocation([paperVoter], key: Curve25519.Signing.PrivateKey()).payload
        try RecordRewrite.rechain(forged, to: dir + "/t3")
        let r3 = await RecordVerifier(directory: dir + "/t3").run()
        XCTAssertTrue(r3.failedChecks.map(\.name).contains("credential lists"), "\(r3.failedChecks)")
        // Without evidence: moved before the precinct's protocols, or with only the version that
        // records no paper ballot — the verifier rejects it under credential lists.
        let clean = try RecordRewrite.entries(dir + "/rec")
        let at = clean.firstIndex { $0.kind == .revokedCredentials }!
        var early = clean
        let rev = early.remove(at: at)
        early.insert(rev, at: early.firstIndex { $0.kind == .precinctProtocol }!)
        try RecordRewrite.rechain(early, to: dir + "/t4")
        let r4 = await RecordVerifier(directory: dir + "/t4").run()
        // (Not applied, the revocation no longer removes its ballot: the tally differs too.)
        XCTAssertEqual(r4.failedChecks.first?.name, "credential lists", "\(r4.failedChecks)")
        XCTAssertTrue(r4.failedChecks[0].problems[0].contains("before its protocol"), "\(r4.failedChecks)")
        var above = clean
        let v2 = above.firstIndex {
            $0.kind == .precinctProtocol
                && (try? CommissionSigned<PrecinctProtocol>(payload: $0.payload).document.version) == 2
        }!
        above.remove(at: v2)
        try RecordRewrite.rechain(above, to: dir + "/t5")
        let r5 = await RecordVerifier(directory: dir + "/t5").run()
        XCTAssertTrue(r5.failedChecks.map(\.name).contains("credential lists"), "\(r5.failedChecks)")
        XCTAssertTrue(
            r5.failedChecks.first { $0.name == "credential lists" }!.problems[0].contains("0 paper ballots issued"),
            "\(r5.failedChecks)")
    }

    func testComplaintPath() async throws {
        // Trustee 2 withholds a share; it answers the complaint with the true share and stays.
        let s = try await Self.ready(store: MemoryBoardStore(), withholdShareFrom: 2)
        XCTAssertEqual(s.ref.state.complaints.count, 1)
        XCTAssertEqual(s.ref.state.reveals.count, 1)
        XCTAssertEqual(s.ref.electionKey!.qualified, [1, 2, 3])
        // Not answered: trustee 2 is disqualified, the two others still reach the quorum.
        let t = try await Self.ready(store: MemoryBoardStore(), withholdShareFrom: 2, answerComplaints: false)
        XCTAssertEqual(t.ref.electionKey!.qualified, [1, 3])
        // A corrupt share: the complaint proves it bad on the board; trustee 2 is out, nothing revealed.
        let u = try await Self.ready(store: MemoryBoardStore(), corruptShareFrom: 2)
        XCTAssertNotNil(u.ref.state.complaints.first?.evidence)
        XCTAssertEqual(u.ref.state.reveals, [])
        XCTAssertEqual(u.ref.electionKey!.qualified, [1, 3])
        for setup in [s, t, u] {
            try await setup.ref.advance(to: .closed)
            let dir = CLI.tempDir()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let report = try await Self.finish(setup, record: dir + "/rec")
            XCTAssertTrue(report.valid, "\(report.failedChecks)")
        }
    }
}

extension ReferendumTests {
    /// The first two qualified trustees post their decryption shares of the tally.
    static func decrypt(_ s: Setup, tally: EncryptedTally<G>) async throws {
        let ek = s.ref.electionKey!
        for t in s.trustees.filter({ ek.qualified.contains($0.index) }).prefix(2) {
            let ks = try t.secretShare(received: s.received[t.index]!, qualified: Set(ek.qualified))
            try await s.ref.post([
                try s.signed(
                    TrusteeDecryption(
                        trustee: t.index,
                        shares: tally.labelled(s.ref.manifest).map {
                            DecryptionShare.make(keyShare: ks, ciphertext: $0.1, label: $0.0, election: ek.electionHash)
                        }))
            ])
        }
    }

    /// From a closed referendum: tally, decryption by trustees 1 and 2, results, record
    /// export and independent verification.
    static func finish(
        _ s: Setup, record: String, inspect: (EncryptedTally<G>) -> Void = { _ in }
    ) async throws -> VerificationReport {
        let tally = try await s.ref.computeTally()
        inspect(tally)
        try await s.ref.advance(to: .tallied)
        try await decrypt(s, tally: tally)
        try await s.ref.advance(to: .decrypted)
        try await s.ref.publishResults()
        try await s.ref.exportRecord(to: record)
        return await RecordVerifier(directory: record).run()
    }
}

/// Every trustee commits to its public key, then reveals it (record.md §3.2).
func commitAndPublish(
    _ ref: Referendum<G>, _ trustees: [Trustee<G>], _ signers: [Curve25519.Signing.PrivateKey]
) async throws {
    let base = ref.baseHash
    for t in trustees {
        let c = TrusteeCommitment(t.publicKey, base: base)
        try await ref.post([try SignedTrusteeMessage(c, key: signers[t.index - 1], base: base)])
    }
    for t in trustees {
        try await ref.post([try SignedTrusteeMessage(t.publicKey, key: signers[t.index - 1], base: base)])
    }
}
