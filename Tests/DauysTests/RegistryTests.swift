import DauysRecord
import DauysStore
import Foundation
import XCTest

@testable import DauysRegistry

final class RegistryTests: XCTestCase {
    func testIINCheckDigits() throws {
        // Reference examples: first-pass and second-pass check digits.
        for good in ["850101100012", "850101200029", "900101300017", "900101300811"] {
            XCTAssertNoThrow(try IIN(good), good)
        }
        XCTAssertThrowsError(try IIN("850101100013")) { XCTAssertEqual($0 as? IIN.Problem, .badCheckDigit) }
        XCTAssertThrowsError(try IIN("85010110001")) { XCTAssertEqual($0 as? IIN.Problem, .notTwelveDigits) }
        XCTAssertThrowsError(try IIN("85010110001a")) { XCTAssertEqual($0 as? IIN.Problem, .notTwelveDigits) }
        XCTAssertThrowsError(try IIN("851301100012")) { XCTAssertEqual($0 as? IIN.Problem, .badDate) }
        XCTAssertThrowsError(try IIN("850230100012")) { XCTAssertEqual($0 as? IIN.Problem, .badDate) }
        XCTAssertThrowsError(try IIN("850101700012")) { XCTAssertEqual($0 as? IIN.Problem, .badCenturyDigit) }
        XCTAssertEqual(try IIN("850101100012").birthDate!.year, 1885)
        XCTAssertEqual(try IIN("900101300017").birthDate!.year, 1990)
        XCTAssertEqual("\(try IIN("850101100012"))", "IIN(hidden)")
        // Every 11-digit prefix either completes to a valid IIN or has no check digit.
        for s in 0..<200 {
            let prefix = "8501011" + String(format: "%04d", s)
            if let i = IIN.completing(prefix) { XCTAssertNoThrow(try IIN(i.text)) }
        }
    }

    func testCSVParser() {
        let r = CSV.parse("a,b\n\"x, y\",\"he said \"\"hi\"\"\"\r\n\"multi\nline\",z\nbad\"quote,1\n\"open,2\n")
        XCTAssertEqual(try r[0].get().fields, ["a", "b"])
        XCTAssertEqual(try r[1].get().fields, ["x, y", "he said \"hi\""])
        XCTAssertEqual(try r[2].get().fields, ["multi\nline", "z"])
        XCTAssertEqual(try r[2].get().line, 3)
        guard case .failure(let f) = r[3] else { return XCTFail("stray quote must fail") }
        XCTAssertEqual(f.line, 5)
        guard case .failure(let g) = r[4] else { return XCTFail("unclosed quote must fail") }
        XCTAssertEqual(g.line, 6)
    }

    func testVoterListReportsEveryBadRowWithItsLine() {
        let m = Manifest.kazakhstan2026(regions: 2)
        let ok = Fixtures.iin(1)
        let csv = """
            iin,full_name,birth_date,region,precinct
            \(ok),Good Voter,1885-01-01,abai,abai.d1.p1
            850101100013,Bad Check,1885-01-01,abai,abai.d1.p1
            \(Fixtures.iin(2)),Wrong Date,1885-01-02,abai,abai.d1.p1
            \(ok),Duplicate,1885-01-01,abai,abai.d1.p1
            \(Fixtures.iin(3)),Unknown Precinct,1885-01-01,abai,nowhere.p9
            \(Fixtures.iin(4)),Wrong Region,1885-01-01,akmola,abai.d1.p1
            \(Fixtures.iin(5)),,1885-01-01,abai,abai.d1.p1
            \(Fixtures.iin(6)),Too Few Fields
            """
        let (rows, problems) = VoterList.parse(csv: csv, manifest: m)
        XCTAssertEqual(rows.count, 1)
        XCTAssertEqual(problems.map(\.line), [3, 4, 5, 6, 7, 8, 9])
        XCTAssertTrue(problems[0].reason.contains("check digit"))
        XCTAssertTrue(problems[1].reason.contains("does not match the IIN"))
        XCTAssertTrue(problems[2].reason.contains("same IIN as line 2"))
        XCTAssertTrue(problems[3].reason.contains("unknown precinct"))
        XCTAssertTrue(problems[4].reason.contains("is not in region"))
        XCTAssertTrue(problems[5].reason.contains("full name is empty"))
        XCTAssertTrue(problems[6].reason.contains("fields"))
        // No personal data in any message.
        for p in problems {
            XCTAssertFalse(p.description.contains(ok))
            XCTAssertFalse(p.description.contains("Voter"))
        }
        XCTAssertEqual(
            VoterList.parse(csv: "iin,name\n", manifest: m).problems.first?.reason,
            "missing column(s): full_name, birth_date, region, precinct")
    }

    func testUnder18OnVotingDayIsRefused() throws {
        let m = Manifest.kazakhstan2026(regions: 1)
        // Born 2008-03-16: 17 on 2026-03-15; born 2008-03-15: 18 that day.
        let young = IIN.completing("0803165" + "0001") ?? IIN.completing("0803165" + "0002")!
        let adult = IIN.completing("0803155" + "0001") ?? IIN.completing("0803155" + "0002")!
        let csv =
            "iin,full_name,birth_date,region,precinct\n\(young.text),A,2008-03-16,abai,abai.d1.p1\n\(adult.text),B,2008-03-15,abai,abai.d1.p1\n"
        let (rows, problems) = VoterList.parse(csv: csv, manifest: m)
        XCTAssertEqual(rows.count, 1)
        XCTAssertEqual(problems.map(\.line), [2])
        XCTAssertTrue(problems[0].reason.contains("under 18"))
    }

    func testSealedAtRestAndIndexedByKeyedHash() throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cipher = try RegistryCipher(masterKey: Array(repeating: 7, count: 32))
        let m = Manifest.kazakhstan2026(regions: 1)
        let iin = Fixtures.iin(42)
        let (rows, p) = VoterList.parse(
            csv: "iin,full_name,birth_date,region,precinct\n\(iin),Айгерім Сәрсенова,1885-01-01,abai,abai.d1.p1\n",
            manifest: m)
        XCTAssertTrue(p.isEmpty)
        let reg = try SQLiteRegistry(path: dir + "/r.sqlite")
        XCTAssertEqual(try reg.importVoters(rows, cipher: cipher), 1)
        XCTAssertThrowsError(try reg.importVoters(rows, cipher: cipher)) {
            XCTAssertTrue("\($0)".contains("already in the registry"))
        }
        let found = try reg.find(iin: try IIN(iin), cipher: cipher)
        XCTAssertEqual(found?.precinct, "abai.d1.p1")
        let pending = try reg.votersWithoutCredential()
        XCTAssertEqual(try cipher.open(pending[0].sealed, voterID: pending[0].id).fullName, "Айгерім Сәрсенова")
        let other = try RegistryCipher(masterKey: Array(repeating: 8, count: 32))
        XCTAssertThrowsError(try other.open(pending[0].sealed, voterID: pending[0].id))
        // Another key is refused outright by the registry's key check value.
        XCTAssertThrowsError(try reg.find(iin: try IIN(iin), cipher: other)) {
            XCTAssertTrue("\($0)".contains("its key check value differs"), "\($0)")
        }
        // Personal data: the file for its owner only, in a directory only its owner lists.
        let fileMode = try FileManager.default.attributesOfItem(atPath: dir + "/r.sqlite")[.posixPermissions] as? Int
        XCTAssertEqual(fileMode, 0o600)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: dir)[.posixPermissions] as? Int, 0o700)
        // The database file holds neither the IIN nor the name in clear.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: dir + "/r.sqlite"))
        XCTAssertNil(bytes.range(of: Data(iin.utf8)))
        XCTAssertNil(bytes.range(of: Data("Айгерім".utf8)))
        try reg.recordIssued([(pending[0].id, [1, 2, 3])])
        XCTAssertEqual(try reg.linkCount(), 1)
        // Marked as having voted on paper: its credential is found for revocation.
        let marks = try reg.markVotedOnPaper([try IIN(iin), try IIN(Fixtures.iin(43))], cipher: cipher)
        XCTAssertEqual(marks.marked, 1)
        XCTAssertEqual(marks.unknown, [1])
        let paper = try reg.paperVoterCredentials()
        XCTAssertEqual(paper.map(\.precinct), ["abai.d1.p1"])
        XCTAssertEqual(paper.map(\.credential), [[1, 2, 3]])
        XCTAssertEqual(try reg.forgetCredentialLinks(), 1)
        XCTAssertEqual(try reg.linkCount(), 0)
        XCTAssertEqual(try reg.paperVotersWithoutLink(), 1)
    }

    func testImportThroughCLIRefusesTheListAndLeaksNothing() throws {
        let w = CLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: w) }
        try CLI.manifestSample(["--regions", "2"], cwd: w).write(
            toFile: w + "/m.json", atomically: true, encoding: .utf8)
        try CLI.ok(["init", "--data", "d", "--manifest", "m.json", "--rehearsal"], cwd: w)
        let good = Fixtures.iin(7)
        try
            "iin,full_name,birth_date,region,precinct\n\(good),Secret Person,1885-01-01,abai,abai.d1.p1\n850101100013,Other Secret,1885-01-01,abai,abai.d1.p1\n"
            .write(toFile: w + "/v.csv", atomically: true, encoding: .utf8)
        let key = String(repeating: "ab", count: 32)
        let o = try CLI.run(["registry", "import", "v.csv", "--data", "d"], cwd: w, env: ["DAUYS_REGISTRY_KEY": key])
        XCTAssertNotEqual(o.status, 0)
        XCTAssertTrue(o.stderr.contains("line 3: IIN check digit is wrong"), o.stderr)
        XCTAssertTrue(o.stderr.contains("nothing was imported"))
        for secret in [good, "850101100013", "Secret Person", "Other Secret"] {
            XCTAssertFalse(o.stderr.contains(secret))
            XCTAssertFalse(o.stdout.contains(secret))
        }
        XCTAssertNotEqual(
            try CLI.run(["registry", "import", "v.csv", "--data", "d"], cwd: w).status, 0, "no key, no import")
        try "iin,full_name,birth_date,region,precinct\n\(good),Secret Person,1885-01-01,abai,abai.d1.p1\n".write(
            toFile: w + "/v.csv", atomically: true, encoding: .utf8)
        XCTAssertTrue(
            try CLI.run(["registry", "import", "v.csv", "--data", "d"], cwd: w, env: ["DAUYS_REGISTRY_KEY": key]).stdout
                .contains("1 voters imported"))
        // A server given another registry key refuses to start (it would tell every voter that
        // their code is wrong); so does any registry command.
        let wrong = String(repeating: "cd", count: 32)
        let serve = try CLI.run(
            ["serve", "--data", "d", "--port", "\(Int.random(in: 20000...40000))"], cwd: w,
            env: ["DAUYS_REGISTRY_KEY": wrong])
        XCTAssertNotEqual(serve.status, 0)
        XCTAssertTrue(serve.stderr.contains("voter sign-in needs the registry key"), serve.stderr)
        XCTAssertTrue(serve.stderr.contains("its key check value differs"), serve.stderr)
        let mark = try CLI.run(
            ["registry", "import", "v.csv", "--data", "d"], cwd: w, env: ["DAUYS_REGISTRY_KEY": wrong])
        XCTAssertTrue(mark.stderr.contains("its key check value differs"), mark.stderr)
    }
}
