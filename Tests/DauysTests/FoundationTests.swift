import Crypto
import DauysRecord
import DauysReferendum
import DauysServer
import DauysStore
import DauysVerifier
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOConcurrencyHelpers
import NIOCore
import XCTest

@testable import DauysCrypto

/// Readers never race the writer: `/turnout` and `/status` are polled while ballots are being
/// committed. The test command runs this class under ThreadSanitizer too.
final class ConcurrencyTests: XCTestCase {
    func testReadsWhileBallotsAreCommitted() async throws {
        let s = try await ReferendumTests.ready(store: MemoryBoardStore(), perRegion: 40)
        let service = ReferendumService(
            referendum: s.ref, registry: nil, cipher: nil, officials: OfficialRegistry(entries: []))
        let ctx = s.ref.ballotContext!
        let ballots = try s.credentials.flatMap { $0 }.map {
            try ctx.encrypt(selections: [[1, 0]], credential: $0).bytes
        }
        try await buildApplication(service).test(.router) { client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                // Writers: ballots committed one by one and in batches, from several tasks.
                for part in 0..<4 {
                    group.addTask {
                        let mine = ballots.enumerated().filter { $0.offset % 4 == part }.map(\.element)
                        for b in mine.prefix(10) { _ = try await s.ref.cast(b) }
                        _ = await s.ref.castBatch(Array(mine.dropFirst(10)))
                    }
                }
                // Readers: the public endpoints, all the while.
                for path in ["/api/v1/turnout", "/api/v1/status", "/api/v1/board?from=0&limit=50"] {
                    group.addTask {
                        for _ in 0..<40 {
                            let status = try await client.execute(uri: path, method: .get) { $0.status }
                            XCTAssertEqual(status, .ok)
                        }
                    }
                }
                try await group.waitForAll()
            }
            let turnout = try await client.execute(uri: "/api/v1/turnout", method: .get) { r in
                try JSONSerialization.jsonObject(with: Data(r.body.readableBytesView)) as! [String: Any]
            }
            XCTAssertEqual(turnout["voted"] as? Int, ballots.count)
        }
        XCTAssertEqual(s.ref.state.ballotCount, ballots.count)
    }
}

/// A store that fails on demand: before keeping the entries, or after keeping them (the
/// caller then cannot know that they were kept — a lost acknowledgement from the database).
final class FlakyStore: BoardStore {
    enum Mode { case works, failsBefore, failsAfter }
    let inner = MemoryBoardStore()
    let mode = NIOLockedValueBox(Mode.works)
    func append(_ entries: [BoardEntry]) async throws {
        switch mode.withLockedValue({ $0 }) {
        case .works: try await inner.append(entries)
        case .failsBefore: throw StoreError.unavailable("the disk is full")
        case .failsAfter:
            try await inner.append(entries)
            throw StoreError.unavailable("the connection dropped before the commit was confirmed")
        }
    }
    func count() async throws -> UInt64 { try await inner.count() }
    func entries(from: UInt64, limit: Int) async throws -> [BoardEntry] {
        try await inner.entries(from: from, limit: limit)
    }
    func close() async {}
}

final class StorageFailureTests: XCTestCase {
    /// A cast whose storage fails answers 503 with Retry-After; nothing acknowledged is lost,
    /// a retry succeeds, and the record verifies.
    func testStorageFailureAnswers503AndLosesNothing() async throws {
        let store = FlakyStore()
        let s = try await ReferendumTests.ready(store: store)
        let w = try await ServerTests.voterService(s)
        let ctx = s.ref.ballotContext!
        let a = try ctx.encrypt(selections: [[1, 0]], credential: s.credentials[0][0]).bytes
        let b = try ctx.encrypt(selections: [[0, 1]], credential: s.credentials[0][1]).bytes
        try await buildApplication(w.service).test(.router) { c in
            let tokenA = w.tokens[0], tokenB = w.tokens[1]
            store.mode.withLockedValue { $0 = .failsBefore }
            let r1 = try await c.execute(
                uri: "/api/v1/ballots", method: .post, headers: Self.auth(tokenA), body: Self.ballot(a)
            ) { ($0.status, $0.headers) }
            XCTAssertEqual(r1.0, .serviceUnavailable)
            XCTAssertEqual(r1.1[.retryAfter], "2")
            store.mode.withLockedValue { $0 = .failsAfter }
            let r2 = try await c.execute(
                uri: "/api/v1/ballots", method: .post, headers: Self.auth(tokenB), body: Self.ballot(b)
            ) { $0.status }
            XCTAssertEqual(r2, .serviceUnavailable)
            store.mode.withLockedValue { $0 = .works }
            // Ballot b was kept although its append "failed": the retry finds it on the board.
            let r3 = try await c.execute(
                uri: "/api/v1/ballots", method: .post, headers: Self.auth(tokenB), body: Self.ballot(b)
            ) { r in
                (r.status, try JSONSerialization.jsonObject(with: Data(r.body.readableBytesView)) as! [String: Any])
            }
            XCTAssertEqual(r3.0, .ok)
            XCTAssertEqual(r3.1["duplicate"] as? Bool, true)
            let r4 = try await c.execute(
                uri: "/api/v1/ballots", method: .post, headers: Self.auth(tokenA), body: Self.ballot(a)
            ) { $0.status }
            XCTAssertEqual(r4, .created)
        }
        XCTAssertEqual(s.ref.state.ballotCount, 2)
        // A checkpoint that cannot be stored never fails what was stored: phase changes still work.
        try await s.ref.advance(to: .closed)
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let report = try await ReferendumTests.finish(s, record: dir + "/rec")
        XCTAssertTrue(report.valid, "\(report.failedChecks)")
        XCTAssertEqual(report.countedBallots, 2)
    }

    static func auth(_ token: String) -> HTTPFields {
        [.authorization: "Bearer \(token)", .contentType: "application/json"]
    }
    static func ballot(_ b: [UInt8]) -> ByteBuffer { ByteBuffer(string: #"{"ballot":"\#(Hex.encode(b))"}"#) }
}

/// protocol.md §7.5: when the α of a tally is the neutral element (two ballots with nonces ρ
/// and q − ρ), every decryption share is the neutral element too, is accepted, and the
/// plaintext is β.
final class NeutralTallyTests: XCTestCase {
    /// A yes/no ballot whose only ciphertext uses the nonce `rho`.
    static func ballot(_ ctx: BallotContext<G>, _ credential: KeyPair<G>, yes: Bool, rho: Scalar<G>) throws -> [UInt8] {
        let m = yes ? 1 : 0
        let c = Ciphertext.encrypt(UInt64(m), nonce: rho, key: ctx.key)
        let proof = RangeProof.prove(
            ciphertext: c, value: m, nonce: rho, lo: 0, hi: 1, key: ctx.key,
            statement: BallotContext.statement(credential: credential.publicKey, question: 0, option: 0),
            election: ctx.election,
            randomness: BallotSeed.random().proofRandomness(ctx.election, 0, 0))
        let answers = [EncryptedAnswer(ciphertexts: [c], bitProofs: [proof], sumProof: nil)]
        let unsigned = Ballot<G>.encodeUnsigned(
            election: ctx.election, credential: credential.publicKey, sequence: 1, answers: answers)
        let sig = CredentialSignature.sign(
            message: unsigned, credential: credential, election: ctx.election, entropy: SecureRandom.bytes(32))
        return Ballot(
            election: ctx.election, credential: credential.publicKey, sequence: 1, answers: answers, signature: sig,
            unsigned: unsigned
        ).bytes
    }

    /// Casts each ballot with the session of the same position, expecting 201.
    static func castOverHTTP(_ service: ReferendumService<G>, tokens: [String], ballots: [[UInt8]]) async throws {
        try await buildApplication(service).test(.router) { c in
            for (token, b) in zip(tokens, ballots) {
                let r = try await c.execute(
                    uri: "/api/v1/ballots", method: .post, headers: StorageFailureTests.auth(token),
                    body: StorageFailureTests.ballot(b)
                ) { $0.status }
                XCTAssertEqual(r, .created)
            }
        }
    }

    func testNeutralTallyDecryptsOverHTTPAndVerifies() async throws {
        let s = try await ReferendumTests.ready(store: MemoryBoardStore())
        let w = try await ServerTests.voterService(s)
        let ctx = s.ref.ballotContext!
        let rho = Scalar<G>.randomNonZero()
        let yes = try Self.ballot(ctx, s.credentials[0][0], yes: true, rho: rho)
        let no = try Self.ballot(ctx, s.credentials[0][1], yes: false, rho: -rho)
        try await Self.castOverHTTP(w.service, tokens: w.tokens, ballots: [yes, no])
        try await s.ref.advance(to: .closed)
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let report = try await ReferendumTests.finish(s, record: dir + "/rec") { tally in
            XCTAssertTrue(tally.sums[0][0][0].alpha.isIdentity, "the unit's α must be the neutral element")
        }
        XCTAssertTrue(report.valid, "\(report.failedChecks)")
        XCTAssertEqual(report.results?.units.first?.totals, [[1, 1]])
    }
}

/// Abuse a real deployment meets: proxies, IPv6, IIN lock-out attempts, session floods.
final class AbuseTests: XCTestCase {
    func testClientAddressComesFromTrustedProxiesOnly() {
        XCTAssertEqual(
            ClientAddress("2001:db8:1:2:3:4:5:6")?.bucket, ClientAddress("2001:db8:1:2:ffff::1")?.bucket,
            "one /64, one bucket")
        XCTAssertNotEqual(ClientAddress("2001:db8:1:3::1")?.bucket, ClientAddress("2001:db8:1:2::1")?.bucket)
        XCTAssertEqual(ClientAddress("::ffff:10.0.0.7")?.bucket, [10, 0, 0, 7])
        XCTAssertTrue(IPRange("10.1.0.0/16")!.contains([10, 1, 200, 3]))
        XCTAssertFalse(IPRange("10.1.0.0/16")!.contains([10, 2, 0, 1]))
        XCTAssertNil(IPRange("10.1.0.0/33"))
        XCTAssertThrowsError(try ServerConfiguration(environment: ["DAUYS_TRUSTED_PROXIES": "proxy.example"])) {
            XCTAssertTrue("\($0)".contains("not an IP address"), "\($0)")
        }
    }

    func testSignInGuardNeverLocksTheVoterOut() async throws {
        try await Self.signInGuardNeverLocksTheVoterOut(MemorySignInCounters())
    }

    /// The sign-in rules, on counters kept anywhere (memory, PostgreSQL: SharedBoardTests).
    static func signInGuardNeverLocksTheVoterOut(_ counters: any SignInCounters) async throws {
        var c = ServerConfiguration()
        c.failuresPerClientAndIIN = 5
        c.failuresPerIINBeforeBackoff = 10
        c.backoffStart = 2
        c.backoffMax = 60
        c.failuresPerClient = 1000
        let guardian = SignInGuard(configuration: c, counters: counters)
        let iin = DigestKey(Array("iin".utf8)), attacker = DigestKey(Array("attacker".utf8)),
            voter = DigestKey(Array("voter".utf8))
        let t0 = Date()
        for i in 0..<5 { try await guardian.failed(iin: iin, client: attacker, now: t0 + Double(i)) }
        // The attacker's pair is locked; the voter's own device is not.
        var v = try await guardian.check(iin: iin, client: attacker, now: t0 + 5)
        XCTAssertEqual(v, .pairLocked(seconds: 900 - 1))
        v = try await guardian.check(iin: iin, client: voter, now: t0 + 5)
        XCTAssertEqual(v, .allowed)
        // Many attackers: the IIN is slowed down for everyone, by at most backoffMax.
        for i in 0..<40 { try await guardian.failed(iin: iin, client: DigestKey(Array("bot\(i)".utf8)), now: t0 + 10) }
        guard case .slowedDown(let wait) = try await guardian.check(iin: iin, client: voter, now: t0 + 10) else {
            return XCTFail("not slowed down")
        }
        XCTAssertLessThanOrEqual(wait, 60)
        v = try await guardian.check(iin: iin, client: voter, now: t0 + 71)
        XCTAssertEqual(v, .allowed, "after backoffMax the voter gets through")
        try await guardian.succeeded(iin: iin, client: voter)
        v = try await guardian.check(iin: iin, client: voter, now: t0 + 72)
        XCTAssertEqual(v, .allowed)
        // A client that fails too often is locked out for any IIN; the window ends.
        var strict = c
        strict.failuresPerClient = 3
        let g2 = SignInGuard(configuration: strict, counters: counters)
        let noisy = DigestKey(Array("noisy".utf8))
        for _ in 0..<3 { try await g2.failed(iin: nil, client: noisy, now: t0) }
        v = try await g2.check(client: noisy, now: t0 + 1)
        XCTAssertEqual(v, .clientLocked(seconds: 600 - 1))
        v = try await g2.check(client: noisy, now: t0 + 600)
        XCTAssertEqual(v, .allowed)
    }

    func testSessionsPerVoterAreBounded() {
        let sessions = VoterSessions(ttl: 600, perVoter: 2)
        let a = sessions.open(voter: 7, region: 0, credential: nil),
            b = sessions.open(voter: 7, region: 0, credential: nil),
            c = sessions.open(voter: 7, region: 0, credential: nil)
        XCTAssertNil(sessions.session(token: a), "the oldest session was closed")
        XCTAssertNotNil(sessions.session(token: b))
        XCTAssertNotNil(sessions.session(token: c))
        XCTAssertEqual(sessions.count(voter: 7), 2)
    }
}

extension NeutralTallyTests {
    /// The same through the CLI: ballots cast over HTTP, then tally, decryption by two
    /// trustees with their key files, results, export and verification by `dauys` commands.
    func testNeutralTallyDecryptsThroughTheCLI() async throws {
        let w = CLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: w) }
        let data = DataDirectory(path: w + "/d")
        try FileManager.default.createDirectory(atPath: data.path, withIntermediateDirectories: true)
        let key = try data.createBoardKey()
        let s = try await ReferendumTests.ready(store: try SQLiteBoardStore(path: data.boardPath), boardKey: key)
        let service = try await ServerTests.voterService(s)
        let ctx = s.ref.ballotContext!
        let rho = Scalar<G>.randomNonZero()
        let ballots = [
            try Self.ballot(ctx, s.credentials[0][0], yes: true, rho: rho),
            try Self.ballot(ctx, s.credentials[0][1], yes: false, rho: -rho),
        ]
        try await Self.castOverHTTP(service.service, tokens: service.tokens, ballots: ballots)
        try await s.ref.advance(to: .closed)
        await s.ref.store.close()
        for t in s.trustees.prefix(2) {
            let file: [String: Any] = [
                "index": t.index, "signingKey": Hex.encode(s.signers[t.index - 1].rawRepresentation), "group": G.name,
                "referendum": s.ref.manifest.id, "baseHash": s.ref.baseHash.hex,
                "secrets": Hex.encode(t.secretBytes),
                "received": Dictionary(
                    uniqueKeysWithValues: s.received[t.index]!.map { (String($0.key), $0.value.hex) }),
            ]
            try JSONSerialization.data(withJSONObject: file).write(to: URL(fileURLWithPath: w + "/t\(t.index).json"))
        }
        for step in [
            ["tally"], ["phase", "tallied"], ["trustee", "decrypt", "--key", "t1.json"],
            ["trustee", "decrypt", "--key", "t2.json"], ["phase", "decrypted"], ["results", "--publish"],
        ] {
            try CLI.ok(step + ["--data", "d"], cwd: w)
        }
        try CLI.ok(["record", "export", "--data", "d", "rec"], cwd: w)
        let verified = try CLI.ok(["verify", "rec"], cwd: w)
        XCTAssertTrue(verified.contains("RECORD VALID"), verified)
        let results = try CanonicalJSON.decode(
            Results.self, Array(try Data(contentsOf: URL(fileURLWithPath: w + "/rec/results.json"))))
        XCTAssertEqual(results.units.first { $0.id == "abai" }?.totals, [[1, 1]])
    }
}

extension AbuseTests {
    /// Every error has a JSON body, the router's own 404 and 405 included.
    func testErrorsAreJSONEverywhere() async throws {
        let s = try await ReferendumTests.ready(store: MemoryBoardStore())
        let service = ReferendumService(
            referendum: s.ref, registry: nil, cipher: nil, officials: OfficialRegistry(entries: []))
        try await buildApplication(service).test(.router) { c in
            for (method, path, status, code) in [
                (HTTPRequest.Method.get, "/api/v1/nothing-here", HTTPResponse.Status.notFound, "not_found"),
                (.delete, "/api/v1/ballots", .methodNotAllowed, "method_not_allowed"),
                (.post, "/api/v1/phase", .unauthorized, "no_official"),
            ] {
                let (st, body) = try await c.execute(uri: path, method: method) { r in
                    (r.status, try JSONSerialization.jsonObject(with: Data(r.body.readableBytesView)) as? [String: Any])
                }
                XCTAssertEqual(st, status, path)
                XCTAssertEqual((body?["error"] as? [String: Any])?["code"] as? String, code, path)
            }
        }
    }
}

/// Issue 9, attack 1: complaints (and every trustee message) must come from their sender.
/// Forged in another trustee's name, from trustee 0 or against oneself, they are refused by
/// the board and, written straight into a record, fail the verifier's "key ceremony" check.
final class ForgedTrusteeMessageTests: XCTestCase {
    func testForgedComplaintsAreRefusedByTheBoard() async throws {
        let signers = (1...3).map { _ in Curve25519.Signing.PrivateKey() }
        let m = Manifest.kazakhstan2026(regions: 2, trustees: 3, quorum: 2, trusteeKeys: signers.map(\.publicKey))
        let ref = try await Referendum<G>.create(
            store: MemoryBoardStore(), manifest: m, boardKey: .init(), clock: .rehearsal(m.schedule))
        let base = ref.baseHash
        try await ref.advance(to: .keyCeremony)
        let trustees = try (1...3).map { try Trustee<G>.generate(index: $0, threshold: ref.threshold, election: base) }
        try await commitAndPublish(ref, trustees, signers)
        let before = ref.state.count
        let operatorKey = Curve25519.Signing.PrivateKey()
        let forged: [(SignedTrusteeMessage, String)] = [
            (
                try SignedTrusteeMessage(ShareComplaint<G>(from: 1, against: 2), key: operatorKey, base: base),
                "is not signed by trustee 1"
            ),
            (
                try SignedTrusteeMessage(ShareComplaint<G>(from: 0, against: 2), key: signers[0], base: base),
                "is not signed by trustee 0"
            ),
            (
                try SignedTrusteeMessage(ShareComplaint<G>(from: 1, against: 1), key: signers[0], base: base),
                "both must have published keys, and be different"
            ),
        ]
        for (message, why) in forged {
            await assertThrowsAsync({ try await ref.post([message]) }) {
                guard case .refused(let v) = $0 as? ReferendumError else { return XCTFail("not refused: \($0)") }
                XCTAssertEqual(v.check, .keyCeremony)
                XCTAssertTrue(v.message.contains(why), v.message)
            }
        }
        XCTAssertEqual(ref.state.count, before, "nothing forged reached the board")
        let genuine = try SignedTrusteeMessage(ShareComplaint<G>(from: 1, against: 2), key: signers[0], base: base)
        try await ref.post([genuine])
        await assertThrowsAsync({ try await ref.post([genuine]) }) {
            XCTAssertTrue("\($0)".contains("already complained"), "\($0)")
        }
        // k = 2 complaints against trustee 2: answering both would reveal f_2 and with it f_2(0).
        // The board refuses its answers; it is disqualified and the others go on.
        try await ref.post([
            try SignedTrusteeMessage(ShareComplaint<G>(from: 3, against: 2), key: signers[2], base: base)
        ])
        let dealer = try Trustee<G>.generate(index: 2, threshold: ref.threshold, election: base)
        await assertThrowsAsync({
            try await ref.post([try SignedTrusteeMessage(dealer.reveal(to: 1), key: signers[1], base: base)])
        }) { XCTAssertTrue("\($0)".contains("it is disqualified and must not reveal shares"), "\($0)") }
        // The others deal and check; trustee 2's shares come too late for trustees 1 and 3.
        let pks = Array(ref.state.trusteeKeys.values)
        for t in trustees {
            let shares = try t.shares(for: pks, election: base).filter { t.index != 2 || $0.to == 3 }
            if t.index == 2 {
                await assertThrowsAsync({
                    try await ref.post(try shares.map { try SignedTrusteeMessage($0, key: signers[1], base: base) })
                }) { XCTAssertTrue("\($0)".contains("comes after trustee 3 checked its shares"), "\($0)") }
                continue
            }
            try await ref.post(try shares.map { try SignedTrusteeMessage($0, key: signers[t.index - 1], base: base) })
        }
        for t in trustees {
            try await ref.post(try ref.state.checkShares(as: t).messages(key: signers[t.index - 1], base: base))
        }
        XCTAssertEqual(ref.state.ceremonyOutstanding, [])
        let ek = try await ref.finishKeyCeremony()
        XCTAssertEqual(ek.qualified, [1, 3])
    }
}

extension TamperTests {
    /// A complaint written straight into the record in trustee 1's name, signed by someone else
    /// (the board operator): `dauys verify` fails the key ceremony check, and only it.
    func testForgedComplaintInARecord() throws {
        let failed = try verifyTampered(rechain: true) { items in
            let manifest = try CanonicalJSON.decode(Manifest.self, items[1].payload)
            let base = RecordContext.baseHash(manifestPayload: items[1].payload, group: manifest.group)
            let forged = try SignedTrusteeMessage(
                ShareComplaint<DauysCrypto.P256>(from: 1, against: 2), key: Curve25519.Signing.PrivateKey(), base: base)
            let at = items.firstIndex { $0.kind == .electionKey }!
            items.insert((kind: .complaint, time: items[at].time, payload: forged.payload, hash: []), at: at)
        }
        XCTAssertEqual(failed, ["key ceremony"])
    }
}

/// Issue 9, attack 3 (rushing): keys are committed before any is revealed, and a revealed key
/// must be the committed one.
final class CommitmentTests: XCTestCase {
    func testKeysAreCommittedFirstAndMustMatch() async throws {
        let signers = (1...3).map { _ in Curve25519.Signing.PrivateKey() }
        let m = Manifest.kazakhstan2026(regions: 2, trustees: 3, quorum: 2, trusteeKeys: signers.map(\.publicKey))
        let store = MemoryBoardStore()
        let ref = try await Referendum<G>.create(
            store: store, manifest: m, boardKey: .init(), clock: .rehearsal(m.schedule))
        let base = ref.baseHash
        try await ref.advance(to: .keyCeremony)
        let t = try (1...3).map { try Trustee<G>.generate(index: $0, threshold: ref.threshold, election: base) }
        for i in 0..<2 {
            try await ref.post([
                try SignedTrusteeMessage(TrusteeCommitment(t[i].publicKey, base: base), key: signers[i], base: base)
            ])
        }
        // Trustee 1 saw nothing yet, but tries to reveal another key than it committed to.
        let other = try Trustee<G>.generate(index: 1, threshold: ref.threshold, election: base)
        let mismatch = try SignedTrusteeMessage(other.publicKey, key: signers[0], base: base)
        await assertThrowsAsync({ try await ref.post([mismatch]) }) {
            XCTAssertTrue("\($0)".contains("does not match its commitment"), "\($0)")
        }
        try await ref.post([try SignedTrusteeMessage(t[0].publicKey, key: signers[0], base: base)])
        // Once a key is revealed, a late trustee can no longer commit (it could choose its key
        // after seeing the others').
        let late = try SignedTrusteeMessage(TrusteeCommitment(t[2].publicKey, base: base), key: signers[2], base: base)
        await assertThrowsAsync({ try await ref.post([late]) }) {
            XCTAssertTrue("\($0)".contains("comes after public keys were revealed"), "\($0)")
        }

        // Written straight into the store, trustee 2's key that is not the one it committed to fails
        // the verifier's key ceremony check.
        let other2 = try Trustee<G>.generate(index: 2, threshold: ref.threshold, election: base)
        let mismatch2 = try SignedTrusteeMessage(other2.publicKey, key: signers[1], base: base)
        let head = ref.state
        let forged = BoardEntry.chain(
            [(.trusteeKey, mismatch2.payload)], start: head.count, previous: head.head, time: 1)
        try await store.append(forged)
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let w = try RecordWriter(path: dir + "/board.bin")
        try await store.forEach { try w.append($0) }
        try w.close()
        let report = await RecordVerifier(directory: dir).run()
        let ceremony = report.checks.first { $0.name == "key ceremony" }!
        XCTAssertFalse(ceremony.passed)
        XCTAssertTrue(
            ceremony.problems.contains { $0.contains("does not match its commitment") }, "\(ceremony.problems)")
    }
}

extension ForgedTrusteeMessageTests {
    /// Decryption shares in a qualified trustee's name but signed by someone else are refused
    /// under "decryption shares"; the same shares signed by their trustee are accepted.
    func testForgedDecryptionSharesAreRefused() async throws {
        let s = try await ReferendumTests.ready(store: MemoryBoardStore())
        try await s.ref.advance(to: .closed)
        let tally = try await s.ref.computeTally()
        try await s.ref.advance(to: .tallied)
        let ek = s.ref.electionKey!
        let t = s.trustees[0]
        let ks = try t.secretShare(received: s.received[t.index]!, qualified: Set(ek.qualified))
        let d = TrusteeDecryption(
            trustee: t.index,
            shares: tally.labelled(s.ref.manifest).map {
                DecryptionShare.make(keyShare: ks, ciphertext: $0.1, label: $0.0, election: ek.electionHash)
            })
        let forged = try SignedTrusteeMessage(d, key: Curve25519.Signing.PrivateKey(), base: s.ref.baseHash)
        await assertThrowsAsync({ try await s.ref.post([forged]) }) {
            guard case .refused(let v) = $0 as? ReferendumError else { return XCTFail("not refused: \($0)") }
            XCTAssertEqual(v.check, .decryptionShares)
            XCTAssertTrue(v.message.contains("is not signed by trustee 1"), v.message)
        }
        XCTAssertTrue(s.ref.state.decryptions.isEmpty)
        try await s.ref.post([try s.signed(d)])
        XCTAssertEqual(s.ref.state.decryptions.map(\.trustee), [1])
    }
}
