import Crypto
import DauysCrypto
import DauysRecord
import DauysReferendum
import DauysStore
import DauysVerifier
import Foundation
import XCTest

/// Auditing while the referendum runs (record.md §9.3): partial verification, verify-diff.
final class AuditingTests: XCTestCase {
    /// A board in voting with `first` ballots, copied out; then `more` ballots, copied again.
    func growingBoard(
        dir: String, key: Curve25519.Signing.PrivateKey, first: Int, more: Int
    ) async throws -> ReferendumTests.Setup {
        let s = try await ReferendumTests.ready(
            store: try SQLiteBoardStore(path: dir + "/board.sqlite", writer: true), boardKey: key,
            perRegion: (first + more) / 2 + 1)
        let ctx = s.ref.ballotContext!
        func cast(_ range: Range<Int>) async throws {
            let ballots = try range.map { i in
                try ctx.encrypt(
                    selections: [[i % 3 == 0 ? 0 : 1, i % 3 == 0 ? 1 : 0]], credential: s.credentials[i % 2][i / 2]
                )
                .bytes
            }
            for r in await s.ref.castBatch(ballots) { _ = try r.get() }
        }
        try await cast(0..<first)
        try await s.ref.exportRecord(to: dir + "/old")
        try await cast(first..<(first + more))
        try await s.ref.exportRecord(to: dir + "/new")
        return s
    }

    func testVerifyDiffChecksOnlyTheNewBallotsAndCatchesARewrite() async throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let key = Curve25519.Signing.PrivateKey()
        _ = try await growingBoard(dir: dir, key: key, first: 60, more: 1_000)

        // A board still in voting is not a complete record, but every rule so far holds.
        let full = await RecordVerifier(directory: dir + "/new").run()
        XCTAssertEqual(full.failedChecks.map(\.name), ["phases", "encrypted tally", "decrypted results"])
        let partial = await RecordVerifier(directory: dir + "/new", options: VerifyOptions(partial: true)).run()
        XCTAssertTrue(partial.valid, "\(partial.failedChecks)")
        XCTAssertEqual(partial.ballots, 1_060)
        XCTAssertEqual(partial.proofsChecked, 1_060)
        XCTAssertEqual(partial.phase, "voting-open")

        // verify-diff: the old copy comes back unchanged, only the 1,000 new ballots' proofs are checked.
        let oldEntries = try RecordRewrite.entries(dir + "/old").count
        let diff = await RecordVerifier(
            directory: dir + "/new", options: VerifyOptions(partial: true, earlierCopy: dir + "/old")
        ).run()
        XCTAssertTrue(diff.valid, "\(diff.failedChecks)")
        XCTAssertEqual(diff.earlierEntries, oldEntries)
        XCTAssertEqual(diff.proofsChecked, 1_000)
        XCTAssertEqual(diff.ballots, 1_060)

        // The operator, who holds the board key, drops an old ballot and re-chains and
        // re-signs everything after it: the record alone is consistent, the diff is not.
        var items = try RecordRewrite.entries(dir + "/new")
        let victim = items.indices.first { items[$0].kind == .ballot }! + 7
        XCTAssertEqual(items[victim].kind, .ballot)
        items.remove(at: victim)
        try RecordRewrite.rechain(items, to: dir + "/rewritten", key: key)
        let alone = await RecordVerifier(directory: dir + "/rewritten", options: VerifyOptions(partial: true)).run()
        XCTAssertTrue(alone.valid, "\(alone.failedChecks)")
        let caught = await RecordVerifier(
            directory: dir + "/rewritten", options: VerifyOptions(partial: true, earlierCopy: dir + "/old")
        ).run()
        XCTAssertEqual(caught.failedChecks.map(\.name), ["checkpoints"])
        XCTAssertTrue(
            caught.failedChecks[0].problems[0].hasPrefix(
                "entry \(victim) (ballot) differs from entry \(victim) (ballot)"),
            "\(caught.failedChecks)")
        XCTAssertTrue(caught.failedChecks[0].problems[0].hasSuffix("the board was rewritten"))

        // Through the CLI: exit 0 and what was checked; exit 1 naming the rewritten entry;
        // a record cut shorter than the earlier copy is refused.
        let ok = try CLI.ok(["verify-diff", dir + "/old", dir + "/new"], cwd: dir)
        XCTAssertTrue(
            ok.contains("Extends the earlier copy: its \(oldEntries) entries unchanged;"), ok)
        XCTAssertTrue(ok.contains("1000 ballot proofs checked"), ok)
        let bad = try CLI.run(["verify-diff", dir + "/old", dir + "/rewritten"], cwd: dir)
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stdout.contains("entry \(victim) (ballot) differs"), bad.stdout)
        let cut = try CLI.run(["verify-diff", dir + "/new", dir + "/old", "--json"], cwd: dir)
        XCTAssertEqual(cut.status, 1)
        XCTAssertTrue(cut.stdout.contains("which the record lacks: the board was cut short or rewritten"), cut.stdout)
        // `verify --partial` through the CLI.
        let p = try CLI.ok(["verify", dir + "/new", "--partial"], cwd: dir)
        XCTAssertTrue(p.contains("RECORD VALID") && p.contains("Phase reached: voting-open"), p)
    }
}
