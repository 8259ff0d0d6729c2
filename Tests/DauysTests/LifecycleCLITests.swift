import Crypto
import DauysRecord
import Foundation
import XCTest

/// The whole referendum through the command-line tool: setup, key ceremony, registry and
/// credentials, voting with revotes and an audit, an absent trustee, tally, decryption,
/// results, record export and independent verification.
final class LifecycleCLITests: XCTestCase {
    func testFullLifecycleWithAbsentTrusteeAndRevotes() throws {
        let w = CLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: w) }
        let manifest = try CLI.manifestSample(
            ["--regions", "2", "--quorum", "2", "--privacy-floor", "1"], trustees: 3, cwd: w)
        try manifest.write(toFile: w + "/m.json", atomically: true, encoding: .utf8)
        try CLI.ok(["init", "--data", "d", "--manifest", "m.json", "--rehearsal"], cwd: w)

        // Out of phase: no ballot, no tally before their phases.
        XCTAssertNotEqual(try CLI.run(["tally", "--data", "d"], cwd: w).status, 0)
        try CLI.ok(["phase", "--data", "d", "key-ceremony"], cwd: w)
        XCTAssertTrue(try CLI.run(["phase", "--data", "d", "voting-open"], cwd: w).stderr.contains("cannot move"))

        for i in 1...3 { try CLI.ok(["trustee", "keygen", "--data", "d", "--key", "t\(i).json"], cwd: w) }
        for i in 1...3 { try CLI.ok(["trustee", "publish-key", "--data", "d", "--key", "t\(i).json"], cwd: w) }
        let again = try CLI.run(["trustee", "keygen", "--data", "d", "--key", "t1.json"], cwd: w)
        XCTAssertTrue(
            again.stderr.contains("already holds ceremony secrets"), "secrets are never overwritten: \(again.stderr)")
        for i in 1...3 { try CLI.ok(["trustee", "send-shares", "--data", "d", "--key", "t\(i).json"], cwd: w) }
        for i in 1...3 { try CLI.ok(["trustee", "check-shares", "--data", "d", "--key", "t\(i).json"], cwd: w) }
        XCTAssertTrue(try CLI.ok(["ceremony-finish", "--data", "d"], cwd: w).contains("qualified trustees 1, 2, 3"))

        var csv = "iin,full_name,birth_date,region,precinct\n"
        for n in 0..<8 {
            csv +=
                "\(Fixtures.iin(100 + n)),\"Тестов, Voter \(n)\",1885-01-01,\(n < 4 ? "abai" : "akmola"),\(n < 4 ? "abai.d1.p1" : "akmola.d2.p3")\n"
        }
        try csv.write(toFile: w + "/voters.csv", atomically: true, encoding: .utf8)
        try CLI.ok(["registry", "keygen", "--out", "reg.key"], cwd: w)
        try CLI.ok(["registry", "import", "voters.csv", "--data", "d", "--registry-key", "reg.key"], cwd: w)
        try CLI.issueCredentials(cwd: w)
        try CLI.ok(["phase", "--data", "d", "credentials-published"], cwd: w)
        try CLI.ok(["phase", "--data", "d", "voting-open"], cwd: w)

        // Credential codes from the letters.
        let files = FileManager.default.enumerator(atPath: w + "/ca/letters")!.compactMap { $0 as? String }.filter {
            $0.hasSuffix(".txt")
        }.sorted()
        XCTAssertEqual(files.count, 8)
        func code(_ f: String) throws -> (String, String) {
            let t = try String(contentsOfFile: w + "/ca/letters/" + f, encoding: .utf8)
            let c = t.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.first {
                $0.count == 29 && $0.split(separator: "-").count == 6
            }!
            return (c, f.hasPrefix("abai") ? "abai" : "akmola")
        }
        // abai: yes, yes, no + revote (no → yes); akmola: no, no, yes; one abstains in each.
        let plan: [(Int, [String])] = [
            (0, ["yes"]), (1, ["yes"]), (2, ["no", "yes"]), (4, ["no"]), (5, ["no"]), (6, ["yes"]),
        ]
        for (i, choices) in plan {
            let (c, _) = try code(files[i])
            for ch in choices {
                XCTAssertTrue(
                    try CLI.ok(
                        ["vote", "--data", "d", "--credential", c, "--choice", ch, "--receipt", "r\(i).json"], cwd: w
                    ).contains("tracking code"))
            }
        }
        let (c0, _) = try code(files[0])
        // Voter 0 audits a ballot instead of casting it: published with its seed, never counted.
        let audit = try CLI.ok(["vote", "--data", "d", "--credential", c0, "--choice", "no", "--audit"], cwd: w)
        XCTAssertTrue(audit.contains("audited, not cast: the ballot encrypts constitution = no"), audit)
        let bad = try CLI.run(
            ["vote", "--data", "d", "--credential", "0000-0000-0000-0000-0000-0000", "--choice", "yes"], cwd: w)
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("not on the published lists"))

        // The territorial commissions make their keys; the central commission registers them.
        for region in ["abai", "akmola"] {
            let pub = try CLI.ok(["paper", "new-key", "--key", "\(region).key"], cwd: w)
            try CLI.ok(
                [
                    "paper", "register", "--data", "d", "--signing-key", "cec.json", "--scope", region, "--name",
                    "TEC \(region)", "--commission-key", pub.trimmingCharacters(in: .whitespacesAndNewlines),
                ], cwd: w)
            var csv = PaperTests.header + "\n"
            for d in 1...2 {
                for p in 1...3 { csv += "\(region).d\(d).p\(p),1000,900,700,20,25,180,715,400,300,10,5\n" }
            }
            try csv.write(toFile: w + "/\(region).csv", atomically: true, encoding: .utf8)
        }
        try CLI.ok(["phase", "--data", "d", "closed"], cwd: w)
        XCTAssertNotEqual(
            try CLI.run(["vote", "--data", "d", "--credential", c0, "--choice", "yes"], cwd: w).status, 0,
            "voting is closed")
        // Voter 0 (abai, yes) also voted on paper: the registry revokes the e-vote, signed, per
        // precinct; a re-run publishes nothing; then the links are destroyed.
        try "iin\n\(Fixtures.iin(100))\n".write(toFile: w + "/paper.csv", atomically: true, encoding: .utf8)
        try CLI.ok(["registry", "mark-paper", "paper.csv", "--data", "d", "--registry-key", "reg.key"], cwd: w)
        let revoke = ["credentials", "revoke-paper-voters", "--data", "d", "--signing-key", "reg-sign.json"]
        // No revocation without evidence: abai.d1.p1's signed protocol must be on the board first.
        let early = try CLI.run(revoke, cwd: w)
        XCTAssertTrue(early.stderr.contains("before its protocol is on the board"), early.stderr)
        try CLI.ok(["paper", "import", "--data", "d", "--key", "abai.key", "abai.csv"], cwd: w)
        XCTAssertTrue(try CLI.ok(revoke, cwd: w).contains("1 credentials revoked in 1 precincts"))
        XCTAssertTrue(try CLI.ok(revoke, cwd: w).contains("0 credentials revoked in 0 precincts"))
        XCTAssertTrue(try CLI.ok(["credentials", "forget-links", "--data", "d"], cwd: w).contains("8 links destroyed"))
        try CLI.ok(["tally", "--data", "d"], cwd: w)
        try CLI.ok(["phase", "--data", "d", "tallied"], cwd: w)
        // Trustee 2 is absent: 1 and 3 form the quorum.
        try CLI.ok(["trustee", "decrypt", "--data", "d", "--key", "t1.json"], cwd: w)
        XCTAssertTrue(
            try CLI.run(["phase", "--data", "d", "decrypted"], cwd: w).stderr.contains(
                "decryption shares from 1 trustees"))
        try CLI.ok(["trustee", "decrypt", "--data", "d", "--key", "t3.json"], cwd: w)
        try CLI.ok(["phase", "--data", "d", "decrypted"], cwd: w)
        let json = try CLI.ok(["results", "--data", "d", "--publish", "--json"], cwd: w)
        let results = try JSONDecoder().decode(Results.self, from: Data(json.utf8))
        XCTAssertEqual(results.questions[0].totals, [3, 2])
        XCTAssertEqual(results.regions.map(\.participants), [2, 3])
        XCTAssertEqual(results.regions.map { $0.totals[0] }, [[2, 0], [1, 2]])
        XCTAssertEqual(results.questions[0].regionsWithMajority, 1)
        XCTAssertFalse(results.questions[0].adopted, "1 of 2 regions is less than two thirds")

        // The official result: certified only when every precinct reported, by the central commission.
        let certify = ["paper", "certify", "--data", "d", "--signing-key", "cec.json", "--json"]
        XCTAssertTrue(try CLI.run(certify, cwd: w).stderr.contains("6 of 12 precincts reported"))
        try CLI.ok(["paper", "import", "--data", "d", "--key", "akmola.key", "akmola.csv"], cwd: w)
        let official = try JSONSerialization.jsonObject(with: Data(try CLI.ok(certify, cwd: w).utf8)) as! [String: Any]
        XCTAssertEqual(official["participants"] as? Int, 12 * 715 + 5)
        XCTAssertEqual(official["yes"] as? Int, 12 * 400 + 3)
        let after =
            try JSONSerialization.jsonObject(
                with: Data(try CLI.ok(["results", "--data", "d", "--json"], cwd: w).utf8)) as! [String: Any]
        XCTAssertEqual(after["provisional"] as? Bool, false)
        XCTAssertTrue((after["status_text"] as? String ?? "").hasPrefix("final: certified"), "\(after)")
        XCTAssertTrue(try CLI.ok(certify, cwd: w).contains("\"participants\""), "certifying again changes nothing")

        try CLI.ok(["record", "export", "--data", "d", "rec"], cwd: w)
        XCTAssertTrue(FileManager.default.fileExists(atPath: w + "/rec/official-results.json"))
        let v = try CLI.run(["verify", "rec", "--json"], cwd: w)
        XCTAssertEqual(v.status, 0, v.stdout + v.stderr)
        let summary = try JSONSerialization.jsonObject(with: Data(v.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(summary["valid"] as? Bool, true)
        XCTAssertEqual(summary["official_result_published"] as? Bool, true)
        XCTAssertEqual(summary["precincts_reported"] as? Int, 12)
        XCTAssertEqual(summary["ballots"] as? Int, 7)
        XCTAssertEqual(summary["counted_ballots"] as? Int, 5)

        // Voter 1's signed receipt proves the ballot is in the record …
        XCTAssertTrue(try CLI.ok(["receipt", "check", "r1.json", "--record", "rec"], cwd: w).contains("INCLUDED"))
        // … and proves it when the operator, who holds the board key, drops it and re-signs
        // the rest, or cuts the record short, or re-keys the board.
        let receipt = try JSONDecoder().decode(
            BallotReceipt.self, from: Data(contentsOf: URL(fileURLWithPath: w + "/r1.json")))
        let boardKey = try Curve25519.Signing.PrivateKey(
            rawRepresentation: Data(contentsOf: URL(fileURLWithPath: w + "/d/board.key")))
        var items = try RecordRewrite.entries(w + "/rec")
        items.remove(at: Int(receipt.entry))
        try RecordRewrite.rechain(items, to: w + "/dropped", key: boardKey)
        try RecordRewrite.rechain(
            Array(try RecordRewrite.entries(w + "/rec").prefix(Int(receipt.entry))), to: w + "/short", key: boardKey)
        try RecordRewrite.rechain(try RecordRewrite.entries(w + "/rec"), to: w + "/rekeyed")
        for (copy, proof) in [
            ("dropped", "REWRITTEN: entry \(receipt.entry): its hash is"), ("short", "OMITTED: the board signed"),
            ("rekeyed", "(re-keyed)"),
        ] {
            let o = try CLI.run(["receipt", "check", "r1.json", "--record", copy], cwd: w)
            XCTAssertEqual(o.status, 1, copy)
            XCTAssertTrue(o.stdout.contains(proof), "\(copy): \(o.stdout)")
        }
        // A receipt someone edited proves nothing.
        var forged = try String(contentsOfFile: w + "/r1.json", encoding: .utf8)
        forged = forged.replacingOccurrences(of: "\"entry\" : \(receipt.entry)", with: "\"entry\" : 3")
        try forged.write(toFile: w + "/forged.json", atomically: true, encoding: .utf8)
        let f = try CLI.run(["receipt", "check", "forged.json", "--record", "rec"], cwd: w)
        XCTAssertNotEqual(f.status, 0)
        XCTAssertTrue(f.stderr.contains("its signature does not verify"), f.stderr)

        // An observer's monitor follows the published board to its end: every rule, every
        // proof, the tally's sums and the results, then exit 0; its copy is the record.
        let (server, url) = try CLI.serve(data: "d", cwd: w)
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        let watched = try CLI.ok(["monitor", "--server", url, "--out", "m", "--json"], cwd: w)
        XCTAssertTrue(watched.contains("phase published, no alarm"), watched)
        XCTAssertTrue(watched.contains(#""verified_ballots":7"#), watched)
        XCTAssertEqual(
            try Data(contentsOf: URL(fileURLWithPath: w + "/m/board.bin")),
            try Data(contentsOf: URL(fileURLWithPath: w + "/rec/board.bin")))

        // Nothing personal in the public record.
        let board = try Data(contentsOf: URL(fileURLWithPath: w + "/rec/board.bin"))
        for n in 0..<8 {
            XCTAssertNil(board.range(of: Data(Fixtures.iin(100 + n).utf8)))
            XCTAssertNil(board.range(of: Data("Voter \(n)".utf8)))
        }
    }
}

/// One writer per board: while `dauys serve` holds a data directory, the CLI refuses to write
/// to its files and says to go through the server; with `--server` the same step succeeds and
/// the server keeps accepting ballots.
final class OneWriterCLITests: XCTestCase {
    struct TestVoter: Decodable {
        let iin: String
        let signin_code: String
        let credential: String
    }

    /// A board in voting from `loadtest-setup` (two regions) in a fresh directory, with its test voters.
    private func votingBoard(voters n: Int) throws -> (dir: String, voters: [TestVoter]) {
        let w = CLI.tempDir()
        try CLI.ok(["loadtest-setup", "--data", "d", "--voters", "\(n)", "--regions", "2"], cwd: w)
        let voters = try String(contentsOfFile: w + "/d/test-voters.jsonl", encoding: .utf8).split(separator: "\n")
            .map { try JSONDecoder().decode(TestVoter.self, from: Data($0.utf8)) }
        return (w, voters)
    }

    /// Each voter signs in and casts `choice` through the server with `dauys vote --server`.
    private func vote(_ voters: ArraySlice<TestVoter>, _ choice: String, server url: String, cwd w: String) throws {
        for v in voters {
            let out = try CLI.ok(
                [
                    "vote", "--server", url, "--credential", v.credential, "--choice", choice, "--iin", v.iin,
                    "--sign-in-code", v.signin_code,
                ], cwd: w)
            XCTAssertTrue(out.contains("ballot cast; tracking code"), out)
        }
    }

    func testCLIWritesGoThroughTheServerThatHoldsTheBoard() throws {
        let (w, voters) = try votingBoard(voters: 6)
        defer { try? FileManager.default.removeItem(atPath: w) }
        let admin = try String(contentsOfFile: w + "/d/admin.token", encoding: .utf8)
        let (server, url) = try CLI.serve(data: "d", cwd: w)
        defer {
            server.terminate()
            server.waitUntilExit()
        }

        let refused = try CLI.run(
            ["vote", "--data", "d", "--credential", voters[0].credential, "--choice", "yes"], cwd: w)
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(
            refused.stderr.contains("held by another process") && refused.stderr.contains("--server"), refused.stderr)
        let phase = try CLI.run(["phase", "--data", "d", "closed"], cwd: w)
        XCTAssertNotEqual(phase.status, 0, "an official's step is refused too")
        let pub = try CLI.ok(["paper", "new-key", "--key", "k.key"], cwd: w)
        let register = [
            "paper", "register", "--signing-key", "d/central-commission.json", "--scope", "abai", "--name", "TEC",
            "--commission-key", pub.trimmingCharacters(in: .whitespacesAndNewlines),
        ]
        let paper = try CLI.run(register + ["--data", "d"], cwd: w)
        XCTAssertTrue(paper.stderr.contains("held by another process"), "paper is on the board too: \(paper.stderr)")
        XCTAssertTrue(
            try CLI.ok(register + ["--server", url, "--token", admin], cwd: w).contains("registered for abai"))

        try vote(voters.prefix(3), "yes", server: url, cwd: w)
        // A wrong token is refused by the server, with its reason.
        let forged = try CLI.run(["phase", "--server", url, "--token", "dauys_forged", "closed"], cwd: w)
        XCTAssertNotEqual(forged.status, 0)
        XCTAssertTrue(forged.stderr.contains("no_official"), forged.stderr)
        try CLI.ok(["phase", "--server", url, "--token", admin, "closed"], cwd: w)
        // An observer pins the board's latest signed checkpoint.
        XCTAssertTrue(try CLI.ok(["pin", "--server", url, "--out", "cp.json"], cwd: w).contains("saved to cp.json"))
        // The territorial commission posts its protocols through the server (its signature is
        // the authorization).
        try "\(PaperTests.header)\nabai.d1.p1,1000,900,700,20,25,180,715,400,300,10,5\n".write(
            toFile: w + "/p.csv", atomically: true, encoding: .utf8)
        let importing = ["paper", "import", "--server", url, "--key", "k.key", "p.csv"]
        XCTAssertTrue(try CLI.ok(importing, cwd: w).contains("1 protocols imported"))
        let official = try CLI.ok(["results", "--server", url, "--json"], cwd: w)
        XCTAssertTrue(official.contains("\"precincts_reported\":1"), official)
        try CLI.ok(["tally", "--server", url, "--token", admin], cwd: w)
        let status =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(string: url + "/api/v1/status")!))
            as! [String: Any]
        XCTAssertEqual(status["ballots"] as? Int, 3)
        XCTAssertEqual(status["phase"] as? String, "closed")
    }

    /// SIGTERM stops `dauys serve` as a service manager expects (exit status 0, no error), and
    /// the ballots it acknowledged since its last checkpoint get one before it exits (record.md
    /// §9.1): an observer need not wait for the next start to pin them.
    func testServerStopsOnSigtermAndCertifiesItsLastBallots() throws {
        let (w, voters) = try votingBoard(voters: 3)
        defer { try? FileManager.default.removeItem(atPath: w) }
        let (server, url) = try CLI.serve(data: "d", cwd: w)
        defer { if server.isRunning { server.terminate() } }
        try vote(voters.prefix(2), "no", server: url, cwd: w)
        try CLI.ok(["record", "export", "--data", "d", "before"], cwd: w)
        XCTAssertEqual(try RecordRewrite.entries(w + "/before").last?.kind, .ballot, "no checkpoint yet")
        server.terminate()
        server.waitUntilExit()
        XCTAssertEqual(server.terminationReason, .exit)
        XCTAssertEqual(server.terminationStatus, 0, "a graceful stop is not a failure")
        try CLI.ok(["record", "export", "--data", "d", "after"], cwd: w)
        let after = try RecordRewrite.entries(w + "/after")
        XCTAssertEqual(after.count, try RecordRewrite.entries(w + "/before").count + 1)
        XCTAssertEqual(after.last?.kind, .checkpoint)
        let last = try Checkpoint(payload: after.last!.payload)
        XCTAssertEqual(last.upTo, UInt64(after.count - 2), "it covers every ballot before it")
    }

    /// `scripts/bench/national` simulates without the simulation's own verification and then
    /// runs `dauys verify` alone, so that each is timed and measured apart.
    func testSimulationWithoutItsOwnVerificationLeavesARecordThatVerifies() throws {
        let w = CLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: w) }
        let refused = try CLI.run(["simulate", "--voters", "50", "--skip-verification"], cwd: w)
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("--skip-verification needs --record"), refused.stderr)
        // Its temporary board (no --data) goes away; the record asked for stays.
        try FileManager.default.createDirectory(atPath: w + "/tmp", withIntermediateDirectories: true)
        let sim = try CLI.run(
            ["simulate", "--voters", "200", "--regions", "2", "--skip-verification", "--record", "r", "--json"], cwd: w,
            env: ["TMPDIR": w + "/tmp/"])
        XCTAssertEqual(sim.status, 0, sim.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: w + "/tmp"), [])
        XCTAssertTrue(FileManager.default.fileExists(atPath: w + "/r/board.bin"))
        let summary = try JSONSerialization.jsonObject(with: Data(sim.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(summary["results_match_votes"] as? Bool, true)
        XCTAssertNil(summary["valid_record"])
        let timings = summary["timings_s"] as! [String: Double]
        XCTAssertFalse(timings.keys.contains { $0.contains("verification") }, "\(timings.keys)")
        let report = try JSONSerialization.jsonObject(with: Data(try CLI.ok(["verify", "r", "--json"], cwd: w).utf8))
        XCTAssertEqual((report as! [String: Any])["valid"] as? Bool, true)
    }
}

extension OneWriterCLITests {
    /// Trustees on their own machines: every ceremony step through the server with the
    /// trustee's own token; the secret key file stays local (0600) and never travels.
    func testKeyCeremonyThroughTheServer() throws {
        let w = CLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: w) }
        let manifest = try CLI.manifestSample(["--regions", "2", "--quorum", "2"], trustees: 3, cwd: w)
        try manifest.write(toFile: w + "/m.json", atomically: true, encoding: .utf8)
        try CLI.ok(["init", "--data", "d", "--manifest", "m.json", "--rehearsal"], cwd: w)
        var tokens: [String: String] = [:]
        func add(_ role: String) throws {
            tokens[role] = try CLI.ok(["official", "add", "--data", "d", "--name", role, "--role", role], cwd: w)
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        for role in ["admin", "trustee-1", "trustee-2"] { try add(role) }
        let (server, url) = try CLI.serve(data: "d", cwd: w)
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        try add("trustee-3")  // while the server runs: it reads officials.json again when it changes
        try CLI.ok(["phase", "--server", url, "--token", tokens["admin"]!, "key-ceremony"], cwd: w)
        // A trustee cannot publish in another trustee's name; the refused step adds no secret.
        let wrong = try CLI.run(
            ["trustee", "keygen", "--server", url, "--token", tokens["trustee-2"]!, "--key", "t1.json"], cwd: w)
        XCTAssertNotEqual(wrong.status, 0)
        XCTAssertTrue(wrong.stderr.contains("wrong_role"), wrong.stderr)
        XCTAssertFalse(try String(contentsOfFile: w + "/t1.json", encoding: .utf8).contains("secrets"))
        for i in 1...3 {
            try CLI.ok(
                ["trustee", "keygen", "--server", url, "--token", tokens["trustee-\(i)"]!, "--key", "t\(i).json"],
                cwd: w)
            let mode = try FileManager.default.attributesOfItem(atPath: w + "/t\(i).json")[.posixPermissions] as! Int
            XCTAssertEqual(mode, 0o600)
        }
        for step in ["publish-key", "send-shares", "check-shares"] {
            for i in 1...3 {
                try CLI.ok(
                    ["trustee", step, "--server", url, "--token", tokens["trustee-\(i)"]!, "--key", "t\(i).json"],
                    cwd: w)
            }
        }
        let done = try CLI.ok(["ceremony-finish", "--server", url, "--token", tokens["admin"]!], cwd: w)
        XCTAssertTrue(done.contains("qualified trustees 1, 2, 3"), done)
    }
}
