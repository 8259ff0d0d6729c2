import Crypto
import DauysCrypto
import DauysRecord
import DauysReferendum
import DauysServer
import DauysStore
import Foundation
import Logging
import PostgresNIO
import XCTest

/// Several front ends on one PostgreSQL board (docs/deployment.md): appends serialised by the
/// database, views that follow the board, a view that saw entries a fail-over lost, and
/// sessions and sign-in counters every front end shares. Skipped without PostgreSQL.
final class SharedBoardTests: XCTestCase {
    func connect(_ schema: String) async throws -> PostgresBoardStore {
        guard let url = TestStores.postgresURL else { throw XCTSkip("DAUYS_TEST_POSTGRES_URL is not set") }
        return try await PostgresBoardStore.connect(url: url, schema: schema)
    }

    func freshSchema() -> String {
        "sb_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20)
    }

    func testTheStoreKeepsOnlyEntriesThatContinueTheBoard() async throws {
        let store = try await connect(freshSchema())
        defer { Task { await store.close() } }
        let first = BoardEntry.chain(
            [(.genesis, [1]), (.manifest, [2])], start: 0, previous: BoardEntry.zeroHash, time: 1)
        try await store.append(first)
        // Right index, but chained onto another head: what a writer whose view a fail-over
        // made wrong would send.
        let forked = BoardEntry.chain([(.phase, [3])], start: 2, previous: BoardEntry.zeroHash, time: 2)
        await assertThrowsAsync({ try await store.append(forked) }) {
            guard case StoreError.diverged(at: 2) = $0 else { return XCTFail("\($0)") }
        }
        let late = BoardEntry.chain([(.phase, [3])], start: 5, previous: first[1].hash, time: 2)
        await assertThrowsAsync({ try await store.append(late) }) {
            guard case StoreError.conflict(expected: 2, got: 5) = $0 else { return XCTFail("\($0)") }
        }
        let good = BoardEntry.chain([(.phase, [3])], start: 2, previous: first[1].hash, time: 2)
        try await store.append(good)
        let count = try await store.count()
        XCTAssertEqual(count, 3)
        // A second process appends to the same board: no lock is held between appends.
        let other = try await PostgresBoardStore.connect(url: TestStores.postgresURL!, schema: store.schema)
        try await other.append(BoardEntry.chain([(.phase, [4])], start: 3, previous: good[0].hash, time: 3))
        let after = try await store.count()
        XCTAssertEqual(after, 4)
        await other.close()
    }

    func testTwoFrontEndsCastOnOneBoard() async throws {
        let schema = freshSchema()
        let key = Curve25519.Signing.PrivateKey()
        let s = try await ReferendumTests.ready(store: try await connect(schema), boardKey: key, perRegion: 12)
        let a = s.ref
        let b = try await Referendum<G>.open(
            store: try await connect(schema), boardKey: key, clock: .rehearsal(a.manifest.schedule))
        let ctx = a.ballotContext!
        let ballots = try s.credentials.flatMap { $0 }.map {
            try ctx.encrypt(selections: [[1, 0]], credential: $0).bytes
        }
        // Both front ends cast at once, each through its own group commit.
        let results = await withTaskGroup(of: Result<CastReceipt, CastError>.self) { group in
            for (i, bytes) in ballots.enumerated() {
                let front = i.isMultiple(of: 2) ? a : b
                group.addTask { await front.submit(.init(bytes: bytes, region: nil)) }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(
            results.count { (try? $0.get()) != nil }, ballots.count, "\(results.filter { (try? $0.get()) == nil })")
        // A revote through the other front end: the board has both, the last counts.
        let again = try ctx.encrypt(selections: [[0, 1]], credential: s.credentials[0][0], sequence: 2).bytes
        _ = try await b.cast(again)
        // A revote through A right after one through B, before A re-read the board: its number
        // is ahead of A's view, so A re-reads the board and takes it (record.md §5.4).
        let third = try ctx.encrypt(selections: [[1, 0]], credential: s.credentials[0][0], sequence: 3).bytes
        _ = try await a.cast(third)
        let fourth = try ctx.encrypt(selections: [[0, 1]], credential: s.credentials[0][0], sequence: 4).bytes
        let fromB = try await b.cast(fourth)
        let onBoard = try await b.store.count()
        XCTAssertEqual(fromB.entryIndex, onBoard - 1)
        // A number that is ahead of the board itself is refused after the re-read.
        let skip = try ctx.encrypt(selections: [[0, 1]], credential: s.credentials[0][0], sequence: 9).bytes
        await assertThrowsAsync({ _ = try await a.cast(skip) }) {
            XCTAssertEqual($0 as? CastError, .outOfSequence(sequence: 9, next: 5))
        }
        try await a.refresh()
        try await b.refresh()
        XCTAssertEqual(a.state.ballotCount, ballots.count + 3)
        XCTAssertEqual(a.state.head, b.state.head)
        XCTAssertEqual(a.state.countedBallots.count, ballots.count)
        // A third process replays the whole board under the board's rules.
        let c = try await Referendum<G>.open(store: try await connect(schema), boardKey: key)
        XCTAssertEqual(c.state.head, a.state.head)
        XCTAssertEqual(c.state.ballotCount, ballots.count + 3)
        XCTAssertEqual(c.state.nextSequence(credential: s.credentials[0][0].publicKey.bytes), 5)
        // Officials' steps from any front end: closing through B, A sees it.
        try await b.advance(to: .closed)
        try await a.refresh()
        XCTAssertEqual(a.phase, .closed)
    }

    /// After a fail-over the promoted standby may lack entries a front end had read from the
    /// old primary (committed there, never confirmed by the standby, so never acknowledged).
    /// The front end must notice and rebuild its view, not chain onto entries the board lost.
    func testAFrontEndThatSawLostEntriesRebuildsItsView() async throws {
        let schema = freshSchema()
        let key = Curve25519.Signing.PrivateKey()
        let storeA = try await connect(schema)
        let s = try await ReferendumTests.ready(store: storeA, boardKey: key, perRegion: 4)
        let a = s.ref
        let b = try await Referendum<G>.open(
            store: try await connect(schema), boardKey: key, clock: .rehearsal(a.manifest.schedule))
        let ctx = a.ballotContext!
        func ballot(_ r: Int, _ i: Int) throws -> [UInt8] {
            try ctx.encrypt(selections: [[1, 0]], credential: s.credentials[r][i]).bytes
        }
        _ = try await a.cast(try ballot(0, 0))
        let lost = try await a.cast(try ballot(0, 1))
        try await b.refresh()
        XCTAssertEqual(b.state.ballotCount, 2)
        // The fail-over: the last entry never reached the standby.
        try await storeA.client.query(
            PostgresQuery(unsafeSQL: "DELETE FROM \(schema).board WHERE idx >= \(lost.signed.entry)"),
            logger: Logger(label: "test"))
        // B's view is longer than the board: it rebuilds and appends after what is kept.
        let fromB = try await b.cast(try ballot(1, 0))
        XCTAssertEqual(fromB.signed.entry, lost.signed.entry)
        // A's view has as many entries as the board, but not the same: the store refuses the
        // link, A rebuilds and appends after B's ballot.
        let fromA = try await a.cast(try ballot(1, 1))
        XCTAssertEqual(fromA.signed.entry, lost.signed.entry + 1)
        XCTAssertEqual(a.state.ballotCount, 3)
        XCTAssertNil(a.lookup(trackingDigest: lost.signed.trackingDigest), "the lost ballot is not on the board")
        let c = try await Referendum<G>.open(store: try await connect(schema), boardKey: key)
        XCTAssertEqual(c.state.head, a.state.head)
        XCTAssertEqual(c.state.ballotCount, 3)
    }

    func testSessionsAndSignInCountersAreSharedByFrontEnds() async throws {
        let schema = freshSchema()
        let (one, two) = (try await connect(schema), try await connect(schema))
        let key = PostgresVoterSessions.voterKey(boardKey: .init())
        let a = try await PostgresVoterSessions.create(on: one, ttl: 100, perVoter: 2, voterKey: key)
        let b = try await PostgresVoterSessions.create(on: two, ttl: 100, perVoter: 2, voterKey: key)
        let t0 = Date()
        let token = try await a.open(voter: 7, region: 1, credential: [1, 2, 3], now: t0)
        let seen = try await b.session(token: token, now: t0 + 1)
        // Nothing in the table names the voter: the registry's row is kept only as a keyed hash.
        var stored: [UInt8] = []
        for try await (v, ) in try await one.client.query(
            PostgresQuery(unsafeSQL: "SELECT voter FROM \(schema).voter_sessions"), logger: Logger(label: "test")
        ).decode((ByteBuffer,).self) {
            stored = Array(buffer: v)
        }
        XCTAssertEqual(stored.count, 32)
        XCTAssertEqual(seen?.region, 1)
        XCTAssertEqual(seen?.credential, [1, 2, 3])
        let unknown = try await b.session(token: token + "0", now: t0 + 1)
        XCTAssertNil(unknown)
        // Extended through B, live on A past the first expiry.
        let longer = try await b.extend(token: token, now: t0 + 90)
        XCTAssertEqual(longer?.extensions, 1)
        let stillThere = try await a.session(token: token, now: t0 + 150)
        XCTAssertNotNil(stillThere)
        let gone = try await a.session(token: token, now: t0 + 191)
        XCTAssertNil(gone)
        // At most perVoter sessions, whichever front end opened them: the oldest is closed.
        let x = try await a.open(voter: 9, region: 0, credential: nil, now: t0)
        let y = try await b.open(voter: 9, region: 0, credential: nil, now: t0)
        let z = try await a.open(voter: 9, region: 0, credential: nil, now: t0)
        let (sx, sy, sz) = (
            try await b.session(token: x, now: t0), try await b.session(token: y, now: t0),
            try await b.session(token: z, now: t0)
        )
        XCTAssertNil(sx, "the oldest session was closed")
        XCTAssertNotNil(sy)
        XCTAssertNotNil(sz)
        // At most maxExtensions extensions.
        for n in 1...VoterSession.maxExtensions {
            let e = try await a.extend(token: z, now: t0 + Double(n))
            XCTAssertEqual(e?.extensions, n)
        }
        let tooMany = try await b.extend(token: z, now: t0 + 20)
        XCTAssertNil(tooMany)

        // The sign-in rules hold on PostgreSQL counters, and failures counted through one front
        // end lock the client out at the other.
        try await AbuseTests.signInGuardNeverLocksTheVoterOut(try await PostgresSignInCounters.create(on: one))
        var c = ServerConfiguration()
        c.failuresPerClient = 4
        let (ga, gb) = (
            SignInGuard(configuration: c, counters: try await PostgresSignInCounters.create(on: one)),
            SignInGuard(configuration: c, counters: try await PostgresSignInCounters.create(on: two))
        )
        let client = DigestKey(Array("client:spread".utf8))
        for i in 0..<4 { try await (i.isMultiple(of: 2) ? ga : gb).failed(iin: nil, client: client, now: t0) }
        let v = try await ga.check(client: client, now: t0 + 1)
        XCTAssertEqual(v, .clientLocked(seconds: Int(c.clientLockout) - 1))
        await one.close()
        await two.close()
    }
}
