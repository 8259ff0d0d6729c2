import Crypto
import DauysCrypto
import DauysRecord
import DauysReferendum
import DauysVerifier
import Foundation
import Synchronization
import XCTest

/// Issue 9: complaints that prove themselves, acknowledgements, withholding dealers, and a
/// ceremony that ends by rule (record.md §5, protocol.md §7.3).
final class KeyCeremonyTests: XCTestCase {
    /// A board clock the test moves forward.
    final class TestClock: Sendable {
        let now = Mutex<UInt64>(UInt64(Date().timeIntervalSince1970 * 1000))
        func callAsFunction() -> UInt64 { now.withLock { $0 } }
    }

    struct Ceremony {
        let ref: Referendum<G>
        let store: MemoryBoardStore
        let trustees: [Trustee<G>]
        let signers: [Curve25519.Signing.PrivateKey]
        let clock: TestClock
        var base: ElectionHash { ref.baseHash }
        /// `ceremony_closes` of the manifest, in board time.
        let closes: UInt64

        func sign(_ kind: EntryKind, _ message: [UInt8], as i: Int) throws -> SignedTrusteeMessage {
            try SignedTrusteeMessage(kind: kind, message: message, key: signers[i - 1], base: base)
        }
        /// Trustee `i` sends its shares, except to `skip`.
        func deal(_ i: Int, skip: Set<Int> = []) async throws {
            let shares = try trustees[i - 1].shares(for: Array(ref.state.trusteeKeys.values), election: base)
            try await ref.post(
                try shares.filter { !skip.contains($0.to) }.map { try sign(.encryptedShare, $0.payload, as: i) })
        }
        /// Trustee `i` checks its shares: complaints, then its acknowledgement.
        @discardableResult
        func check(_ i: Int) async throws -> ShareCheck<G> {
            let c = ref.state.checkShares(as: trustees[i - 1])
            try await ref.post(try c.messages(key: signers[i - 1], base: base))
            return c
        }
    }

    /// n trustees (quorum k) have committed and published their keys; the ceremony closes in
    /// the future (voting in 2027).
    static func start(n: Int, k: Int) async throws -> Ceremony {
        let signers = (1...n).map { _ in Curve25519.Signing.PrivateKey() }
        var m = Manifest.kazakhstan2026(
            regions: 2, trustees: n, quorum: k, privacyFloor: 1, trusteeKeys: signers.map(\.publicKey),
            ceremonyCloses: "2100-01-10T18:00:00+05:00")
        m.schedule = Schedule(
            votingDay: "2100-01-17", votingOpens: "2100-01-17T07:00:00+05:00", votingCloses: "2100-01-17T20:00:00+05:00"
        )
        let clock = TestClock()
        let store = MemoryBoardStore()
        let ref = try await Referendum<G>.create(
            store: store, manifest: m, boardKey: .init(), clock: .custom { clock() })
        try await ref.advance(to: .keyCeremony)
        let trustees = try (1...n).map {
            try Trustee<G>.generate(index: $0, threshold: ref.threshold, election: ref.baseHash)
        }
        try await commitAndPublish(ref, trustees, signers)
        return Ceremony(
            ref: ref, store: store, trustees: trustees, signers: signers, clock: clock,
            closes: try XCTUnwrap(m.trustees.ceremonyClosesMs))
    }

    /// The election secret is never published and any quorum of the qualified trustees decrypts:
    /// the key shares of `decrypting` open a ciphertext under the published key.
    func assertQuorumDecrypts(
        _ c: Ceremony, _ received: [Int: [Int: Scalar<G>]], decrypting: [Int], file: StaticString = #filePath,
        line: UInt = #line
    ) throws {
        let ek = try XCTUnwrap(c.ref.electionKey)
        let ct = Ciphertext<G>.encrypt(7, nonce: .randomNonZero(), key: FixedBase(ek.publicKey))
        let shares = try decrypting.map { i in
            let t = c.trustees[i - 1]
            let ks = try t.secretShare(
                received: (received[i] ?? [:]).merging(c.ref.state.revealedShares(to: t)) { a, _ in a },
                qualified: Set(ek.qualified))
            XCTAssertEqual(ks.verificationKey, c.ref.state.verificationKey(for: i), file: file, line: line)
            return DecryptionShare.make(keyShare: ks, ciphertext: ct, label: [], election: ek.electionHash)
        }
        let m = try ThresholdDecryption.combine(shares, ciphertext: ct, quorum: c.ref.threshold.quorum)
        XCTAssertEqual(m, .base(Scalar(7)), file: file, line: line)
    }

    /// A dealer that sends no share at all draws a complaint from every other trustee: as many
    /// as the quorum, so it is disqualified at once — it must not answer, and nobody waits for it.
    func testDealerWithholdingAllSharesIsDisqualified() async throws {
        let c = try await Self.start(n: 3, k: 2)
        try await c.deal(1)
        try await c.deal(2)
        var received: [Int: [Int: Scalar<G>]] = [:]
        for i in 1...2 {
            let check = try await c.check(i)
            XCTAssertEqual(check.missing, [3])
            received[i] = check.received
        }
        // Disqualified by two complaints (the quorum), trustee 3 is not waited for.
        XCTAssertTrue(c.ref.state.isDisqualified(3))
        XCTAssertEqual(c.ref.state.ceremonyOutstanding, [])
        // A share sent now comes too late: its recipients have checked.
        await assertThrowsAsync({ try await c.deal(3) }) {
            XCTAssertTrue("\($0)".contains("checked its shares"), "\($0)")
        }
        let ek = try await c.ref.finishKeyCeremony()
        XCTAssertEqual(ek.qualified, [1, 2])
        XCTAssertEqual(c.ref.state.reveals, [], "nothing of any polynomial was revealed")
        try assertQuorumDecrypts(c, received, decrypting: [1, 2])
    }

    /// A dealer that withholds one share and does not answer the complaint, and a trustee that
    /// never checks its shares, hold the key up only until the manifest's `ceremony_closes`;
    /// then the key is fixed without them.
    func testSilentTrusteesAreLeftOutWhenTheCeremonyCloses() async throws {
        let c = try await Self.start(n: 4, k: 2)
        try await c.deal(1)
        try await c.deal(2, skip: [3])
        try await c.deal(3)
        try await c.deal(4)
        var received: [Int: [Int: Scalar<G>]] = [:]
        for i in 1...3 { received[i] = try await c.check(i).received }
        let expected =
            "the key ceremony is not complete and does not close before 2100-01-10T18:00:00+05:00: "
            + "trustee 4 has not checked its shares; trustee 2 has not answered trustee 3's complaint (missing share)"
        await assertThrowsAsync({ try await c.ref.finishKeyCeremony() }) { XCTAssertEqual("\($0)", expected) }
        XCTAssertNil(c.ref.electionKey)
        c.clock.now.withLock { $0 = c.closes }
        let ek = try await c.ref.finishKeyCeremony()
        XCTAssertEqual(ek.qualified, [1, 3])
        try assertQuorumDecrypts(c, received, decrypting: [1, 3])
    }

    /// A dealer that withholds one share answers the complaint by revealing that share; it stays
    /// qualified, the recipient uses the revealed value, and the ceremony ends before its deadline.
    func testDealerWithholdingOneShareAnswersAndStays() async throws {
        let c = try await Self.start(n: 3, k: 2)
        try await c.deal(1)
        try await c.deal(2, skip: [3])
        try await c.deal(3)
        var received: [Int: [Int: Scalar<G>]] = [:]
        for i in 1...3 { received[i] = try await c.check(i).received }
        XCTAssertEqual(c.ref.state.complaints.map { [$0.from, $0.against] }, [[3, 2]])
        try await c.ref.post([try c.sign(.shareReveal, c.trustees[1].reveal(to: 3).payload, as: 2)])
        // Twice is refused, and so is a reveal nobody asked for.
        await assertThrowsAsync({
            try await c.ref.post([try c.sign(.shareReveal, c.trustees[1].reveal(to: 3).payload, as: 2)])
        }) { XCTAssertTrue("\($0)".contains("already answered"), "\($0)") }
        await assertThrowsAsync({
            try await c.ref.post([try c.sign(.shareReveal, c.trustees[1].reveal(to: 1).payload, as: 2)])
        }) { XCTAssertTrue("\($0)".contains("no complaint by trustee 1 against trustee 2"), "\($0)") }
        XCTAssertEqual(c.ref.state.ceremonyOutstanding, [])
        let ek = try await c.ref.finishKeyCeremony()
        XCTAssertEqual(ek.qualified, [1, 2, 3])
        try assertQuorumDecrypts(c, received, decrypting: [2, 3])
        try assertQuorumDecrypts(c, received, decrypting: [1, 3])
    }

    /// A complaint must be true: "missing" while the share is on the board, or "bad" with an
    /// opening that shows a good share, is refused — so no one can make a dealer reveal a share
    /// it sent. Written straight into the store, it fails the verifier's key ceremony check.
    func testUnfoundedComplaintsAreRefusedAndFailTheVerifier() async throws {
        let c = try await Self.start(n: 3, k: 2)
        for i in 1...3 { try await c.deal(i) }
        let good = c.ref.state.share(from: 2, to: 3)!
        let opening = c.trustees[2].opening(of: good, election: c.base)
        let falseBad = ShareComplaint(from: 3, against: 2, evidence: opening)
        let falseMissing = ShareComplaint<G>(from: 3, against: 2)
        for (complaint, why) in [
            (falseBad, "its opening does not verify, or the share opens and matches trustee 2's commitments"),
            (falseMissing, "trustee 2's share to trustee 3 is on the board"),
        ] {
            await assertThrowsAsync({ try await c.ref.post([try c.sign(.complaint, complaint.payload, as: 3)]) }) {
                guard case .refused(let v) = $0 as? ReferendumError else { return XCTFail("not refused: \($0)") }
                XCTAssertEqual(v.check, .keyCeremony)
                XCTAssertTrue(v.message.contains("is unfounded: " + why), v.message)
            }
        }
        XCTAssertEqual(c.ref.state.complaints, [])
        // An acknowledgement must name every other trustee once.
        let partial = ShareAcknowledgement(from: 3, dealers: [1])
        await assertThrowsAsync({ try await c.ref.post([try c.sign(.shareAcknowledgement, partial.payload, as: 3)]) }) {
            XCTAssertTrue("\($0)".contains("must name every other trustee with a published key once"), "\($0)")
        }

        let report = try await verify(
            c, forging: [(.complaint, try c.sign(.complaint, falseBad.payload, as: 3).payload)])
        let ceremony = report.checks.first { $0.name == "key ceremony" }!
        XCTAssertTrue(ceremony.problems.contains { $0.contains("is unfounded") }, "\(ceremony.problems)")
    }

    /// An election key fixed by the board operator before the ceremony is complete and before it
    /// closes (to leave out a trustee that may still answer) fails the verifier.
    func testEarlyElectionKeyFailsTheVerifier() async throws {
        let c = try await Self.start(n: 3, k: 2)
        try await c.deal(1)
        try await c.deal(2, skip: [3])
        try await c.deal(3)
        for i in 1...3 { try await c.check(i) }
        XCTAssertEqual(c.ref.state.ceremonyOutstanding.count, 1)
        let early = try c.ref.state.deriveElectionKey(at: c.closes)
        let report = try await verify(c, forging: [(.electionKey, early.payload)])
        let ceremony = report.checks.first { $0.name == "key ceremony" }!
        XCTAssertTrue(
            ceremony.problems.contains { $0.contains("the key ceremony is not complete and does not close before") },
            "\(ceremony.problems)")
    }

    /// k complaints against one dealer: it must not answer them (k points of its polynomial
    /// would give its secret) and is disqualified; the others fix the key and decrypt.
    func testQuorumOfComplaintsDisqualifiesWithoutReveals() async throws {
        let c = try await Self.start(n: 4, k: 2)
        for i in [1, 2, 4] { try await c.deal(i) }
        try await c.deal(3, skip: [1, 2])
        var received: [Int: [Int: Scalar<G>]] = [:]
        // Trustee 3 never checks its own shares: disqualified anyway, it is not waited for.
        for i in [1, 2, 4] { received[i] = try await c.check(i).received }
        XCTAssertEqual(c.ref.state.complaintsAgainst(3), 2)
        await assertThrowsAsync({
            try await c.ref.post([try c.sign(.shareReveal, c.trustees[2].reveal(to: 1).payload, as: 3)])
        }) { XCTAssertTrue("\($0)".contains("it is disqualified and must not reveal shares"), "\($0)") }
        XCTAssertEqual(c.ref.state.ceremonyOutstanding, [], "a disqualified dealer is not waited for")
        let ek = try await c.ref.finishKeyCeremony()
        XCTAssertEqual(ek.qualified, [1, 2, 4])
        try assertQuorumDecrypts(c, received, decrypting: [2, 4])
    }

    /// Appends `entries` straight into the store after the board's head (as a malicious
    /// operator would), exports the record and verifies it.
    func verify(_ c: Ceremony, forging entries: [(EntryKind, [UInt8])]) async throws -> VerificationReport {
        let head = c.ref.state
        try await c.store.append(BoardEntry.chain(entries, start: head.count, previous: head.head, time: c.clock()))
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let w = try RecordWriter(path: dir + "/board.bin")
        try await c.store.forEach { try w.append($0) }
        try w.close()
        return await RecordVerifier(directory: dir).run()
    }
}

/// Issue 9, "must show": five trustees with quorum three through the command-line tool; trustee
/// 5 publishes its key but sends no share (and may not answer four complaints), trustee 4 is
/// absent at decryption. The ceremony completes without 5, 1–3 decrypt, the record verifies.
final class FiveTrusteeCLITests: XCTestCase {
    func testOneWithholdsOneIsAbsent() throws {
        let w = CLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: w) }
        let manifest = try CLI.manifestSample(
            ["--regions", "2", "--quorum", "3", "--privacy-floor", "1"], trustees: 5, cwd: w)
        try manifest.write(toFile: w + "/m.json", atomically: true, encoding: .utf8)
        try CLI.ok(["init", "--data", "d", "--manifest", "m.json", "--rehearsal"], cwd: w)
        try CLI.ok(["phase", "--data", "d", "key-ceremony"], cwd: w)
        func trustee(_ step: String, _ i: Int, _ more: [String] = []) throws -> String {
            try CLI.ok(["trustee", step, "--data", "d", "--key", "t\(i).json"] + more, cwd: w)
        }
        for i in 1...5 { try trustee("keygen", i) }
        for i in 1...5 { try trustee("publish-key", i) }
        for i in 1...4 { try trustee("send-shares", i) }
        let early = try CLI.run(["trustee", "check-shares", "--data", "d", "--key", "t1.json"], cwd: w)
        XCTAssertNotEqual(early.status, 0)
        XCTAssertTrue(early.stderr.contains("no share yet from trustees 5"), early.stderr)
        for i in 1...4 {
            XCTAssertTrue(
                try trustee("check-shares", i, ["--complain-missing"]).contains("missing shares from trustees 5"))
        }
        _ = try trustee("check-shares", 5)
        // Four complaints reach the quorum: answering would publish f_5 — refused, nothing revealed.
        let answer = try CLI.run(["trustee", "answer", "--data", "d", "--key", "t5.json"], cwd: w)
        XCTAssertNotEqual(answer.status, 0)
        XCTAssertTrue(answer.stderr.contains("it is disqualified"), answer.stderr)
        XCTAssertTrue(try CLI.ok(["ceremony-finish", "--data", "d"], cwd: w).contains("qualified trustees 1, 2, 3, 4"))

        var csv = "iin,full_name,birth_date,region,precinct\n"
        for n in 0..<6 {
            csv += "\(Fixtures.iin(300 + n)),Voter \(n),1885-01-01,\(n < 3 ? "abai" : "akmola"),"
            csv += "\(n < 3 ? "abai.d1.p1" : "akmola.d1.p1")\n"
        }
        try csv.write(toFile: w + "/voters.csv", atomically: true, encoding: .utf8)
        try CLI.ok(["registry", "keygen", "--out", "reg.key"], cwd: w)
        try CLI.ok(["registry", "import", "voters.csv", "--data", "d", "--registry-key", "reg.key"], cwd: w)
        try CLI.issueCredentials(forgetLinks: true, cwd: w)
        try CLI.ok(["phase", "--data", "d", "credentials-published"], cwd: w)
        try CLI.ok(["phase", "--data", "d", "voting-open"], cwd: w)
        let letters = FileManager.default.enumerator(atPath: w + "/ca/letters")!.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".txt") }.sorted()
        for (n, f) in letters.enumerated() {
            let text = try String(contentsOfFile: w + "/ca/letters/" + f, encoding: .utf8)
            let code = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.first {
                $0.count == 29 && $0.split(separator: "-").count == 6
            }!
            try CLI.ok(["vote", "--data", "d", "--credential", code, "--choice", n % 3 == 2 ? "no" : "yes"], cwd: w)
        }
        try CLI.ok(["phase", "--data", "d", "closed"], cwd: w)
        try CLI.ok(["tally", "--data", "d"], cwd: w)
        try CLI.ok(["phase", "--data", "d", "tallied"], cwd: w)
        let out = try CLI.run(["trustee", "decrypt", "--data", "d", "--key", "t5.json"], cwd: w)
        XCTAssertTrue(out.stderr.contains("trustee 5 is not a qualified trustee"), out.stderr)
        for i in 1...3 { try trustee("decrypt", i) }
        try CLI.ok(["phase", "--data", "d", "decrypted"], cwd: w)
        let json = try CLI.ok(["results", "--data", "d", "--publish", "--json"], cwd: w)
        let results = try JSONDecoder().decode(Results.self, from: Data(json.utf8))
        XCTAssertEqual(results.questions[0].totals, [4, 2])
        try CLI.ok(["record", "export", "--data", "d", "rec"], cwd: w)
        let v = try CLI.run(["verify", "rec"], cwd: w)
        XCTAssertEqual(v.status, 0, v.stdout + v.stderr)
        XCTAssertTrue(v.stdout.contains("RECORD VALID"), v.stdout)
    }
}
