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

/// Protocol figures for tests: by default 1000 on the list, 720 issued, 715 in the boxes, 400 yes / 300 no.
enum PaperFixtures {
    static func figures(
        list: UInt64 = 1000, received: UInt64 = 900, room: UInt64 = 700, mobile: UInt64 = 20, requests: UInt64 = 25,
        cancelled: UInt64 = 180, boxes: UInt64 = 715, yes: UInt64 = 400, no: UInt64 = 300, invalid: UInt64 = 10,
        notCounted: UInt64 = 5
    ) -> ProtocolFigures {
        ProtocolFigures(
            votersOnList: list, ballotsReceived: received, issuedInRoom: room, issuedMobile: mobile,
            mobileRequests: requests, cancelled: cancelled, inBoxes: boxes,
            questions: [.init(options: [yes, no], invalid: invalid, notCounted: notCounted)])
    }
}

final class PaperTests: XCTestCase {
    let manifest = Manifest.kazakhstan2026(regions: 3, districts: 2, precincts: 2)

    func testControlRelationsAreNamed() {
        XCTAssertEqual(PaperFixtures.figures().violations(manifest: manifest), [])
        XCTAssertTrue(
            PaperFixtures.figures(cancelled: 100).violations(manifest: manifest)[0].hasPrefix(
                "ballots received (900) ≠ issued (720) + cancelled (100)"))
        XCTAssertTrue(
            PaperFixtures.figures(received: 900, room: 700, boxes: 800, yes: 485, no: 300).violations(
                manifest: manifest
            ).contains {
                $0.hasPrefix("ballots in the boxes (800) > ballots issued (720)")
            })
        XCTAssertTrue(
            PaperFixtures.figures(list: 500).violations(manifest: manifest).contains {
                $0.hasPrefix("ballots issued (720) > voters on the list (500)")
            })
        XCTAssertTrue(
            PaperFixtures.figures(requests: 10).violations(manifest: manifest).contains {
                $0.hasPrefix("mobile-box ballots (20) > written requests (10)")
            })
        XCTAssertTrue(
            PaperFixtures.figures(yes: 401).violations(manifest: manifest).contains {
                $0.contains("participants (715) ≠ yes + no + invalid + not counted (716)")
            })
        // Equalities at the limits are fine: every ballot issued is in the boxes, every voter got one.
        XCTAssertEqual(PaperFixtures.figures(list: 720, boxes: 720, yes: 405).violations(manifest: manifest), [])
    }

    /// A referendum of 2 regions (12 precincts) open for voting, with a precinct commission
    /// for abai.d1.p1 and a territorial one for district abai.d2.
    func board() async throws -> (
        ReferendumTests.Setup, pec: Curve25519.Signing.PrivateKey,
        tec: Curve25519.Signing.PrivateKey
    ) {
        let s = try await ReferendumTests.ready(store: MemoryBoardStore())
        return (s, try await s.commission("abai.d1.p1"), try await s.commission("abai.d2"))
    }

    func refused(
        _ body: () async throws -> Void, _ check: RecordCheck, _ message: String, line: UInt = #line
    ) async {
        await assertThrowsAsync(body, line: line) { e in
            guard case .refused(let v)? = e as? ReferendumError else {
                return XCTFail("not a board refusal: \(e)", line: line)
            }
            XCTAssertEqual(v.check, check, v.message, line: line)
            XCTAssertTrue(v.message.contains(message), v.message, line: line)
        }
    }

    func testCommissionKeysAndTurnoutReportsOnTheBoard() async throws {
        let (s, pec, _) = try await board()
        let base = s.ref.baseHash
        // Only the central commission registers keys; one key per scope, one scope per key.
        await refused(
            {
                try await s.ref.registerCommissions([
                    try CommissionRegistration(
                        scope: "abai.d1.p2", name: "x", key: Curve25519.Signing.PrivateKey().publicKey,
                        central: .init(), base: base)
                ])
            }, .commissionKeys, "not signed by the central commission")
        await refused({ _ = try await s.commission("abai.d1.p1") }, .commissionKeys, "a second key for abai.d1.p1")
        await refused({ _ = try await s.commission("nowhere") }, .commissionKeys, "not a precinct, district or region")
        await refused(
            {
                try await s.ref.registerCommissions([
                    try CommissionRegistration(
                        scope: "abai.d1.p2", name: "x", key: pec.publicKey, central: s.central, base: base)
                ])
            }, .commissionKeys, "already registered for another commission")
        // Turnout: official times in order, issued never going down, within the signer's scope.
        func report(
            _ time: String, _ issued: UInt64, precinct: String = "abai.d1.p1",
            key: Curve25519.Signing
                .PrivateKey? = nil
        ) throws -> CommissionSigned<TurnoutReport> {
            try CommissionSigned(
                TurnoutReport(precinct: precinct, time: time, votersOnList: 1000, issued: issued), key: key ?? pec,
                base: base)
        }
        try await s.ref.submitTurnout([try report("10:00", 120)])
        let same = try await s.ref.submitTurnout([try report("10:00", 120)])
        XCTAssertEqual(same, 0, "the same report again")
        await refused({ try await s.ref.submitTurnout([try report("11:00", 130)]) }, .turnoutReports, "not an official")
        await refused(
            { try await s.ref.submitTurnout([try report("10:00", 130)]) }, .turnoutReports, "already on the board")
        await refused({ try await s.ref.submitTurnout([try report("12:00", 100)]) }, .turnoutReports, "went down")
        await refused(
            { try await s.ref.submitTurnout([try report("12:00", 200, precinct: "abai.d1.p2")]) }, .turnoutReports,
            "not registered for precinct abai.d1.p2")
        await refused(
            { try await s.ref.submitTurnout([try report("12:00", 200, key: .init())]) }, .turnoutReports,
            "not registered")
        try await s.ref.submitTurnout([try report("12:00", 300)])
        XCTAssertEqual(s.ref.read { $0.paper.turnout.map(\.issued) }, [120, 300])
        // Protocols wait for the polls to close; keys may not be registered after.
        await refused(
            { try await s.ref.submitProtocols([try s.signed("abai.d1.p1", PaperFixtures.figures(), key: pec)]) },
            .phases, "only from \"closed\"")
        try await s.ref.advance(to: .closed)
        await refused({ _ = try await s.commission("akmola") }, .phases, "only from \"setup\" to \"voting-open\"")
    }

    func testProtocolVersionsScopesAndRelationsOnTheBoard() async throws {
        let (s, pec, tec) = try await board()
        try await s.ref.advance(to: .closed)
        let f = PaperFixtures.figures()
        await refused(
            { try await s.ref.submitProtocols([try s.signed("abai.d1.p1", f, key: .init())]) }, .precinctProtocols,
            "not registered for precinct abai.d1.p1")
        await refused(
            { try await s.ref.submitProtocols([try s.signed("abai.d1.p1", f, key: tec)]) }, .precinctProtocols,
            "not registered for precinct abai.d1.p1")
        try await s.ref.submitProtocols([try s.signed("abai.d1.p1", f, key: pec)])
        // The territorial commission enters its district's precincts.
        try await s.ref.submitProtocols([try s.signed("abai.d2.p1", f, key: tec)])
        // The swap of the review: a second, different "version 1" is refused; the same one is skipped.
        await refused(
            {
                try await s.ref.submitProtocols([
                    try s.signed("abai.d1.p1", PaperFixtures.figures(yes: 300, no: 400), key: pec)
                ])
            }, .protocolVersions, "is version 1; the next version is 2")
        let same = try await s.ref.submitProtocols([try s.signed("abai.d1.p1", f, key: pec)])
        XCTAssertEqual(same, 0)
        let corrected = PaperFixtures.figures(yes: 390, no: 310)
        await refused(
            { try await s.ref.submitProtocols([try s.signed("abai.d1.p1", corrected, key: pec, version: 2)]) },
            .protocolVersions, "needs its reason")
        await refused(
            {
                try await s.ref.submitProtocols([
                    try s.signed("abai.d1.p1", corrected, key: pec, version: 3, reason: "x")
                ])
            },
            .protocolVersions, "the next version is 2")
        try await s.ref.submitProtocols([
            try s.signed("abai.d1.p1", corrected, key: pec, version: 2, reason: "recount ordered by the TEC")
        ])
        XCTAssertEqual(s.ref.read { $0.paper.history["abai.d1.p1"]?.map(\.version) }, [1, 2])
        XCTAssertEqual(s.ref.read { $0.paper.latest["abai.d1.p1"]?.figures.questions[0].options }, [390, 310])
        // Control relations, and the record's own figures: e-credentials ≤ voters on the list.
        await refused(
            {
                try await s.ref.submitProtocols([try s.signed("abai.d2.p2", PaperFixtures.figures(list: 100), key: tec)]
                )
            },
            .controlRelations, "ballots issued (720) > voters on the list (100)")
        let credentialsThere = s.ref.read { $0.credentialsPerPrecinct["abai.d2.p2"] ?? 0 }
        XCTAssertGreaterThan(credentialsThere, 0)
        let tiny = PaperFixtures.figures(
            list: 0, received: 0, room: 0, mobile: 0, requests: 0, cancelled: 0, boxes: 0, yes: 0, no: 0, invalid: 0,
            notCounted: 0)
        await refused(
            { try await s.ref.submitProtocols([try s.signed("abai.d2.p2", tiny, key: tec)]) }, .controlRelations,
            "e-voting credentials > 0 voters on the list")
        // All or none: one bad protocol refuses the batch.
        let before = s.ref.read { $0.count }
        await refused(
            {
                try await s.ref.submitProtocols([
                    try s.signed("abai.d2.p3", f, key: tec), try s.signed("abai.d2.p2", tiny, key: tec),
                ])
            }, .controlRelations, "abai.d2.p2")
        XCTAssertEqual(s.ref.read { $0.count }, before)
    }

    func testCSVImportReportsEveryBadRow() throws {
        let paper = PaperRecord()
        let csv = """
            precinct,voters_on_list,ballots_received,issued_in_room,issued_mobile,mobile_requests,cancelled,in_boxes,yes,no,invalid,not_counted
            abai.d1.p1,1000,900,700,20,25,180,715,400,300,10,5
            abai.d1.p2,1000,900,700,20,25,100,715,400,300,10,5
            nowhere,1000,900,700,20,25,180,715,400,300,10,5
            abai.d2.p1,1000,900,700,20,25,180,715,400,300,10,x
            abai.d1.p1,1000,900,700,20,25,180,715,400,300,10,5
            akmola.d1.p1,1000,900,700,20,25,180,715,400,300,10,5
            """
        let (ok, problems) = ProtocolCSV.parse(csv, manifest: manifest, paper: paper, scope: "abai")
        XCTAssertEqual(ok.count, 1)
        XCTAssertEqual(problems.map(\.line), [3, 4, 5, 6, 7])
        XCTAssertTrue(problems[0].reason.contains("ballots received"))
        XCTAssertTrue(problems[1].reason.contains("unknown precinct"))
        XCTAssertTrue(problems[2].reason.contains("not_counted is not a non-negative whole number"))
        XCTAssertTrue(problems[3].reason.contains("already on line 2"))
        XCTAssertTrue(problems[4].reason.contains("outside the signing commission's scope (abai)"), problems[4].reason)
        // Files as they come from spreadsheets: semicolons, a header only, UTF-16, another encoding.
        let semi = ProtocolCSV.parse(csv.replacingOccurrences(of: ",", with: ";"), manifest: manifest, paper: paper)
        XCTAssertEqual(semi.problems.first?.reason, "the columns are separated by semicolons; use commas (,)")
        let header = String(csv.prefix { $0 != "\n" })
        XCTAssertEqual(
            ProtocolCSV.parse(header, manifest: manifest, paper: paper).problems.first?.reason,
            "a header and no protocol rows")
        guard case .failure(let u16) = ProtocolCSV.text(of: csv.data(using: .utf16)!) else { return XCTFail() }
        XCTAssertTrue(u16.reason.contains("UTF-16"))
        let latin = Data("precinct\nabai.d1.p1 \u{e9}\n".utf8).map { $0 == 0xC3 ? 0xE9 : $0 }.filter { $0 != 0xA9 }
        guard case .failure(let bad) = ProtocolCSV.text(of: Data(latin)) else { return XCTFail() }
        XCTAssertEqual(bad.line, 2)
        XCTAssertTrue(bad.reason.contains("not UTF-8"))
    }

    func testOfficialResultAddsPaperAndEVotesPerRegion() throws {
        var protocols: [String: PrecinctProtocol] = [:]
        // Region abai: paper 400 yes / 300 no of 715 participants, list 1000.
        protocols["abai.d1.p1"] = PrecinctProtocol(
            referendum: manifest.id, precinct: "abai.d1.p1", version: 1, reason: nil, figures: PaperFixtures.figures())
        // Region akmola: paper 200/500 (no majority on paper).
        protocols["akmola.d1.p1"] = PrecinctProtocol(
            referendum: manifest.id, precinct: "akmola.d1.p1", version: 1, reason: nil,
            figures: PaperFixtures.figures(yes: 200, no: 500))
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

    /// A referendum open for voting with 2 regions of one precinct each (loadtest-setup), and the
    /// territorial commission of abai registered by the central commission.
    static func cliBoard(_ w: String) throws {
        try CLI.ok(["loadtest-setup", "--data", "d", "--voters", "6", "--regions", "2"], cwd: w)
        let pub = try CLI.ok(["paper", "new-key", "--key", "abai.key"], cwd: w)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let register = [
            "paper", "register", "--data", "d", "--signing-key", "d/central-commission.json", "--scope", "abai",
            "--name", "TEC Abai", "--commission-key", pub,
        ]
        XCTAssertTrue(try CLI.ok(register, cwd: w).contains("registered for abai"))
        XCTAssertTrue(try CLI.ok(register, cwd: w).contains("already registered"), "a re-run posts nothing")
        let wrong = try CLI.run(
            [
                "paper", "register", "--data", "d", "--signing-key", "abai.key", "--scope", "akmola", "--name", "x",
                "--commission-key", pub,
            ], cwd: w)
        XCTAssertTrue(wrong.stderr.contains("is a commission key, not a central-commission key"), wrong.stderr)
    }

    static let header =
        "precinct,voters_on_list,ballots_received,issued_in_room,issued_mobile,mobile_requests,cancelled,in_boxes,yes,no,invalid,not_counted"

    func testResultsThroughTheCLI() throws {
        let w = CLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: w) }
        try Self.cliBoard(w)
        try CLI.ok(["phase", "--data", "d", "closed"], cwd: w)
        try """
        \(Self.header)
        abai.d1.p1,1000,900,700,20,25,180,715,400,300,10,5
        akmola.d1.p1,800,700,500,0,0,200,500,100,390,10,0
        """.write(toFile: w + "/p.csv", atomically: true, encoding: .utf8)
        let scope = try CLI.run(["paper", "import", "--data", "d", "--key", "abai.key", "p.csv"], cwd: w)
        XCTAssertTrue(
            scope.stderr.contains("p.csv line 3: precinct akmola.d1.p1 is outside the signing commission's scope"),
            scope.stderr)
        try "\(Self.header)\nabai.d1.p1,1000,900,700,20,25,180,715,400,300,10,5\n".write(
            toFile: w + "/p.csv", atomically: true, encoding: .utf8)
        XCTAssertTrue(
            try CLI.ok(["paper", "import", "--data", "d", "--key", "abai.key", "p.csv"], cwd: w).contains("1 protocols")
        )
        let again = try CLI.run(["paper", "import", "--data", "d", "--key", "abai.key", "p.csv"], cwd: w)
        XCTAssertNotEqual(again.status, 0)
        XCTAssertTrue(
            again.stderr.contains(
                "p.csv line 2: precinct abai.d1.p1 already has a protocol: a correction needs a reason"),
            again.stderr)
        try "\(Self.header)\n".write(toFile: w + "/h.csv", atomically: true, encoding: .utf8)
        XCTAssertTrue(
            try CLI.run(["paper", "import", "--data", "d", "--key", "abai.key", "h.csv"], cwd: w).stderr.contains(
                "h.csv line 1: a header and no protocol rows"))
        let out = try CLI.ok(["results", "--data", "d", "--json"], cwd: w)
        let j = try JSONSerialization.jsonObject(with: Data(out.utf8)) as! [String: Any]
        for key in [
            "eligible", "participants", "yes", "no", "invalid", "not_counted", "turnout", "valid", "adopted",
            "regions_with_yes_majority", "regions_total", "regions",
        ] {
            XCTAssertNotNil(j[key], key)
        }
        XCTAssertEqual(j["participants"] as? Int, 715)
        XCTAssertEqual(j["yes"] as? Int, 400)
        XCTAssertEqual(j["invalid"] as? Int, 10)
        XCTAssertEqual(j["provisional"] as? Bool, true)
        XCTAssertEqual((j["regions"] as! [[String: Any]]).count, 2)
        let table = try CLI.ok(["results", "--data", "d"], cwd: w)
        XCTAssertTrue(table.contains("Outcome:") && table.contains("PROVISIONAL, not final: 1 of 2"), table)
        let early = try CLI.run(
            ["paper", "certify", "--data", "d", "--signing-key", "d/central-commission.json"], cwd: w)
        XCTAssertTrue(early.stderr.contains("cannot be certified yet: PROVISIONAL"), early.stderr)
    }
}

final class PaperHTTPTests: XCTestCase {
    func testProtocolsAndTurnoutOverHTTP() async throws {
        let s = try await ReferendumTests.ready(store: MemoryBoardStore())
        let key = try await s.commission("abai.d1.p1")
        let server = ReferendumService(
            referendum: s.ref, registry: nil, cipher: nil, officials: OfficialRegistry(entries: []))
        let p1 = PrecinctProtocol(
            referendum: s.ref.manifest.id, precinct: "abai.d1.p1", version: 1, reason: nil,
            figures: PaperFixtures.figures())
        @Sendable func body(_ payloads: [[UInt8]]) -> ByteBuffer {
            ByteBuffer(bytes: try! JSONEncoder().encode(["payloads": payloads.map { Hex.encode($0) }]))
        }
        @Sendable func one(_ payload: [UInt8]) -> ByteBuffer {
            ByteBuffer(bytes: try! JSONEncoder().encode(["payload": Hex.encode(payload)]))
        }
        let base = s.ref.baseHash
        let ref = s.ref
        try await buildApplication(server).test(.router) { c in
            let h: HTTPFields = [.contentType: "application/json"]
            let t = try CommissionSigned(
                TurnoutReport(precinct: "abai.d1.p1", time: "10:00", votersOnList: 1000, issued: 120), key: key,
                base: base)
            let s5 = try await c.execute(
                uri: "/api/v1/turnout-reports", method: .post, headers: h, body: one(t.payload)
            ) {
                $0.status
            }
            XCTAssertEqual(s5, .created)
            let late = try CommissionSigned(
                TurnoutReport(precinct: "abai.d1.p1", time: "11:00", votersOnList: 1000, issued: 130), key: key,
                base: base)
            let s6 = try await c.execute(
                uri: "/api/v1/turnout-reports", method: .post, headers: h, body: one(late.payload)
            ) { $0.status }
            XCTAssertEqual(s6, .unprocessableContent, "not an official time")
            try await ref.advance(to: .closed)
            let stranger = try CommissionSigned(p1, key: .init(), base: base)
            let s1 = try await c.execute(
                uri: "/api/v1/protocols", method: .post, headers: h, body: body([stranger.payload])
            ) { (r: TestResponse) in (r.status, String(buffer: r.body)) }
            XCTAssertEqual(s1.0, .unprocessableContent)
            XCTAssertTrue(s1.1.contains("not registered for precinct abai.d1.p1"), s1.1)
            var forged = try CommissionSigned(p1, key: key, base: base).payload
            forged[forged.count - 1] ^= 1
            let s0 = try await c.execute(uri: "/api/v1/protocols", method: .post, headers: h, body: body([forged])) {
                (r: TestResponse) in (r.status, String(buffer: r.body))
            }
            XCTAssertEqual(s0.0, .unauthorized)
            XCTAssertTrue(s0.1.contains("bad_signature"), s0.1)
            let good = try CommissionSigned(p1, key: key, base: base)
            let s2 = try await c.execute(
                uri: "/api/v1/protocols", method: .post, headers: h, body: body([good.payload])
            ) {
                (r: TestResponse) in (r.status, String(buffer: r.body))
            }
            XCTAssertEqual(s2.0, .created)
            XCTAssertTrue(s2.1.contains("\"new\":1"), s2.1)
            var other = p1
            other.figures = PaperFixtures.figures(yes: 300, no: 400)
            let swapped = try CommissionSigned(other, key: key, base: base)
            let s3 = try await c.execute(
                uri: "/api/v1/protocols", method: .post, headers: h, body: body([swapped.payload])
            ) { $0.status }
            XCTAssertEqual(s3, .conflict, "a second, different version 1")
            var bad = p1
            bad.version = 2
            bad.reason = "recount"
            bad.figures.cancelled = 1
            let s4 = try await c.execute(
                uri: "/api/v1/protocols", method: .post, headers: h,
                body: body([try CommissionSigned(bad, key: key, base: base).payload])
            ) { (r: TestResponse) in (r.status, String(buffer: r.body)) }
            XCTAssertEqual(s4.0, .unprocessableContent)
            XCTAssertTrue(s4.1.contains("ballots received"), s4.1)
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
            XCTAssertEqual(official["precincts_total"] as? Int, ref.manifest.precinctsInOrder.count)
            XCTAssertTrue(
                (official["status_text"] as? String ?? "").hasPrefix("PROVISIONAL, not final: 1 of "), "\(official)")
            let turnout = try await c.execute(uri: "/api/v1/paper-turnout", method: .get) { String(buffer: $0.body) }
            XCTAssertTrue(turnout.contains("\"national\":[0.12"), turnout)
        }
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
        try PaperTests.cliBoard(w)
        try CLI.ok(
            [
                "paper", "turnout", "--data", "d", "--key", "abai.key", "--precinct", "abai.d1.p1", "--time", "10:00",
                "--voters-on-list", "1000", "--issued", "120",
            ], cwd: w)
        try CLI.ok(["phase", "--data", "d", "closed"], cwd: w)
        try "\(PaperTests.header)\nabai.d1.p1,1000,900,700,20,25,180,715,400,300,10,5\n".write(
            toFile: w + "/p.csv", atomically: true, encoding: .utf8)
        try CLI.ok(["paper", "import", "--data", "d", "--key", "abai.key", "p.csv"], cwd: w)
        try """
        \(PaperTests.header),reason
        abai.d1.p1,1000,900,700,20,25,180,715,390,310,10,5,recount ordered by the territorial commission
        """.write(toFile: w + "/c.csv", atomically: true, encoding: .utf8)
        try CLI.ok(["paper", "import", "--data", "d", "--key", "abai.key", "c.csv"], cwd: w)
        XCTAssertTrue(
            try CLI.ok(["paper", "history", "--data", "d", "--precinct", "abai.d1.p1"], cwd: w).contains(
                "recount ordered by the territorial commission"))
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
