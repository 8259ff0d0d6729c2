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

        // An entry that claims to be entry 1 is not skipped as if it were the manifest (the last
        // one: nothing after it would break the chain).
        let last = UInt64(try RecordRewrite.entries(dir + "/new").count - 1)
        var reader = try RecordReader(path: dir + "/new/board.bin")
        let odd = try RecordWriter(path: dir + "/odd.bin")
        while let n = reader.next() {
            let e = try n.get()
            try odd.append(
                e.index == last
                    ? BoardEntry(index: 1, time: e.time, kind: e.kind, payload: e.payload, storedHash: e.hash) : e)
        }
        try odd.close()
        try FileManager.default.createDirectory(atPath: dir + "/odd", withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: dir + "/odd.bin", toPath: dir + "/odd/board.bin")
        let oddReport = await RecordVerifier(directory: dir + "/odd", options: VerifyOptions(partial: true)).run()
        XCTAssertTrue(oddReport.failedChecks.map(\.name).contains("hash chain"), "\(oddReport.failedChecks)")

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

extension AuditingTests {
    /// record.md §9.4: only a witness of the manifest cosigns, only a checkpoint on the board,
    /// once; `--witness` requires a cosignature covering the close of voting.
    func testWitnessCosignaturesFollowTheBoardRules() async throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let witness = Curve25519.Signing.PrivateKey(), stranger = Curve25519.Signing.PrivateKey()
        let boardKey = Curve25519.Signing.PrivateKey()
        let s = try await ReferendumTests.ready(
            store: try SQLiteBoardStore(path: dir + "/board.sqlite", writer: true), boardKey: boardKey,
            witnesses: [Hex.encode(witness.publicKey.rawRepresentation)])
        let base = s.ref.baseHash
        let c = s.ref.state.lastCheckpoint!
        let good = try WitnessCosignature(upTo: c.upTo, hash: c.hash, key: witness, base: base)
        let first = try await s.ref.cosign(good)
        let again = try await s.ref.cosign(good)
        XCTAssertEqual([first, again], [true, false], "the same cosignature again adds nothing")
        func refused(_ co: WitnessCosignature, _ message: String, line: UInt = #line) async {
            await assertThrowsAsync({ try await s.ref.cosign(co) }, line: line) {
                XCTAssertTrue("\($0)".contains(message), "\($0)", line: line)
            }
        }
        await refused(
            try WitnessCosignature(upTo: c.upTo, hash: c.hash, key: stranger, base: base),
            "the key is not a witness of the manifest")
        await refused(
            try WitnessCosignature(upTo: c.upTo - 1, hash: c.hash, key: witness, base: base),
            "which no checkpoint on the board certifies so")
        var forged = good.payload
        forged[forged.count - 1] ^= 1
        await refused(try WitnessCosignature(payload: forged), "the witness's signature does not verify")

        // The witness saw the board during voting only: not enough once voting has closed.
        _ = try await s.ref.cast(
            try s.ref.ballotContext!.encrypt(selections: [[1, 0]], credential: s.credentials[0][0]).bytes)
        // The server's timer: a checkpoint certifies the ballot; with nothing new, none.
        let count = s.ref.state.count
        await s.ref.checkpointIfBehind()
        XCTAssertEqual(s.ref.state.lastCheckpoint?.upTo, count - 1)
        await s.ref.checkpointIfBehind()
        XCTAssertEqual(s.ref.state.count, count + 1, "nothing new: no checkpoint")
        try await s.ref.advance(to: .closed)
        try await s.ref.exportRecord(to: dir + "/rec")
        let pins = RecordPins(witnesses: [Array(witness.publicKey.rawRepresentation)])
        let before = await RecordVerifier(directory: dir + "/rec", pins: pins, options: VerifyOptions(partial: true))
            .run()
        XCTAssertEqual(before.failedChecks.map(\.name), ["witnesses"])
        XCTAssertTrue(
            before.failedChecks[0].problems[0].contains("cosigned no checkpoint at or after the close of voting"),
            "\(before.failedChecks)")
        let closing = s.ref.state.lastCheckpoint!
        XCTAssertEqual(closing.upTo, s.ref.state.closedAt)
        try await s.ref.cosign(try WitnessCosignature(upTo: closing.upTo, hash: closing.hash, key: witness, base: base))
        try await s.ref.exportRecord(to: dir + "/rec")
        let after = await RecordVerifier(directory: dir + "/rec", pins: pins, options: VerifyOptions(partial: true))
            .run()
        XCTAssertTrue(after.valid, "\(after.failedChecks)")
        // The operator replays the cosignature straight into the store (re-chained, re-signed).
        var replayed = try RecordRewrite.entries(dir + "/rec")
        let cosignature = replayed.last { $0.kind == .witnessCosignature }!
        replayed.append((.witnessCosignature, replayed.last!.time, cosignature.payload))
        try RecordRewrite.rechain(replayed, to: dir + "/replayed", key: boardKey)
        let replay = await RecordVerifier(directory: dir + "/replayed", options: VerifyOptions(partial: true)).run()
        XCTAssertEqual(replay.failedChecks.map(\.name), ["witnesses"])
        XCTAssertTrue(
            replay.failedChecks[0].problems[0].contains("this witness already cosigned"), "\(replay.failedChecks)")
        // Another key, never a witness, is not in the record.
        let other = await RecordVerifier(
            directory: dir + "/rec", pins: RecordPins(witnesses: [Array(stranger.publicKey.rawRepresentation)]),
            options: VerifyOptions(partial: true)
        ).run()
        XCTAssertEqual(other.failedChecks.map(\.name), ["witnesses"])
    }
}

extension AuditingTests {
    /// record.md §5.6: Benaloh's cast-or-audit. An audited ballot is published with its seed
    /// and choices, re-created by anyone, and never cast.
    func testAnAuditedBallotIsPublishedAndCanNeverBeCast() async throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let key = Curve25519.Signing.PrivateKey()
        let s = try await ReferendumTests.ready(
            store: try SQLiteBoardStore(path: dir + "/board.sqlite", writer: true), boardKey: key)
        let ctx = s.ref.ballotContext!
        let seed = BallotSeed.random()
        let b = try ctx.encrypt(selections: [[1, 0]], credential: s.credentials[0][0], seed: seed)
        let audited = AuditedBallot(ballot: b.bytes, seed: seed, selections: [[1, 0]])
        XCTAssertEqual(try AuditedBallot(payload: audited.payload), audited)
        let (entry, new) = try await s.ref.postAudit(audited)
        let again = try await s.ref.postAudit(audited)
        XCTAssertTrue(new)
        XCTAssertEqual(again.entry, entry)
        XCTAssertFalse(again.new, "the same audit again adds nothing")
        XCTAssertEqual(audited.choices(s.ref.manifest), ["constitution = yes"])

        // The audited ballot itself can never be cast.
        await assertThrowsAsync({ _ = try await s.ref.cast(b.bytes) }) {
            XCTAssertEqual($0 as? CastError, .audited(entry: entry))
            XCTAssertTrue("\($0)".contains("its secrets are public, so it can never be cast"), "\($0)")
        }
        // A device that lies about the choices is caught by the re-encryption.
        let seed2 = BallotSeed.random()
        let b2 = try ctx.encrypt(selections: [[1, 0]], credential: s.credentials[0][1], seed: seed2)
        await assertThrowsAsync({
            _ = try await s.ref.postAudit(AuditedBallot(ballot: b2.bytes, seed: seed2, selections: [[0, 1]]))
        }) { XCTAssertTrue("\($0)".contains("the device did not encrypt what the voter chose"), "\($0)") }
        // A cast ballot's secrets are never revealed on the board.
        let seed3 = BallotSeed.random()
        let b3 = try ctx.encrypt(selections: [[0, 1]], credential: s.credentials[1][0], seed: seed3)
        let cast = try await s.ref.cast(b3.bytes)
        await assertThrowsAsync({
            _ = try await s.ref.postAudit(AuditedBallot(ballot: b3.bytes, seed: seed3, selections: [[0, 1]]))
        }) {
            // It was cast at `cast.entryIndex`: its number is no longer the credential's next.
            XCTAssertGreaterThan(cast.entryIndex, entry)
            XCTAssertTrue(
                "\($0)".contains(
                    "audits a ballot with sequence number 1 where its credential's next is 2: it may have been cast, and a cast ballot's secrets are never revealed"
                ), "\($0)")
        }

        try await s.ref.exportRecord(to: dir + "/rec")
        let partial = await RecordVerifier(directory: dir + "/rec", options: VerifyOptions(partial: true)).run()
        XCTAssertTrue(partial.valid, "\(partial.failedChecks)")
        // An operator who counts the audited ballot anyway (re-chained and re-signed with the
        // board key) fails "ballots"; one who edits the published choices fails "audited ballots".
        let items = try RecordRewrite.entries(dir + "/rec")
        var counted = items
        counted.append((.ballot, items.last!.time, b.bytes))
        try RecordRewrite.rechain(counted, to: dir + "/counted", key: key)
        let r1 = await RecordVerifier(directory: dir + "/counted", options: VerifyOptions(partial: true)).run()
        XCTAssertEqual(r1.failedChecks.map(\.name), ["ballots"])
        XCTAssertTrue(
            r1.failedChecks[0].problems[0].contains("was audited at entry \(entry): an audited ballot is never cast"),
            "\(r1.failedChecks)")
        // Replayed straight into the store: the same audit twice.
        var twice = items
        twice.append((.auditedBallot, items.last!.time, audited.payload))
        try RecordRewrite.rechain(twice, to: dir + "/twice", key: key)
        let r3 = await RecordVerifier(directory: dir + "/twice", options: VerifyOptions(partial: true)).run()
        XCTAssertEqual(r3.failedChecks.map(\.name), ["audited ballots"])
        XCTAssertTrue(
            r3.failedChecks[0].problems[0].contains("audits the ballot already audited at entry \(entry)"),
            "\(r3.failedChecks)")
        // Written straight into the store: the audit of a cast ballot (its voter sold the seed to
        // prove the vote). Its sequence number is no longer the credential's next.
        var revealed = items
        revealed.append(
            (
                .auditedBallot, items.last!.time,
                AuditedBallot(ballot: b3.bytes, seed: seed3, selections: [[0, 1]]).payload
            ))
        try RecordRewrite.rechain(revealed, to: dir + "/revealed", key: key)
        let r4 = await RecordVerifier(directory: dir + "/revealed", options: VerifyOptions(partial: true)).run()
        XCTAssertEqual(r4.failedChecks.map(\.name), ["audited ballots"])
        XCTAssertTrue(
            r4.failedChecks[0].problems[0].contains(
                "audits a ballot with sequence number 1 where its credential's next is 2: it may have been cast"),
            "\(r4.failedChecks)")
        var edited = items
        edited[Int(entry)].payload = AuditedBallot(ballot: b.bytes, seed: seed, selections: [[0, 1]]).payload
        try RecordRewrite.rechain(edited, to: dir + "/edited", key: key)
        let r2 = await RecordVerifier(directory: dir + "/edited", options: VerifyOptions(partial: true)).run()
        XCTAssertEqual(r2.failedChecks.map(\.name), ["audited ballots"])
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

    func testAWitnessCosignsWhatItsMonitorVerified() throws {
        let w = CLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: w) }
        let pub = try CLI.ok(["paper", "new-key", "--role", "witness", "--key", "w.key"], cwd: w)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        try CLI.ok(["loadtest-setup", "--data", "d", "--voters", "8", "--regions", "2", "--witness", pub], cwd: w)
        let (server, url) = try CLI.serve(data: "d", cwd: w)
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        try CLI.ok(
            [
                "load", "--url", url, "--voters-file", "d/test-voters.jsonl", "--voters", "5", "--concurrency", "2",
                "--revote-rate", "0",
            ], cwd: w)
        let out = try CLI.ok(
            ["monitor", "--server", url, "--out", "m", "--once", "--json", "--witness-key", "w.key"], cwd: w)
        XCTAssertTrue(out.contains("no alarm"), out)
        XCTAssertFalse(out.contains(#""cosigned":0"#), out)
        // The copy holds the witness's own cosignatures, read back from the board.
        XCTAssertTrue(try CLI.ok(["verify", "m", "--partial", "--witness", pub], cwd: w).contains("RECORD VALID"))
        let stranger = try CLI.run(
            ["verify", "m", "--partial", "--witness", String(repeating: "cd", count: 32)], cwd: w)
        XCTAssertEqual(stranger.status, 1)
        XCTAssertTrue(stranger.stdout.contains("✗ witnesses"), stranger.stdout)
        // Over HTTP, who may cosign what (record.md §9.4).
        let status = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(string: url + "/api/v1/status")!))
        let base = try ElectionHash(hex: (status as! [String: Any])["base_hash"] as! String)
        let file = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: w + "/w.key")))
        let key = try Curve25519.Signing.PrivateKey(
            rawRepresentation: try Hex.decode((file as! [String: Any])["signingKey"] as! String))
        let pin = try JSONDecoder().decode(
            PinnedCheckpoint.self,
            from: Data(
                contentsOf: URL(
                    fileURLWithPath: w + "/m/checkpoints/"
                        + (try FileManager.default.contentsOfDirectory(atPath: w + "/m/checkpoints")).sorted()[0])))
        let hash = try Hex.decode(pin.hash)
        func post(_ c: WitnessCosignature) throws -> String {
            let o = try CLI.curl(
                [
                    "-X", "POST", url + "/api/v1/witness-cosignatures", "-H", "Content-Type: application/json", "-d",
                    #"{"payload":"\#(Hex.encode(c.payload))"}"#,
                ])
            return o
        }
        XCTAssertTrue(
            try post(try WitnessCosignature(upTo: pin.upTo, hash: hash, key: key, base: base)).hasPrefix("200"))
        let outsider = try WitnessCosignature(upTo: pin.upTo, hash: hash, key: .init(), base: base)
        XCTAssertTrue(try post(outsider).hasPrefix("403 {\"error\":{\"code\":\"not_a_witness\""))
        let elsewhere = try WitnessCosignature(upTo: pin.upTo + 1, hash: hash, key: key, base: base)
        XCTAssertTrue(try post(elsewhere).hasPrefix("409 {\"error\":{\"code\":\"no_checkpoint\""))
        var bytes = elsewhere.payload
        bytes[bytes.count - 1] ^= 1
        XCTAssertTrue(
            try post(try WitnessCosignature(payload: bytes)).hasPrefix("403 {\"error\":{\"code\":\"bad_signature\""))

        // A key file that is not a witness of the manifest is refused before anything is posted.
        try CLI.ok(["paper", "new-key", "--role", "witness", "--key", "x.key"], cwd: w)
        let refused = try CLI.run(
            ["monitor", "--server", url, "--out", "m", "--once", "--witness-key", "x.key"], cwd: w)
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("does not name this key file's key among its witnesses"), refused.stderr)
    }

    func testAVoterAuditsABallotThroughTheServerAndAnyoneChecksIt() throws {
        let w = CLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: w) }
        try CLI.ok(["loadtest-setup", "--data", "d", "--voters", "4", "--regions", "2"], cwd: w)
        let v = try String(contentsOfFile: w + "/d/test-voters.jsonl", encoding: .utf8).split(separator: "\n")
            .map { try JSONDecoder().decode(OneWriterCLITests.TestVoter.self, from: Data($0.utf8)) }[0]
        let (server, url) = try CLI.serve(data: "d", cwd: w)
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        let voter = ["--server", url, "--credential", v.credential, "--iin", v.iin, "--sign-in-code", v.signin_code]
        let out = try CLI.ok(["vote", "--choice", "no", "--audit"] + voter, cwd: w)
        XCTAssertTrue(out.hasPrefix("tracking code "), "the code is shown before the choice: \(out)")
        XCTAssertTrue(out.contains("audited, not cast: the ballot encrypts constitution = no"), out)
        let entry = try XCTUnwrap(out.firstMatch(of: /as entry (\d+)/)?.1).description
        let check = try CLI.ok(["audit-ballot", "--entry", entry, "--server", url], cwd: w)
        XCTAssertTrue(check.hasPrefix("AUDIT PASSED: entry \(entry)"), check)
        XCTAssertTrue(check.contains("encrypts constitution = no"), check)
        // The voter then casts a fresh ballot; its entry is not an audited ballot.
        let cast = try CLI.ok(["vote", "--choice", "yes"] + voter, cwd: w)
        let castEntry = try XCTUnwrap(cast.firstMatch(of: /\(entry (\d+),/)?.1).description
        let wrong = try CLI.run(["audit-ballot", "--entry", castEntry, "--server", url], cwd: w)
        XCTAssertNotEqual(wrong.status, 0)
        XCTAssertTrue(wrong.stderr.contains("is a ballot entry, not an audited ballot"), wrong.stderr)
        // The monitor's copy checks it offline too.
        try CLI.ok(["monitor", "--server", url, "--out", "m", "--once"], cwd: w)
        XCTAssertTrue(
            try CLI.ok(["audit-ballot", "--entry", entry, "--record", "m"], cwd: w).hasPrefix("AUDIT PASSED"))
    }
}
