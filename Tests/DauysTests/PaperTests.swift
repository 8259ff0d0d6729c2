import Crypto
import DauysCrypto
import DauysPaper
import DauysRecord
import DauysReferendum
import DauysServer
import DauysStore
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import XCTest

final class PaperTests: XCTestCase {
    let manifest = Manifest.kazakhstan2026(regions: 3, districts: 2, precincts: 2)

    func figures(
        list: UInt64 = 1000, received: UInt64 = 900, room: UInt64 = 700, mobile: UInt64 = 20, requests: UInt64 = 25,
        cancelled: UInt64 = 180, boxes: UInt64 = 715, yes: UInt64 = 400, no: UInt64 = 300, invalid: UInt64 = 10,
        notCounted: UInt64 = 5
    ) -> ProtocolFigures {
        ProtocolFigures(
            votersOnList: list, ballotsReceived: received, issuedInRoom: room, issuedMobile: mobile,
            mobileRequests: requests,
            cancelled: cancelled, inBoxes: boxes,
            questions: [.init(options: [yes, no], invalid: invalid, notCounted: notCounted)])
    }

    func testControlRelationsAreNamed() {
        XCTAssertEqual(figures().violations(manifest: manifest), [])
        XCTAssertTrue(
            figures(cancelled: 100).violations(manifest: manifest)[0].hasPrefix(
                "ballots received (900) ≠ issued (720) + cancelled (100)"))
        XCTAssertTrue(
            figures(received: 900, room: 700, boxes: 800, yes: 485, no: 300).violations(manifest: manifest).contains {
                $0.hasPrefix("ballots in the boxes (800) > ballots issued (720)")
            })
        XCTAssertTrue(
            figures(list: 500).violations(manifest: manifest).contains {
                $0.hasPrefix("ballots issued (720) > voters on the list (500)")
            })
        XCTAssertTrue(
            figures(requests: 10).violations(manifest: manifest).contains {
                $0.hasPrefix("mobile-box ballots (20) > written requests (10)")
            })
        XCTAssertTrue(
            figures(yes: 401).violations(manifest: manifest).contains {
                $0.contains("participants (715) ≠ yes + no + invalid + not counted (716)")
            })
        // Equalities at the limits are fine: every ballot issued is in the boxes, every voter got one.
        XCTAssertEqual(figures(list: 720, boxes: 720, yes: 405).violations(manifest: manifest), [])
    }

    func book() throws -> (ProtocolBook, String) {
        let dir = CLI.tempDir()
        return (try ProtocolBook(directory: dir, manifest: manifest), dir)
    }

    func testSignaturesScopesAndCorrections() throws {
        let (book, dir) = try book()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let pec = try book.addCommission(name: "PEC abai.d1.p1", scope: "abai.d1.p1")
        let tec = try book.addCommission(name: "TEC abai.d2", scope: "abai.d2")
        let stranger = Curve25519.Signing.PrivateKey()
        let p1 = PrecinctProtocol(
            referendum: manifest.id, precinct: "abai.d1.p1", version: 1, reason: nil, figures: figures())
        XCTAssertThrowsError(try book.submit([try SignedProtocol.sign(p1, key: stranger)])) {
            XCTAssertEqual($0 as? PaperError, .notAuthorized(precinct: "abai.d1.p1"))
        }
        XCTAssertThrowsError(try book.submit([try SignedProtocol.sign(p1, key: tec)])) {
            XCTAssertEqual($0 as? PaperError, .notAuthorized(precinct: "abai.d1.p1"))
        }
        let good = try SignedProtocol.sign(p1, key: pec)
        let forged = SignedProtocol.signedForTest(
            document: good.document.replacingOccurrences(of: "\"yes\"", with: "\"yes\""), key: good.commissionKey,
            signature: String(good.signature.reversed()))
        XCTAssertThrowsError(try book.submit([forged])) { XCTAssertEqual($0 as? PaperError, .badSignature) }
        try book.submit([good])
        // The territorial commission may enter its district's precincts.
        try book.submit([
            try SignedProtocol.sign(
                PrecinctProtocol(
                    referendum: manifest.id, precinct: "abai.d2.p1", version: 1, reason: nil, figures: figures()),
                key: tec)
        ])
        // Corrections: next version only, with a reason; history kept.
        var p2 = p1
        p2.version = 2
        p2.figures = figures(yes: 390, no: 310)
        XCTAssertThrowsError(try book.submit([try SignedProtocol.sign(p2, key: pec)])) {
            XCTAssertTrue("\($0)".contains("needs a reason"))
        }
        p2.reason = "recount ordered by the territorial commission"
        var p3 = p2
        p3.version = 3
        XCTAssertThrowsError(try book.submit([try SignedProtocol.sign(p3, key: pec)])) {
            XCTAssertTrue("\($0)".contains("the next is 2"))
        }
        try book.submit([try SignedProtocol.sign(p2, key: pec)])
        XCTAssertEqual(book.history["abai.d1.p1"]?.map(\.version), [1, 2])
        XCTAssertEqual(book.latest["abai.d1.p1"]?.figures.questions[0].options, [390, 310])
        // A protocol breaking a relation is refused, naming it.
        let bad = PrecinctProtocol(
            referendum: manifest.id, precinct: "abai.d1.p2", version: 1, reason: nil, figures: figures(list: 100))
        let k2 = try book.addCommission(name: "PEC abai.d1.p2", scope: "abai.d1.p2")
        XCTAssertThrowsError(try book.submit([try SignedProtocol.sign(bad, key: k2)])) {
            XCTAssertTrue("\($0)".contains("ballots issued (720) > voters on the list (100)"))
        }
        // Reopening reads back every version and verifies every signature.
        let again = try ProtocolBook(directory: dir, manifest: manifest)
        XCTAssertEqual(again.history["abai.d1.p1"]?.count, 2)
        XCTAssertEqual(again.signed.count, 3)
        // An append cut short by a crash (no newline: never acknowledged) is cut off on opening;
        // a damaged line elsewhere stops with the file and line named.
        let path = dir + "/protocols.jsonl"
        let whole = try Data(contentsOf: URL(fileURLWithPath: path))
        try (whole + Data("{\"commission_key\":\"ab".utf8)).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(try ProtocolBook(directory: dir, manifest: manifest).signed.count, 3)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), whole)
        var lines = String(decoding: whole, as: UTF8.self).split(separator: "\n").map(String.init)
        lines[1] = String(lines[1].prefix(40))
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ProtocolBook(directory: dir, manifest: manifest)) {
            XCTAssertTrue("\($0)".contains("protocols.jsonl line 2:"), "\($0)")
        }
    }

    func testCSVImportReportsEveryBadRow() throws {
        let (book, dir) = try book()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let csv = """
            precinct,voters_on_list,ballots_received,issued_in_room,issued_mobile,mobile_requests,cancelled,in_boxes,yes,no,invalid,not_counted
            abai.d1.p1,1000,900,700,20,25,180,715,400,300,10,5
            abai.d1.p2,1000,900,700,20,25,100,715,400,300,10,5
            nowhere,1000,900,700,20,25,180,715,400,300,10,5
            abai.d2.p1,1000,900,700,20,25,180,715,400,300,10,x
            abai.d1.p1,1000,900,700,20,25,180,715,400,300,10,5
            """
        let (ok, problems) = ProtocolCSV.parse(csv, book: book)
        XCTAssertEqual(ok.count, 1)
        XCTAssertEqual(problems.map(\.line), [3, 4, 5, 6])
        XCTAssertTrue(problems[0].reason.contains("ballots received"))
        XCTAssertTrue(problems[1].reason.contains("unknown precinct"))
        XCTAssertTrue(problems[2].reason.contains("not_counted is not a non-negative whole number"))
        XCTAssertTrue(problems[3].reason.contains("already on line 2"))
    }

    func testOfficialResultAddsPaperAndEVotesPerRegion() throws {
        var protocols: [String: PrecinctProtocol] = [:]
        // Region abai: paper 400 yes / 300 no of 715 participants, list 1000.
        protocols["abai.d1.p1"] = PrecinctProtocol(
            referendum: manifest.id, precinct: "abai.d1.p1", version: 1, reason: nil, figures: figures())
        // Region akmola: paper 200/500 (no majority on paper).
        protocols["akmola.d1.p1"] = PrecinctProtocol(
            referendum: manifest.id, precinct: "akmola.d1.p1", version: 1, reason: nil,
            figures: figures(yes: 200, no: 500))
        // E-votes: akmola gets 400 yes, 0 no → 600 yes of 1115 participants: a majority.
        let evote = Results.compute(
            manifest: manifest, eligible: [0, 500, 0], participants: [0, 400, 0],
            units: [UnitResult(id: "akmola", regions: ["akmola"], ballots: 400, totals: [[400, 0]])])
        let (r, paper) = OfficialResult.compute(manifest: manifest, protocols: protocols, evote: evote)
        XCTAssertEqual(paper[0].precincts, 1)
        XCTAssertEqual(r.regions[0].participants, 715)
        XCTAssertEqual(r.regions[1].participants, 1115)
        XCTAssertEqual(r.regions[1].totals[0], [600, 500])
        XCTAssertEqual(r.regions[1].invalid, 10)
        XCTAssertEqual(r.regions[2].participants, 0)
        let q = r.questions[0]
        XCTAssertEqual(q.totals, [1000, 800])
        XCTAssertEqual(q.eligible, 2000)
        XCTAssertEqual(q.participants, 1830)
        XCTAssertEqual(q.regionsWithMajority, 2)
        XCTAssertTrue(q.adopted, "2 of 3 regions is exactly two thirds")
    }

    func testNationalDataSetIsConsistent() {
        let (m, ps) = NationalDataset.generate(voters: 1_250_000, precincts: 1040)
        XCTAssertNoThrow(try m.validate())
        XCTAssertEqual(m.regions.count, 20)
        XCTAssertGreaterThan(ps.count, 1000)
        for p in ps { XCTAssertEqual(p.figures.violations(manifest: m), [], p.precinct) }
        let (r, _) = OfficialResult.compute(
            manifest: m, protocols: Dictionary(uniqueKeysWithValues: ps.map { ($0.precinct, $0) }), evote: nil)
        XCTAssertEqual(r.questions[0].participants, ps.reduce(0) { $0 + $1.figures.inBoxes })
    }

    func testResultsThroughTheCLI() throws {
        let w = CLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: w) }
        try CLI.manifestSample(["--regions", "2"], cwd: w).write(
            toFile: w + "/m.json", atomically: true, encoding: .utf8)
        try CLI.ok(["init", "--data", "d", "--manifest", "m.json"], cwd: w)
        try CLI.ok(
            ["paper", "commission", "--data", "d", "--scope", "abai", "--name", "TEC Abai", "--key-out", "abai.key"],
            cwd: w)
        try """
        precinct,voters_on_list,ballots_received,issued_in_room,issued_mobile,mobile_requests,cancelled,in_boxes,yes,no,invalid,not_counted
        abai.d1.p1,1000,900,700,20,25,180,715,400,300,10,5
        abai.d2.p3,800,700,500,0,0,200,500,100,390,10,0
        """.write(toFile: w + "/p.csv", atomically: true, encoding: .utf8)
        try CLI.ok(["paper", "import", "--data", "d", "--key", "abai.key", "p.csv"], cwd: w)
        let again = try CLI.run(["paper", "import", "--data", "d", "--key", "abai.key", "p.csv"], cwd: w)
        XCTAssertNotEqual(again.status, 0)
        XCTAssertTrue(
            again.stderr.contains("line 2: precinct abai.d1.p1 already has a protocol: a correction needs a reason"),
            again.stderr)
        let out = try CLI.ok(["results", "--data", "d", "--json"], cwd: w)
        let j = try JSONSerialization.jsonObject(with: Data(out.utf8)) as! [String: Any]
        for key in [
            "eligible", "participants", "yes", "no", "invalid", "not_counted", "turnout", "valid", "adopted",
            "regions_with_yes_majority", "regions_total", "regions",
        ] {
            XCTAssertNotNil(j[key], key)
        }
        XCTAssertEqual(j["participants"] as? Int, 1215)
        XCTAssertEqual(j["yes"] as? Int, 500)
        XCTAssertEqual(j["invalid"] as? Int, 20)
        XCTAssertEqual((j["regions"] as! [[String: Any]]).count, 2)
        XCTAssertTrue(try CLI.ok(["results", "--data", "d"], cwd: w).contains("Outcome:"))
    }
}

extension SignedProtocol {
    static func signedForTest(document: String, key: String, signature: String) -> SignedProtocol {
        try! JSONDecoder().decode(
            SignedProtocol.self,
            from: JSONSerialization.data(withJSONObject: [
                "document": document, "commission_key": key, "signature": signature,
            ]))
    }
}

final class PaperHTTPTests: XCTestCase {
    func testProtocolsOverHTTP() async throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let m = Manifest.kazakhstan2026(regions: 2)
        let ref = try await Referendum<G>.create(
            store: try SQLiteBoardStore(path: dir + "/b.sqlite"), manifest: m, boardKey: .init())
        let book = try ProtocolBook(directory: dir, manifest: m)
        let key = try book.addCommission(name: "PEC", scope: "abai.d1.p1")
        let server = ReferendumService(
            referendum: ref, registry: nil, cipher: nil, officials: OfficialRegistry(entries: []), protocols: book)
        let f = ProtocolFigures(
            votersOnList: 1000, ballotsReceived: 900, issuedInRoom: 700, issuedMobile: 20, mobileRequests: 25,
            cancelled: 180,
            inBoxes: 715, questions: [.init(options: [400, 300], invalid: 10, notCounted: 5)])
        let p1 = PrecinctProtocol(referendum: m.id, precinct: "abai.d1.p1", version: 1, reason: nil, figures: f)
        @Sendable func body(_ s: some Encodable) -> ByteBuffer { ByteBuffer(bytes: try! JSONEncoder().encode(s)) }
        try await buildApplication(server).test(.router) { c in
            let h: HTTPFields = [.contentType: "application/json"]
            let stranger = try SignedProtocol.sign(p1, key: .init())
            let s1 = try await c.execute(uri: "/api/v1/protocols", method: .post, headers: h, body: body(stranger)) {
                $0.status
            }
            XCTAssertEqual(s1, .forbidden)
            let s2 = try await c.execute(
                uri: "/api/v1/protocols", method: .post, headers: h, body: body(try SignedProtocol.sign(p1, key: key))
            ) { $0.status }
            XCTAssertEqual(s2, .created)
            let s3 = try await c.execute(
                uri: "/api/v1/protocols", method: .post, headers: h, body: body(try SignedProtocol.sign(p1, key: key))
            ) { $0.status }
            XCTAssertEqual(s3, .conflict, "version 1 again")
            var bad = p1
            bad.version = 2
            bad.reason = "recount"
            bad.figures.cancelled = 1
            let s4 = try await c.execute(
                uri: "/api/v1/protocols", method: .post, headers: h, body: body(try SignedProtocol.sign(bad, key: key))
            ) { r in
                (r.status, String(buffer: r.body))
            }
            XCTAssertEqual(s4.0, .unprocessableContent)
            XCTAssertTrue(s4.1.contains("ballots received"), s4.1)
            let t = try SignedTurnoutReport.sign(
                TurnoutReport(precinct: "abai.d1.p1", time: "10:00", votersOnList: 1000, issued: 120), key: key)
            let s5 = try await c.execute(uri: "/api/v1/turnout-reports", method: .post, headers: h, body: body(t)) {
                $0.status
            }
            XCTAssertEqual(s5, .created)
            let late = try SignedTurnoutReport.sign(
                TurnoutReport(precinct: "abai.d1.p1", time: "11:00", votersOnList: 1000, issued: 130), key: key)
            let s6 = try await c.execute(uri: "/api/v1/turnout-reports", method: .post, headers: h, body: body(late)) {
                $0.status
            }
            XCTAssertEqual(s6, .unprocessableContent, "not an official time")
            let hist = try await c.execute(uri: "/api/v1/protocols/abai.d1.p1", method: .get) {
                String(buffer: $0.body)
            }
            XCTAssertTrue(hist.contains("\"version\":1"))
            let official = try await c.execute(uri: "/api/v1/official-results", method: .get) { r in
                try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as! [String: Any]
            }
            XCTAssertEqual(official["participants"] as? Int, 715)
            XCTAssertEqual(official["yes"] as? Int, 400)
            // One protocol in, e-votes not counted: provisional, and it says so.
            XCTAssertEqual(official["provisional"] as? Bool, true)
            XCTAssertEqual(official["precincts_reported"] as? Int, 1)
            XCTAssertEqual(official["precincts_total"] as? Int, m.precinctsInOrder.count)
            XCTAssertTrue(
                (official["status_text"] as? String ?? "").hasPrefix("PROVISIONAL, not final: 1 of "), "\(official)")
        }
        XCTAssertEqual(try book.turnoutReports().count, 1)
    }
}

final class PublicationTests: XCTestCase {
    func testTurnoutCurveRollsUpTheLatestReports() {
        let m = Manifest.kazakhstan2026(regions: 2, districts: 1, precincts: 2)
        let reports = [
            TurnoutReport(precinct: "abai.d1.p1", time: "10:00", votersOnList: 1000, issued: 100),
            TurnoutReport(precinct: "abai.d1.p1", time: "14:00", votersOnList: 1000, issued: 500),
            TurnoutReport(precinct: "abai.d1.p2", time: "12:00", votersOnList: 500, issued: 100),
        ]
        let c = TurnoutCurve.compute(manifest: m, reports: reports)
        XCTAssertEqual(c.times.count, 6)
        XCTAssertEqual(c.regional[0][0], 0.1, accuracy: 1e-9)  // 10:00: only p1 has reported
        XCTAssertEqual(c.regional[0][1], 200.0 / 1500, accuracy: 1e-9)  // 12:00: p1's 10:00 report + p2
        XCTAssertEqual(c.regional[0][2], 600.0 / 1500, accuracy: 1e-9)  // 14:00
        XCTAssertEqual(c.regional[1][5], 0)
        XCTAssertEqual(c.national[2], 600.0 / 1500, accuracy: 1e-9)
        XCTAssertFalse(
            TurnoutReport(precinct: "x", time: "11:00", votersOnList: 10, issued: 1).problems(previous: nil).isEmpty)
        XCTAssertFalse(
            reports[1].problems(
                previous: TurnoutReport(precinct: "abai.d1.p1", time: "12:00", votersOnList: 1000, issued: 600)
            ).isEmpty)
    }

    func testReportWritesPagesDownloadsAndChartsThroughTheCLI() throws {
        let w = CLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: w) }
        try CLI.manifestSample(["--regions", "2"], cwd: w).write(
            toFile: w + "/m.json", atomically: true, encoding: .utf8)
        try CLI.ok(["init", "--data", "d", "--manifest", "m.json"], cwd: w)
        try CLI.ok(
            ["paper", "commission", "--data", "d", "--scope", "abai.d1.p1", "--name", "PEC", "--key-out", "p.key"],
            cwd: w)
        try """
        precinct,voters_on_list,ballots_received,issued_in_room,issued_mobile,mobile_requests,cancelled,in_boxes,yes,no,invalid,not_counted
        abai.d1.p1,1000,900,700,20,25,180,715,400,300,10,5
        """.write(toFile: w + "/p.csv", atomically: true, encoding: .utf8)
        try CLI.ok(["paper", "import", "--data", "d", "--key", "p.key", "p.csv"], cwd: w)
        try """
        precinct,voters_on_list,ballots_received,issued_in_room,issued_mobile,mobile_requests,cancelled,in_boxes,yes,no,invalid,not_counted,reason
        abai.d1.p1,1000,900,700,20,25,180,715,390,310,10,5,recount ordered by the territorial commission
        """.write(toFile: w + "/c.csv", atomically: true, encoding: .utf8)
        try CLI.ok(["paper", "import", "--data", "d", "--key", "p.key", "c.csv"], cwd: w)
        try CLI.ok(
            [
                "paper", "turnout", "--data", "d", "--key", "p.key", "--precinct", "abai.d1.p1", "--time", "10:00",
                "--voters-on-list", "1000", "--issued", "120",
            ], cwd: w)
        try CLI.ok(["report", "--data", "d", "--out", "site"], cwd: w)
        func read(_ f: String) throws -> String { try String(contentsOfFile: w + "/site/" + f, encoding: .utf8) }
        XCTAssertTrue(try read("index.html").contains("715"))
        XCTAssertTrue(try read("results-regions.csv").contains("abai,1000,715"))
        XCTAssertTrue(try read("results-precincts.csv").contains("abai.d1.p1,abai,abai.d1,2,1000,720,715,390,310,10,5"))
        XCTAssertTrue(try read("results-districts.csv").contains("abai.d1,abai,1,1000,715,390,310,10,5"))
        XCTAssertTrue(try read("precincts/abai.d1.p1.html").contains("recount ordered by the territorial commission"))
        XCTAssertTrue(try read("observers.html").contains("abai.d1.p1"), "corrected protocols are listed")
        XCTAssertTrue(try read("turnout.svg").hasPrefix("<svg"))
        XCTAssertTrue(try read("turnout.json").contains("\"national\":[0.12"))
        let j = try JSONSerialization.jsonObject(with: Data(try read("results.json").utf8)) as! [String: Any]
        XCTAssertEqual(j["yes"] as? Int, 390)
    }
}
