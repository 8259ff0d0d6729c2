import Crypto
import DauysCrypto
import DauysRecord
import Foundation
import XCTest

/// Every kind of tampering with a record is caught by `dauys verify`, and named.
///
/// "Rechained" tampering models a board operator who rewrites the whole record, recomputes
/// every hash and signs new checkpoints with a new key: only the cryptography of the content
/// can catch it.
final class TamperTests: XCTestCase {
    /// One small simulated referendum, made once for all the tamper tests.
    static let work: String = {
        let w = CLI.tempDir()
        let o = try! CLI.run(
            [
                "simulate", "--voters", "300", "--regions", "3", "--trustees", "3", "--quorum", "2", "--absent", "1",
                "--revote-rate", "0.3", "--seed", "7", "--record", w + "/rec",
            ], cwd: w)
        precondition(o.status == 0, "simulation failed: \(o.stderr)")
        return w
    }()
    static var record: String { work + "/rec" }
    override class func tearDown() { try? FileManager.default.removeItem(atPath: work) }

    func entries() throws -> [BoardEntry] {
        var r = try RecordReader(path: Self.record + "/board.bin")
        var out: [BoardEntry] = []
        while let n = r.next() { out.append(try n.get()) }
        return out
    }

    /// Writes a modified copy and returns the failed check names reported by `dauys verify`.
    func verifyTampered(
        rechain: Bool, file: StaticString = #filePath, line: UInt = #line,
        _ change: (inout [(kind: EntryKind, time: UInt64, payload: [UInt8], hash: [UInt8])]) throws -> Void
    ) throws -> Set<String> {
        var items = try entries().map { (kind: $0.kind, time: $0.time, payload: $0.payload, hash: $0.hash) }
        try change(&items)
        let dir = Self.work + "/t-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        if rechain {
            try RecordRewrite.rechain(items.map { ($0.kind, $0.time, $0.payload) }, to: dir)
        } else {
            let w = try RecordWriter(path: dir + "/board.bin")
            for (i, it) in items.enumerated() {
                try w.append(
                    BoardEntry(index: UInt64(i), time: it.time, kind: it.kind, payload: it.payload, storedHash: it.hash)
                )
            }
            try w.close()
        }
        let o = try CLI.run(["verify", dir, "--json"], cwd: Self.work)
        XCTAssertEqual(o.status, 1, "tampered record must be refused", file: file, line: line)
        let s = try JSONSerialization.jsonObject(with: Data(o.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(s["valid"] as? Bool, false, file: file, line: line)
        return Set((s["failed"] as! [[String: Any]]).map { $0["name"] as! String })
    }

    func ballotPositions(_ items: [(kind: EntryKind, time: UInt64, payload: [UInt8], hash: [UInt8])]) -> [Int] {
        items.indices.filter { items[$0].kind == .ballot }
    }

    func testUntouchedRecordVerifies() throws {
        let o = try CLI.run(["verify", Self.record], cwd: Self.work)
        XCTAssertEqual(o.status, 0, o.stdout)
        XCTAssertTrue(o.stdout.contains("RECORD VALID"))
    }

    func testChangedByteWithoutRechainingBreaksTheChain() throws {
        let failed = try verifyTampered(rechain: false) { items in
            let i = ballotPositions(items)[3]
            items[i].payload[200] ^= 1
        }
        XCTAssertTrue(failed.contains("hash chain"))
    }

    func testRechainedBoardFailsTheOldCheckpoints() throws {
        // Rewriting with the *original* key is impossible without it; re-signing with another key
        // changes the genesis, so keep the genesis and see the checkpoints fail.
        var items = try entries()
        let i = items.firstIndex { $0.kind == .ballot }!
        var p = items[i].payload
        p[120] ^= 1
        items[i] = BoardEntry(
            index: items[i].index, time: items[i].time, kind: .ballot, payload: p, storedHash: items[i].hash)
        let dir = Self.work + "/cp-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let w = try RecordWriter(path: dir + "/board.bin")
        var prev = BoardEntry.zeroHash
        for e in items {
            let n = BoardEntry(index: e.index, time: e.time, kind: e.kind, payload: e.payload, previous: prev)
            try w.append(n)
            prev = n.hash
        }
        try w.close()
        let o = try CLI.run(["verify", dir, "--json"], cwd: Self.work)
        XCTAssertEqual(o.status, 1)
        XCTAssertTrue(o.stdout.contains("\"checkpoints\":false"))
    }

    /// record.md §9.1: an operator re-keys, re-chains and re-signs an unchanged record. Plain
    /// verification cannot tell; an observer who pinned the board key or one checkpoint can.
    func testReKeyedRecordIsCaughtByPinnedKeyAndCheckpoint() throws {
        let items = try entries()
        let genesis = try CanonicalJSON.decode(Genesis.self, items[0].payload)
        let last = try Checkpoint(payload: items.last { $0.kind == .checkpoint }!.payload)
        let pin = PinnedCheckpoint(last, boardKey: try genesis.publicKey())
        try JSONEncoder().encode(pin).write(to: URL(fileURLWithPath: Self.work + "/pin.json"))
        XCTAssertEqual(try CLI.run(["verify", Self.record, "--checkpoint", "pin.json"], cwd: Self.work).status, 0)

        let dir = Self.work + "/rekeyed-" + UUID().uuidString
        try RecordRewrite.rechain(items.map { ($0.kind, $0.time, $0.payload) }, to: dir)
        XCTAssertEqual(try CLI.run(["verify", dir], cwd: Self.work).status, 0, "plain verification cannot tell")
        let byKey = try CLI.run(["verify", dir, "--board-key", genesis.boardKey], cwd: Self.work)
        XCTAssertEqual(byKey.status, 1)
        XCTAssertTrue(byKey.stdout.contains("the board was re-keyed"), byKey.stdout)
        let byCheckpoint = try CLI.run(["verify", dir, "--checkpoint", "pin.json", "--json"], cwd: Self.work)
        XCTAssertEqual(byCheckpoint.status, 1)
        XCTAssertTrue(byCheckpoint.stdout.contains("\"checkpoints\":false"), byCheckpoint.stdout)
        // A record cut short before the pinned entry is caught too.
        let short = Self.work + "/short-" + UUID().uuidString
        try RecordRewrite.rechain(
            items.prefix(Int(last.upTo)).map { ($0.kind, $0.time, $0.payload) }, to: short)
        let cut = try CLI.run(["verify", short, "--checkpoint", "pin.json"], cwd: Self.work)
        XCTAssertTrue(cut.stdout.contains("under a pinned checkpoint, is missing"), cut.stdout)
        // A pin whose signature does not verify is refused before anything is read.
        var forged = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(pin)) as! [String: Any]
        forged["up_to"] = Int(last.upTo) - 1
        try JSONSerialization.data(withJSONObject: forged).write(to: URL(fileURLWithPath: Self.work + "/forged.json"))
        let bad = try CLI.run(["verify", Self.record, "--checkpoint", "forged.json"], cwd: Self.work)
        XCTAssertTrue(bad.stderr.contains("signature does not verify"), bad.stderr)
    }

    func testChangedCiphertext() throws {
        let failed = try verifyTampered(rechain: true) { items in
            let i = ballotPositions(items)[5]
            items[i].payload[1 + 32 + 65 + 2 + 2 + 70] ^= 0x10  // inside β of the ciphertext
        }
        XCTAssertTrue(failed.contains("ballots"), "\(failed)")
    }

    func testChangedProofResponse() throws {
        let failed = try verifyTampered(rechain: true) { items in
            let i = ballotPositions(items)[8]
            let n = items[i].payload.count
            items[i].payload[n - 64 - 97 - 5] ^= 0x01  // last 0/1-proof response
        }
        XCTAssertTrue(failed.contains("ballots"), "\(failed)")
    }

    func testDroppedBallot() throws {
        // The last ballot on the board is always counted (no later ballot can supersede it).
        let failed = try verifyTampered(rechain: true) { items in items.remove(at: ballotPositions(items).last!) }
        XCTAssertTrue(failed.contains("encrypted tally"), "\(failed)")
    }

    func testDuplicatedBallot() throws {
        let failed = try verifyTampered(rechain: true) { items in
            let i = ballotPositions(items)[4]
            items.insert(items[i], at: i + 1)
        }
        XCTAssertTrue(failed.contains("ballots"), "\(failed)")
    }

    /// The attack the sequence numbers stop (record.md §5.4): the board operator casts a voter's
    /// first ballot again after the revote, so that the old choice counts. The copy is signed by
    /// the voter's credential, so only its number, behind the credential's last, gives it away.
    func testReplayedBallotAfterARevote() throws {
        var first: UInt64 = 0, revote: UInt64 = 0, replayAt = 0
        let problems = try verifyTamperedProblems { items in
            let pos = ballotPositions(items)
            var byCred: [[UInt8]: [Int]] = [:]
            for i in pos { byCred[Array(items[i].payload[33..<98]), default: []].append(i) }
            let pair = byCred.values.filter { $0.count == 2 }.min { $0[1] < $1[1] }!
            (first, revote) = (UInt64(pair[0]), UInt64(pair[1]))
            replayAt = pos.last! + 1
            items.insert((.ballot, items[pos.last!].time, items[pair[0]].payload, []), at: replayAt)
        }
        XCTAssertGreaterThan(revote, first)
        XCTAssertEqual(problems.map(\.check), ["ballots"], "\(problems)")
        XCTAssertTrue(
            problems[0].message.contains(
                "ballot at entry \(replayAt) has sequence number 1 where its credential's next is 3 (its ballot at entry \(revote) has 2): a replayed or out-of-order ballot"
            ), "\(problems)")
    }

    /// Like `verifyTampered(rechain: true)`, but the failed checks with their first problem.
    func verifyTamperedProblems(
        _ change: (inout [(kind: EntryKind, time: UInt64, payload: [UInt8], hash: [UInt8])]) throws -> Void
    ) throws -> [(check: String, message: String)] {
        var items = try entries().map { (kind: $0.kind, time: $0.time, payload: $0.payload, hash: $0.hash) }
        try change(&items)
        let dir = Self.work + "/t-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try RecordRewrite.rechain(items.map { ($0.kind, $0.time, $0.payload) }, to: dir)
        let o = try CLI.run(["verify", dir, "--json"], cwd: Self.work)
        XCTAssertEqual(o.status, 1, "tampered record must be refused")
        let s = try JSONSerialization.jsonObject(with: Data(o.stdout.utf8)) as! [String: Any]
        return (s["failed"] as! [[String: Any]]).map {
            ($0["name"] as! String, ($0["problems"] as? [String])?.first ?? "")
        }
    }

    func testReorderedRevotes() throws {
        let failed = try verifyTampered(rechain: true) { items in
            // Two ballots of the same credential: swapping them changes which one counts.
            let pos = ballotPositions(items)
            var byCred: [[UInt8]: [Int]] = [:]
            for i in pos { byCred[Array(items[i].payload[33..<98]), default: []].append(i) }
            let pair = byCred.values.first { $0.count >= 2 }!
            items.swapAt(pair[0], pair[pair.count - 1])
        }
        // The later ballot now comes first: its sequence number is out of order.
        XCTAssertTrue(failed.contains("ballots"), "\(failed)")
        XCTAssertTrue(failed.contains("encrypted tally"), "\(failed)")
    }

    func testSwappedCredential() throws {
        let failed = try verifyTampered(rechain: true) { items in
            // Replace a credential that signed a ballot by a fresh one (a board operator swapping
            // lists: without the credential authority's key the list's signature no longer holds).
            let used = Set(ballotPositions(items).map { Array(items[$0].payload[33..<98]) })
            let i = items.indices.first { j in
                guard items[j].kind == .credentials,
                    let l = try? CredentialList<DauysCrypto.P256>(payload: items[j].payload)
                else { return false }
                return l.credentials.contains { used.contains($0.bytes) }
            }!
            let list = try CredentialList<DauysCrypto.P256>(payload: items[i].payload)
            var creds = list.credentials
            let k = creds.firstIndex { used.contains($0.bytes) }!
            creds[k] = KeyPair<DauysCrypto.P256>.generate().publicKey
            let at = items[i].payload.count - 64 - creds.count * 65 + k * 65
            items[i].payload.replaceSubrange(at..<(at + 65), with: creds[k].bytes)
        }
        XCTAssertTrue(failed.contains("credential lists"), "\(failed)")
    }

    func testChangedDecryptionShare() throws {
        let failed = try verifyTampered(rechain: true) { items in
            let i = items.firstIndex { $0.kind == .decryptionShares }!
            items[i].payload[6 + 65 + 65 + 10] ^= 1  // inside the first proof
        }
        XCTAssertTrue(failed.contains("decryption shares"), "\(failed)")
    }

    func testChangedResult() throws {
        let failed = try verifyTampered(rechain: true) { items in
            let i = items.firstIndex { $0.kind == .results }!
            var r = try CanonicalJSON.decode(Results.self, items[i].payload)
            r.units[0].totals[0][0] += 1
            items[i].payload = r.payload
        }
        XCTAssertTrue(failed.contains("decrypted results"), "\(failed)")
    }

    func testChangedOutcome() throws {
        let failed = try verifyTampered(rechain: true) { items in
            let i = items.firstIndex { $0.kind == .results }!
            var r = try CanonicalJSON.decode(Results.self, items[i].payload)
            r.questions[0].adopted.toggle()
            items[i].payload = r.payload
        }
        XCTAssertEqual(failed, ["decision rules"])
    }

    func testBallotAfterClose() throws {
        let failed = try verifyTampered(rechain: true) { items in
            let closed = items.firstIndex { $0.kind == .phase && $0.payload == Array("closed".utf8) }!
            let b = items.remove(at: ballotPositions(items).last!)
            items.insert(b, at: closed)
        }
        XCTAssertTrue(failed.contains("phases"), "\(failed)")
    }

    /// The case: ballots dated eight months after `voting_closes` (and everything
    /// after them moved along, so only the schedule is wrong), re-chained and re-signed.
    func testBallotsOutsideTheScheduleAreRejected() throws {
        let failed = try verifyTampered(rechain: true) { items in
            let m = try CanonicalJSON.decode(Manifest.self, items[1].payload)
            let late = m.schedule.window!.closes + 240 * 86_400_000
            let from = ballotPositions(items).last!
            for i in from..<items.count { items[i].time = late + items[i].time }
        }
        // The late ballot does not count, so the tally that summed it no longer matches.
        XCTAssertEqual(failed, ["schedule", "encrypted tally"])
    }

    /// An entry dated before the one before it: the board's clock never goes back.
    func testBackDatedEntryIsRejected() throws {
        let failed = try verifyTampered(rechain: true) { items in
            let b = ballotPositions(items)[3]
            items[b].time = items[b - 1].time - 1
        }
        XCTAssertEqual(failed, ["schedule"])
    }

    /// A voting extension the operator writes straight into the store, signed by a key that
    /// is not the manifest's central commission (record.md §5.5): refused under "schedule".
    func testForgedVotingExtensionIsRejected() throws {
        let failed = try verifyTampered(rechain: true) { items in
            let m = try CanonicalJSON.decode(Manifest.self, items[1].payload)
            let base = RecordContext.baseHash(manifestPayload: items[1].payload, group: m.group)
            let x = try VotingExtension(
                scope: m.regions[0].id, closes: m.schedule.window!.closes + 3_600_000, reason: "forged",
                central: .init(), base: base)
            let at = ballotPositions(items)[0]
            items.insert((kind: .votingExtension, time: items[at].time, payload: x.payload, hash: []), at: at)
        }
        XCTAssertEqual(failed, ["schedule"])
    }

    func testChangedManifest() throws {
        let failed = try verifyTampered(rechain: true) { items in
            var m = try CanonicalJSON.decode(Manifest.self, items[1].payload)
            m.regions[0].name.en = "Somewhere else"
            items[1].payload = m.canonicalJSON()
        }
        XCTAssertTrue(failed.contains("key ceremony"), "\(failed)")
    }

    func testTruncatedRecord() throws {
        let dir = Self.work + "/trunc"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let d = try Data(contentsOf: URL(fileURLWithPath: Self.record + "/board.bin"))
        try d.prefix(d.count - 40).write(to: URL(fileURLWithPath: dir + "/board.bin"))
        let o = try CLI.run(["verify", dir, "--json"], cwd: Self.work)
        XCTAssertEqual(o.status, 1)
        XCTAssertTrue(o.stdout.contains("\"record format\":false"))
    }
}

/// The record reader streams (a few MiB at a time, whatever the record's size): entries that
/// straddle its buffer, one larger than the buffer, and a file cut anywhere read as before.
final class RecordReaderTests: XCTestCase {
    func testReadsLargeRecordsAcrossItsBufferAndNamesATruncation() throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/board.bin"
        let w = try RecordWriter(path: path)
        var written: [BoardEntry] = [], previous = [UInt8](repeating: 0, count: 32)
        // 3,000 entries of 3,001 bytes (≈ 9 MB, over two buffers), then one of 9 MB.
        for i in 0..<3_001 {
            let size = i == 3_000 ? 9 << 20 : 3_001
            let e = BoardEntry(
                index: UInt64(i), time: UInt64(i), kind: .ballot,
                payload: [UInt8](repeating: UInt8(i & 0xff), count: size),
                previous: previous)
            try w.append(e)
            written.append(e)
            previous = e.hash
        }
        try w.close()
        var r = try RecordReader(path: path)
        var read: [BoardEntry] = []
        while let n = r.next() { read.append(try n.get()) }
        XCTAssertEqual(read, written)
        XCTAssertTrue(r.isAtEnd)
        XCTAssertEqual(r.bytesRead, r.totalBytes)

        // Cut inside the last entry: every earlier entry, then its truncation at its offset.
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let lastAt = data.count - (21 + (9 << 20) + 32)
        try data.prefix(data.count - 100).write(to: URL(fileURLWithPath: path))
        var cut = try RecordReader(path: path)
        var results: [Result<BoardEntry, RecordError>] = []
        while let n = cut.next() { results.append(n) }
        XCTAssertEqual(results.count, 3_001)
        guard case .failure(let err) = results.last! else { return XCTFail("the cut entry was read") }
        XCTAssertEqual("\(err)", "record format: truncated entry 3000 at byte \(lastAt)")

        try Data("NOT-A-RECORD".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try RecordReader(path: path)) {
            XCTAssertTrue("\($0)".contains("is not a Dauys record (bad header)"), "\($0)")
        }
    }
}
