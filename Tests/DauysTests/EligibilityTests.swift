import Crypto
import DauysCrypto
import DauysRecord
import DauysReferendum
import DauysStore
import DauysVerifier
import Foundation
import XCTest

/// Eligibility anyone can check (record.md §3.3, §5): the registry's signed counts, the
/// credential authority's signed lists, and what the board and the verifier do with forgeries.
final class EligibilityTests: XCTestCase {
    typealias G = DauysCrypto.P256

    func testBoardRefusesListsAndCountsItCannotAttribute() async throws {
        let s = try await ReferendumTests.ready(store: MemoryBoardStore(), publishCredentials: false)
        let ref = s.ref, m = ref.manifest, base = ref.baseHash, e = s.eligibility
        let plan = SimulatedEligibility.byPrecinct(s.credentials.map { $0.map(\.publicKey) }, manifest: m)
        let lists = try e.lists(plan, manifest: m, base: base)
        func refused(_ body: () async throws -> Void, _ message: String, line: UInt = #line) async {
            await assertThrowsAsync(body, line: line) {
                XCTAssertTrue("\($0)".contains(message), "\($0)", line: line)
            }
        }
        await refused({ try await ref.publishCredentials(lists) }, "comes before the registry's count of eligible")
        let forgedCounts = try EligibleCounts(
            counts: m.precinctsInOrder.map {
                .init(precinct: $0.precinct, count: UInt64(plan[$0.precinct]?.count ?? 0))
            },
            registry: e.authority, base: base)
        await refused(
            { try await ref.publishEligibleCounts(forgedCounts) }, "are not signed by the registry's key")
        let partial = try EligibleCounts(
            counts: [.init(precinct: m.precinctsInOrder[0].precinct, count: 1)], registry: e.registry, base: base)
        await refused(
            { try await ref.publishEligibleCounts(partial) }, "must name every precinct of the manifest once, in order")
        let counts = try e.counts(plan, manifest: m, base: base)
        try await ref.publishEligibleCounts(counts)
        let entries = ref.read { $0.count }
        try await ref.publishEligibleCounts(counts)
        XCTAssertEqual(ref.read { $0.count }, entries, "the same counts again: nothing appended")
        var more = plan
        more[lists[0].precinct]!.append(KeyPair<G>.generate().publicKey)
        await refused(
            { try await ref.publishEligibleCounts(try e.counts(more, manifest: m, base: base)) },
            "already published, with other figures")

        // Lists: the authority's key only, the precinct in its region, never above the count.
        let byRegistry = try CredentialList(
            region: lists[0].region, precinct: lists[0].precinct, credentials: lists[0].credentials,
            authority: e.registry, base: base)
        await refused(
            { try await ref.publishCredentials([byRegistry]) }, "is not signed by the credential authority's key")
        let extra = try CredentialList(
            region: lists[0].region, precinct: lists[0].precinct, credentials: more[lists[0].precinct]!,
            authority: e.authority, base: base)
        await refused(
            { try await ref.publishCredentials([extra]) },
            "precinct \(lists[0].precinct) would have \(lists[0].credentials.count + 1) credentials for \(lists[0].credentials.count) eligible voters"
        )
        let elsewhere = try CredentialList(
            region: 1 - lists[0].region, precinct: lists[0].precinct, credentials: lists[0].credentials,
            authority: e.authority, base: base)
        await refused({ try await ref.publishCredentials([elsewhere]) }, "which the manifest does not have")

        // Half the lists: the phase cannot start; the rest after an interruption: nothing twice.
        let one = try await ref.publishCredentials(Array(lists.prefix(1)))
        XCTAssertEqual(one, 1)
        await refused({ try await ref.advance(to: .credentialsPublished) }, "credentials and eligible voters differ")
        let rest = try await ref.publishCredentials(lists)
        XCTAssertEqual(rest, lists.count - 1)
        let again = try await ref.publishCredentials(lists)
        XCTAssertEqual(again, 0)
        let mixed = try CredentialList(
            region: lists[0].region, precinct: lists[0].precinct,
            credentials: [lists[0].credentials[0], KeyPair<G>.generate().publicKey], authority: e.authority,
            base: base)
        await refused({ try await ref.publishCredentials([mixed]) }, "is partly on the board already")
        XCTAssertEqual(ref.state.credentialsPerPrecinct.values.reduce(0, +), 10)
        XCTAssertEqual(ref.state.credentialShortfall, [])
        try await ref.advance(to: .credentialsPublished)
    }

    func testVerifierNamesForgedListsAndCounts() async throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let s = try await ReferendumTests.ready(store: MemoryBoardStore())
        try await s.ref.advance(to: .closed)
        let report = try await ReferendumTests.finish(s, record: dir + "/rec")
        XCTAssertTrue(report.valid, "\(report.failedChecks)")
        let base = s.ref.baseHash, e = s.eligibility
        let items = try RecordRewrite.entries(dir + "/rec")
        let listAt = items.firstIndex { $0.kind == .credentials }!
        let countsAt = items.firstIndex { $0.kind == .eligibleCounts }!
        let list = try CredentialList<G>(payload: items[listAt].payload)
        let counts = try EligibleCounts(payload: items[countsAt].payload)

        func failed(
            _ change: (inout [(kind: EntryKind, time: UInt64, payload: [UInt8])]) throws -> Void
        ) async throws
            -> [String]
        {
            var copy = items
            try change(&copy)
            let out = dir + "/t-" + UUID().uuidString
            try RecordRewrite.rechain(copy, to: out)
            let r = await RecordVerifier(directory: out).run()
            XCTAssertFalse(r.valid)
            return r.failedChecks.map(\.name)
        }
        // One credential more, signed by the authority: above the registry's count.
        let extra = try await failed { items in
            items[listAt].payload =
                try CredentialList(
                    region: list.region, precinct: list.precinct,
                    credentials: list.credentials + [KeyPair<G>.generate().publicKey], authority: e.authority,
                    base: base
                ).payload
        }
        XCTAssertTrue(extra.contains("credential lists"), "\(extra)")
        // The authority's signature missing (replaced by zeros).
        let unsigned = try await failed { items in
            items[listAt].payload.replaceSubrange(
                (items[listAt].payload.count - 64)..., with: [UInt8](repeating: 0, count: 64))
        }
        XCTAssertTrue(unsigned.contains("credential lists"), "\(unsigned)")
        // Counts that differ from the lists, signed by the registry: one voter more somewhere.
        let differ = try await failed { items in
            var c = counts.counts
            c[0] = .init(precinct: c[0].precinct, count: c[0].count + 1)
            items[countsAt].payload = try EligibleCounts(counts: c, registry: e.registry, base: base).payload
        }
        XCTAssertTrue(differ.contains("credential lists"), "\(differ)")
        // Counts signed by the board operator's own key instead of the registry's.
        let operatorCounts = try await failed { items in
            items[countsAt].payload =
                try EligibleCounts(counts: counts.counts, registry: .init(), base: base).payload
        }
        XCTAssertTrue(operatorCounts.contains("credential lists"), "\(operatorCounts)")
    }

    /// The credential authority works in its own directory from the registry's export; every
    /// step re-run after an interruption publishes nothing twice and gives no voter a second
    /// credential; letters exist only for credentials on the board.
    func testIssuanceSplitAcrossAuthoritiesSurvivesReruns() throws {
        let w = CLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: w) }
        try CLI.manifestSample(["--regions", "2"], trustees: 3, cwd: w).write(
            toFile: w + "/m.json", atomically: true, encoding: .utf8)
        try CLI.ok(["init", "--data", "d", "--manifest", "m.json", "--rehearsal"], cwd: w)
        var csv = "iin,full_name,birth_date,region,precinct\n"
        for n in 0..<12 {
            let (r, p) = n < 7 ? ("abai", n % 2 == 0 ? "abai.d1.p1" : "abai.d2.p3") : ("akmola", "akmola.d1.p2")
            csv += "\(Fixtures.iin(500 + n)),Voter \(n),1885-01-01,\(r),\(p)\n"
        }
        try csv.write(toFile: w + "/voters.csv", atomically: true, encoding: .utf8)
        try CLI.ok(["registry", "keygen", "--out", "reg.key"], cwd: w)
        try CLI.ok(["registry", "import", "voters.csv", "--data", "d", "--registry-key", "reg.key"], cwd: w)
        // Out of phase: nothing is published, nothing written.
        let early = try CLI.run(
            [
                "registry", "publish-counts", "--data", "d", "--registry-key", "reg.key", "--signing-key",
                "reg-sign.json",
            ],
            cwd: w)
        XCTAssertTrue(early.stderr.contains("phase"), early.stderr)
        try CLI.ok(["phase", "--data", "d", "key-ceremony"], cwd: w)
        // The wrong key for the role is refused before anything is signed.
        let wrongKey = try CLI.run(
            ["registry", "publish-counts", "--data", "d", "--registry-key", "reg.key", "--signing-key", "ca/ca.json"],
            cwd: w)
        XCTAssertTrue(wrongKey.stderr.contains("is a credential-authority key, not a registry key"), wrongKey.stderr)

        try CLI.ok(
            ["registry", "export", "--data", "d", "--registry-key", "reg.key", "--out", "ca/voters.json"], cwd: w)
        let export = try String(contentsOfFile: w + "/ca/voters.json", encoding: .utf8)
        XCTAssertFalse(export.contains("Voter 0") || export.contains(Fixtures.iin(500)), "no personal data")
        let publishCounts = [
            "registry", "publish-counts", "--data", "d", "--registry-key", "reg.key", "--signing-key", "reg-sign.json",
        ]
        try CLI.ok(publishCounts, cwd: w)
        try CLI.ok(publishCounts, cwd: w)  // a re-run: nothing appended
        try FileManager.default.copyItem(atPath: w + "/m.json", toPath: w + "/ca/manifest.json")
        let issue = [
            "ca", "issue", "--key", "ca.json", "--manifest", "manifest.json", "--voters", "voters.json", "--out", "out",
        ]
        try CLI.ok(issue, cwd: w + "/ca")
        let first = try Data(contentsOf: URL(fileURLWithPath: w + "/ca/out/credentials.json"))
        try CLI.ok(issue, cwd: w + "/ca")
        XCTAssertEqual(
            try Data(contentsOf: URL(fileURLWithPath: w + "/ca/out/credentials.json")), first,
            "a re-run of the authority gives the very same credentials")
        XCTAssertEqual(
            try FileManager.default.attributesOfItem(atPath: w + "/ca/out/links.sealed")[.posixPermissions] as? Int,
            0o600
        )

        // Before the lists are on the board the authority writes no letter.
        try CLI.ok(["record", "export", "--data", "d", "ca/public"], cwd: w)
        let none = try CLI.run(
            [
                "ca", "letters", "--key", "ca.json", "--voters", "voters.json", "--record", "public", "--letters",
                "letters",
            ],
            cwd: w + "/ca")
        XCTAssertEqual(none.status, 3)
        XCTAssertTrue(none.stdout.contains("0 credential letters"), none.stdout)
        XCTAssertTrue(none.stdout.contains("12 credentials not on the board"), none.stdout)

        // Interrupted after the first list: the re-run publishes the rest, nothing twice.
        let lists = try JSONDecoder().decode([String: [String]].self, from: first)["payloads"]!
        XCTAssertEqual(lists.count, 3)
        try JSONEncoder().encode(["payloads": Array(lists.prefix(1))]).write(to: URL(fileURLWithPath: w + "/one.json"))
        XCTAssertTrue(try CLI.ok(["credentials", "publish", "--data", "d", "one.json"], cwd: w).contains("1 of 1"))
        XCTAssertTrue(
            try CLI.ok(["credentials", "publish", "--data", "d", "ca/out/credentials.json"], cwd: w).contains("2 of 3"))
        XCTAssertTrue(
            try CLI.ok(["credentials", "publish", "--data", "d", "ca/out/credentials.json"], cwd: w).contains("0 of 3"))

        try FileManager.default.removeItem(atPath: w + "/ca/public")
        try CLI.ok(["record", "export", "--data", "d", "ca/public"], cwd: w)
        let letters = ["ca", "letters", "--key", "ca.json", "--voters", "voters.json", "--record", "public"]
        XCTAssertTrue(try CLI.ok(letters + ["--letters", "letters"], cwd: w + "/ca").contains("12 credential letters"))
        // The links travel sealed to the registry's key: changed, or opened with another key, they are refused.
        let sealed = try Data(contentsOf: URL(fileURLWithPath: w + "/ca/out/links.sealed"))
        var bad = try JSONSerialization.jsonObject(with: sealed) as! [String: String]
        bad["ciphertext"] = String(bad["ciphertext"]!.dropLast(2)) + (bad["ciphertext"]!.hasSuffix("00") ? "01" : "00")
        try JSONSerialization.data(withJSONObject: bad).write(to: URL(fileURLWithPath: w + "/bad.sealed"))
        let refused = try CLI.run(
            ["registry", "link", "bad.sealed", "--data", "d", "--registry-key", "reg.key", "--letters", "x"], cwd: w)
        XCTAssertTrue(refused.stderr.contains("does not open with this registry's key"), refused.stderr)
        let link = ["registry", "link", "ca/out/links.sealed", "--data", "d", "--registry-key", "reg.key"]
        XCTAssertTrue(try CLI.ok(link + ["--letters", "signin"], cwd: w).contains("12 voters linked"))
        XCTAssertTrue(try CLI.ok(link + ["--letters", "signin"], cwd: w).contains("0 voters linked"))

        // The record: one count entry, every precinct's credentials equal to its voters, each
        // voter's credential exactly once, the same as the authority's links.
        let rec = try RecordRewrite.entries(w + "/ca/public")
        XCTAssertEqual(rec.filter { $0.kind == .eligibleCounts }.count, 1)
        var onBoard: [String] = []
        for e in rec where e.kind == .credentials {
            onBoard += try CredentialList<G>(payload: e.payload).credentials.map(\.hex)
        }
        XCTAssertEqual(onBoard.count, 12)
        XCTAssertEqual(Set(onBoard).count, 12)
        for u in onBoard { XCTAssertNil(sealed.range(of: Data(u.utf8)), "no credential readable in the sealed links") }
        // Letters of both authorities, one per voter, readable by their owner only.
        for d in ["ca/letters", "signin"] {
            let files = FileManager.default.enumerator(atPath: w + "/" + d)!.compactMap { $0 as? String }.filter {
                $0.hasSuffix(".txt")
            }
            XCTAssertEqual(files.count, 12, d)
            let mode = try FileManager.default.attributesOfItem(atPath: w + "/" + d + "/" + files[0])[.posixPermissions]
            XCTAssertEqual(mode as? Int, 0o600)
        }
        let caLetter = try String(contentsOfFile: w + "/ca/letters/abai/abai.d1.p1/voter-1.txt", encoding: .utf8)
        XCTAssertFalse(caLetter.contains("Voter 0"), "the authority never learns names")
    }
}

/// The eligibility known-answer vectors (written by `dauys test-vectors`), re-computed.
final class EligibilityVectorTests: XCTestCase {
    func testVectors() throws {
        typealias G = DauysCrypto.P256
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../DauysCryptoTests/Vectors/eligibility-p256.json")
        let v = try JSONSerialization.jsonObject(with: try Data(contentsOf: url)) as! [String: Any]
        let base = try ElectionHash(hex: v["base_hash"] as! String)
        let caV = v["credential_authority"] as! [String: String], regV = v["registry"] as! [String: String]
        let caKey = try Curve25519.Signing.PrivateKey(rawRepresentation: try Hex.decode(caV["signing_key_seed"]!))
        let regKey = try Curve25519.Signing.PrivateKey(rawRepresentation: try Hex.decode(regV["signing_key_seed"]!))
        XCTAssertEqual(Hex.encode(caKey.publicKey.rawRepresentation), caV["public_key"])
        let ca = try CredentialAuthority(signingKey: caKey, secret: try Hex.decode(caV["secret"]!))
        var creds: [GroupElement<G>] = []
        for c in v["credentials"] as! [[String: Any]] {
            let n = Int64(c["registry_number"] as! Int)
            XCTAssertEqual(ca.code(voter: n, base: base).printed, c["code"] as? String)
            let u = ca.credential(G.self, voter: n, base: base)
            XCTAssertEqual(u.hex, c["public_credential"] as? String)
            XCTAssertEqual(try VoterCredential(typed: c["code"] as! String).keyPair(G.self, base: base).publicKey, u)
            creds.append(u)
        }
        // Messages re-computed; signatures checked (Ed25519 may sign with fresh randomness).
        let lv = v["credential_list"] as! [String: Any]
        let list = try CredentialList(
            region: 0, precinct: "abai.d1.p1", credentials: creds, authority: caKey, base: base)
        XCTAssertEqual(Hex.encode(list.payload.dropLast(64)), lv["message"] as? String)
        let given = try Hex.decode(lv["payload"] as! String)
        XCTAssertEqual(Hex.encode(given.dropLast(64)), lv["message"] as? String)
        XCTAssertEqual(
            try CredentialList<G>(payload: given).credentials,
            creds.sorted { $0.bytes.lexicographicallyPrecedes($1.bytes) })
        let signedList = try Hex.decode(lv["signed_bytes"] as! String)
        XCTAssertTrue(caKey.publicKey.isValidSignature(given.suffix(64), for: signedList))
        var w = ByteWriter()
        w.string("DAUYS-v1")
        w.string("authority-message")
        w.string("credential-authority")
        w.fixed(base.bytes)
        w.u8(EntryKind.credentials.rawValue)
        w.lengthPrefixed(Array(given.dropLast(64)))
        XCTAssertEqual(w.bytes, signedList, "σ_CA covers exactly record.md §3.3's bytes")

        // Paper entries (record.md §3.4): messages re-computed, signatures checked.
        let pv = v["paper"] as! [String: Any]
        let central = try Curve25519.Signing.PrivateKey(
            rawRepresentation: try Hex.decode((pv["central_commission"] as! [String: String])["signing_key_seed"]!))
        let commission = try Curve25519.Signing.PrivateKey(
            rawRepresentation: try Hex.decode((pv["commission"] as! [String: String])["signing_key_seed"]!))
        let reg = try CommissionRegistration(
            scope: "abai.d1", name: "Territorial commission abai.d1", key: commission.publicKey, central: central,
            base: base)
        let rv = pv["commission_key"] as! [String: String]
        XCTAssertEqual(Hex.encode(reg.payload.dropLast(64)), rv["message"])
        let regGiven = try Hex.decode(rv["payload"]!)
        XCTAssertTrue(
            central.publicKey.isValidSignature(regGiven.suffix(64), for: try Hex.decode(rv["signed_bytes"]!)))
        XCTAssertEqual(try CommissionRegistration(payload: regGiven).scope, "abai.d1")
        for (name, kind) in [("precinct_protocol", EntryKind.precinctProtocol), ("turnout_report", .turnoutReport)] {
            let e = pv[name] as! [String: String]
            let given = try Hex.decode(e["payload"]!)
            var w = ByteWriter()
            w.string("DAUYS-v1")
            w.string("authority-message")
            w.string("commission")
            w.fixed(base.bytes)
            w.u8(kind.rawValue)
            w.lengthPrefixed(Array(given.dropLast(64)))
            XCTAssertEqual(Hex.encode(w.bytes), e["signed_bytes"], name)
            XCTAssertTrue(commission.publicKey.isValidSignature(given.suffix(64), for: w.bytes), name)
            XCTAssertEqual(Array(given.prefix(32)), Array(commission.publicKey.rawRepresentation), name)
        }
        let proto = try CommissionSigned<PrecinctProtocol>(
            payload: try Hex.decode(
                (pv["precinct_protocol"] as! [String: String])["payload"]!))
        XCTAssertTrue(proto.isSigned(base: base))
        XCTAssertEqual(proto.document.figures.inBoxes, 715)
        // The voting extension (record.md §5.5): lp(scope) ‖ u64(closes) ‖ lp(reason), central-signed.
        let xv = pv["voting_extension"] as! [String: String]
        var xm = ByteWriter()
        xm.string("abai.d1.p1")
        xm.u64(1_773_590_400_000)
        xm.string("opened an hour late: power cut")
        XCTAssertEqual(Hex.encode(xm.bytes), xv["message"])
        let xGiven = try Hex.decode(xv["payload"]!)
        XCTAssertTrue(central.publicKey.isValidSignature(xGiven.suffix(64), for: try Hex.decode(xv["signed_bytes"]!)))
        XCTAssertEqual(try VotingExtension(payload: xGiven).closes, 1_773_590_400_000)

        // The receipt (record.md §9.2): the entry hash and the signed bytes re-computed.
        let rcv = v["receipt"] as! [String: Any]
        let boardKey = try Curve25519.Signing.PrivateKey(
            rawRepresentation: try Hex.decode(rcv["board_key_seed"] as! String))
        let ballotEntry = BoardEntry(
            index: 12, time: 1_773_543_600_000, kind: .ballot, payload: try Hex.decode(rcv["entry_payload"] as! String),
            previous: try Hex.decode(rcv["entry_previous_hash"] as! String))
        let rj = rcv["receipt"] as! [String: Any]
        XCTAssertEqual(ballotEntry.hashHex, rj["entry_hash"] as? String)
        var m = ByteWriter()
        m.string("DAUYS-v1")
        m.string("receipt")
        m.fixed(base.bytes)
        m.u64(12)
        m.fixed(ballotEntry.hash)
        m.fixed(TrackingCode(ballotBytes: ballotEntry.payload).digest)
        m.u64(1_773_543_600_000)
        XCTAssertEqual(Hex.encode(m.bytes), rcv["signed_bytes"] as? String)
        let givenReceipt = try JSONDecoder().decode(
            BallotReceipt.self, from: try JSONSerialization.data(withJSONObject: rj))
        XCTAssertEqual(givenReceipt.boardKey, Hex.encode(boardKey.publicKey.rawRepresentation))
        XCTAssertNotNil(givenReceipt.verified())
        XCTAssertTrue(boardKey.publicKey.isValidSignature(try Hex.decode(givenReceipt.signature), for: m.bytes))

        // The witness's cosignature (record.md §9.4): W ‖ u64(up_to) ‖ hash, authority "witness".
        let av = v["auditing"] as! [String: Any]
        let wv = av["witness_cosignature"] as! [String: String]
        let witness = try Curve25519.Signing.PrivateKey(
            rawRepresentation: try Hex.decode((av["witness"] as! [String: String])["signing_key_seed"]!))
        var wm = ByteWriter()
        wm.fixed(witness.publicKey.rawRepresentation)
        wm.u64(12)
        wm.fixed(ballotEntry.hash)
        XCTAssertEqual(Hex.encode(wm.bytes), wv["message"])
        var ws = ByteWriter()
        ws.string("DAUYS-v1")
        ws.string("authority-message")
        ws.string("witness")
        ws.fixed(base.bytes)
        ws.u8(23)
        ws.lengthPrefixed(wm.bytes)
        XCTAssertEqual(Hex.encode(ws.bytes), wv["signed_bytes"])
        let wGiven = try Hex.decode(wv["payload"]!)
        XCTAssertTrue(witness.publicKey.isValidSignature(wGiven.suffix(64), for: ws.bytes))
        XCTAssertTrue(try WitnessCosignature(payload: wGiven).isSigned(base: base))
        // The audited ballot (record.md §5.6): the payload re-encoded, and the audit re-computed.
        let abv = av["audited_ballot"] as! [String: Any]
        let ballot = try Hex.decode(abv["ballot"] as! String)
        let seed = try BallotSeed(bytes: try Hex.decode(abv["seed"] as! String))
        var ab = ByteWriter()
        ab.lengthPrefixed(ballot)
        ab.fixed(seed.bytes)
        ab.u16(1)
        ab.u16(2)
        ab.u8(0)
        ab.u8(1)
        XCTAssertEqual(Hex.encode(ab.bytes), abv["payload"] as? String)
        let ek = try GroupElement<DauysCrypto.P256>(hex: abv["election_key"] as! String)
        let actx = BallotContext(election: base, publicKey: ek, shape: .referendum)
        XCTAssertNoThrow(try AuditedBallot(payload: ab.bytes).check(actx))
        XCTAssertThrowsError(try AuditedBallot(ballot: ballot, seed: seed, selections: [[1, 0]]).check(actx))

        let cv = v["eligible_counts"] as! [String: String]
        let counts = try EligibleCounts(
            counts: [.init(precinct: "abai.d1.p1", count: 3), .init(precinct: "abai.d1.p2", count: 0)],
            registry: regKey, base: base)
        XCTAssertEqual(Hex.encode(counts.payload.dropLast(64)), cv["message"])
        let givenCounts = try Hex.decode(cv["payload"]!)
        XCTAssertEqual(try EligibleCounts(payload: givenCounts).counts, counts.counts)
        var r = ByteWriter()
        r.string("DAUYS-v1")
        r.string("authority-message")
        r.string("registry")
        r.fixed(base.bytes)
        r.u8(EntryKind.eligibleCounts.rawValue)
        r.lengthPrefixed(Array(givenCounts.dropLast(64)))
        XCTAssertEqual(Hex.encode(r.bytes), cv["signed_bytes"])
        XCTAssertTrue(regKey.publicKey.isValidSignature(givenCounts.suffix(64), for: r.bytes))
    }
}
