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

/// The observers' monitor against real servers (record.md §9.3).
final class MonitorTests: XCTestCase {
    func testTheMonitorFollowsTheBoardAndAlarmsOnAFork() throws {
        let w = CLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: w) }
        try CLI.ok(["loadtest-setup", "--data", "d", "--voters", "30", "--regions", "2"], cwd: w)
        // The same board, copied: two servers that will tell two different stories from here on.
        try FileManager.default.copyItem(atPath: w + "/d", toPath: w + "/fork")
        try FileManager.default.copyItem(atPath: w + "/d", toPath: w + "/short")
        let (one, url) = try CLI.serve(data: "d", cwd: w)
        let (two, forkURL) = try CLI.serve(data: "fork", cwd: w)
        defer {
            for s in [one, two] {
                s.terminate()
                s.waitUntilExit()
            }
        }
        func load(_ url: String, _ data: String, voters: Int) throws {
            try CLI.ok(
                [
                    "load", "--url", url, "--voters-file", data + "/test-voters.jsonl", "--voters", "\(voters)",
                    "--concurrency", "4", "--revote-rate", "0",
                ], cwd: w)
        }
        try load(url, "d", voters: 10)
        try load(forkURL, "fork", voters: 30)

        let first = try CLI.ok(["monitor", "--server", url, "--out", "m", "--once", "--json"], cwd: w)
        XCTAssertTrue(first.contains("no alarm") && first.contains("phase voting-open"), first)
        XCTAssertTrue(first.contains(#""verified_ballots":10"#), first)
        XCTAssertTrue(
            try CLI.ok(["verify", "m", "--partial"], cwd: w).contains("RECORD VALID"), "the copy is a valid record")
        let checkpoints = try FileManager.default.contentsOfDirectory(atPath: w + "/m/checkpoints")
        XCTAssertFalse(checkpoints.isEmpty)

        // More ballots: a re-run resumes from its copy and verifies only what is new.
        try load(url, "d", voters: 6)
        let again = try CLI.ok(["monitor", "--server", url, "--out", "m", "--once", "--json"], cwd: w)
        XCTAssertTrue(again.contains(#""verified_ballots":6"#), again)

        // The other server shares the copy's first entries but not the rest: a fork.
        let fork = try CLI.run(["monitor", "--server", forkURL, "--out", "m", "--once"], cwd: w)
        XCTAssertEqual(fork.status, 1, fork.stdout + fork.stderr)
        XCTAssertTrue(fork.stdout.hasPrefix("ALARM: "), fork.stdout)
        XCTAssertTrue(fork.stdout.contains("the board forked or was rewritten"), fork.stdout)
        let evidence = try String(contentsOfFile: w + "/m/alarm.json", encoding: .utf8)
        XCTAssertTrue(evidence.contains(forkURL), evidence)
        // The copy still holds only what was verified from the first board.
        XCTAssertTrue(try CLI.ok(["verify", "m", "--partial"], cwd: w).contains("RECORD VALID"))
        // A board that shows fewer entries than the copy holds was cut short.
        let (three, shortURL) = try CLI.serve(data: "short", cwd: w)
        defer {
            three.terminate()
            three.waitUntilExit()
        }
        let cut = try CLI.run(["monitor", "--server", shortURL, "--out", "m", "--once"], cwd: w)
        XCTAssertEqual(cut.status, 1)
        XCTAssertTrue(
            cut.stdout.contains("this copy holds: it was cut short or rewritten"), cut.stdout)
        // A pinned board key that is not the board's: an alarm before anything is read.
        let rekeyed = try CLI.run(
            ["monitor", "--server", url, "--out", "m", "--once", "--board-key", String(repeating: "ab", count: 32)],
            cwd: w)
        XCTAssertEqual(rekeyed.status, 1)
        XCTAssertTrue(rekeyed.stdout.contains("ALARM: the board's key is not the one you pinned"), rekeyed.stdout)
    }
}
