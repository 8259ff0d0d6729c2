import Crypto
import DauysCrypto
import DauysRecord
import DauysReferendum
import DauysVerifier
import Foundation
import XCTest

/// The official result in the record (record.md §3.4, §8.4): protocols and turnout reports on
/// the board, the central commission's signed result, `dauys verify` re-deriving it, and every
/// forgery named by its check.
final class OfficialResultTests: XCTestCase {
    /// A closed referendum's board through to the certified official result, exported.
    struct Certified {
        let s: ReferendumTests.Setup
        let keys: [String: Curve25519.Signing.PrivateKey]
        let record: String
    }

    /// `protocolFor(precinct)` gives each precinct's figures; abai.d1.p1 gets a correction.
    func certified(
        _ dir: String, setup: ReferendumTests.Setup, votes: [(region: Int, voter: Int, yes: Bool)],
        protocolFor: (String) -> ProtocolFigures, correct: Bool = true
    ) async throws -> Certified {
        let s = setup
        var keys: [String: Curve25519.Signing.PrivateKey] = [:]
        for r in s.ref.manifest.regions { keys[r.id] = try await s.commission(r.id) }
        keys["abai.d1.p1"] = try await s.commission("abai.d1.p1")
        let last = s.ref.manifest.precinctsInOrder.last!.precinct
        keys[last] = try await s.commission(last)
        let ctx = s.ref.ballotContext!
        for v in votes {
            _ = try await s.ref.cast(
                try ctx.encrypt(selections: [v.yes ? [1, 0] : [0, 1]], credential: s.credentials[v.region][v.voter])
                    .bytes)
        }
        try await s.ref.submitTurnout([
            try CommissionSigned(
                TurnoutReport(precinct: "abai.d1.p1", time: "10:00", votersOnList: 1000, issued: 100),
                key: keys["abai.d1.p1"]!, base: s.ref.baseHash)
        ])
        try await s.ref.advance(to: .closed)
        let m = s.ref.manifest
        try await s.ref.submitProtocols(
            try m.precinctsInOrder.map { p in
                try s.signed(p.precinct, protocolFor(p.precinct), key: keys[m.regions[p.region].id]!)
            })
        if correct {
            var f = protocolFor("abai.d1.p1")
            f.questions[0].options = [f.questions[0].options[0] - 1, f.questions[0].options[1] + 1]
            try await s.ref.submitProtocols([
                try s.signed("abai.d1.p1", f, key: keys["abai.d1.p1"]!, version: 2, reason: "recount")
            ])
        }
        let tally = try await s.ref.computeTally()
        try await s.ref.advance(to: .tallied)
        try await ReferendumTests.decrypt(s, tally: tally)
        try await s.ref.advance(to: .decrypted)
        try await s.ref.publishResults()
        let r = s.ref.read { $0.computeOfficialResult() }
        // Only the central commission's key, and only the board's own sums.
        await assertThrowsAsync({
            try await s.ref.publishOfficialResult(try SignedOfficialResult(r, central: .init(), base: s.ref.baseHash))
        }) { XCTAssertTrue("\($0)".contains("not signed by the central commission"), "\($0)") }
        var inflated = r
        inflated.regions[0].participants += 1
        await assertThrowsAsync({
            try await s.ref.publishOfficialResult(
                try SignedOfficialResult(inflated, central: s.central, base: s.ref.baseHash))
        }) { XCTAssertTrue("\($0)".contains("differs from the sums"), "\($0)") }
        try await s.ref.publishOfficialResult(try SignedOfficialResult(r, central: s.central, base: s.ref.baseHash))
        try await s.ref.exportRecord(to: dir + "/rec")
        return Certified(s: s, keys: keys, record: dir + "/rec")
    }

    func failed(_ dir: String) async -> [String] {
        await RecordVerifier(directory: dir).run().failedChecks.map(\.name)
    }

    func testTamperedPaperEntriesAreNamed() async throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let s = try await ReferendumTests.ready(store: MemoryBoardStore())
        let c = try await certified(
            dir, setup: s, votes: [(0, 0, true), (0, 1, true), (1, 0, false)],
            protocolFor: { _ in PaperFixtures.figures() })
        let report = await RecordVerifier(directory: c.record).run()
        XCTAssertTrue(report.valid, "\(report.failedChecks)")
        XCTAssertTrue(report.officialPublished)
        XCTAssertEqual(report.precinctsReported, 12)
        let paperYes: UInt64 = 12 * 400 - 1, paperNo: UInt64 = 12 * 300 + 1
        XCTAssertEqual(report.official?.questions[0].participants, UInt64(12 * 715 + 3))
        XCTAssertEqual(report.official?.questions[0].totals, [paperYes + 2, paperNo + 1])

        let items = try RecordRewrite.entries(c.record)
        func protocolAt(_ precinct: String, version: Int) -> Int {
            items.firstIndex {
                guard $0.kind == .precinctProtocol,
                    let p = try? CommissionSigned<PrecinctProtocol>(payload: $0.payload).document
                else { return false }
                return p.precinct == precinct && p.version == version
            }!
        }
        func tampered(
            _ name: String, _ change: (inout [(kind: EntryKind, time: UInt64, payload: [UInt8])]) throws -> Void
        )
            async throws -> [String]
        {
            var copy = items
            try change(&copy)
            try RecordRewrite.rechain(copy, to: dir + "/" + name)
            return await failed(dir + "/" + name)
        }
        let base = s.ref.baseHash
        // A changed figure: the commission's signature no longer covers it.
        let figure = try await tampered("figure") { e in
            let i = protocolAt("abai.d2.p1", version: 1)
            let text = String(decoding: e[i].payload, as: UTF8.self)
            XCTAssertTrue(text.contains("[400,300]"))
            e[i].payload = Array(text.replacingOccurrences(of: "[400,300]", with: "[500,200]").utf8)
        }
        XCTAssertTrue(figure.contains("precinct protocols"), "\(figure)")
        // Signed by a registered commission whose scope is another precinct.
        let outOfScope = try await tampered("scope") { e in
            let i = protocolAt("abai.d2.p1", version: 1)
            let p = try CommissionSigned<PrecinctProtocol>(payload: e[i].payload).document
            let last = s.ref.manifest.precinctsInOrder.last!.precinct
            e[i].payload = try CommissionSigned(p, key: c.keys[last]!, base: base).payload
        }
        XCTAssertTrue(outOfScope.contains("precinct protocols"), "\(outOfScope)")
        // A version replaced: a second "version 1" in place of the correction.
        let replaced = try await tampered("replaced") { e in
            let i = protocolAt("abai.d1.p1", version: 2)
            var p = try CommissionSigned<PrecinctProtocol>(payload: e[i].payload).document
            p.version = 1
            p.reason = nil
            e[i].payload = try CommissionSigned(p, key: c.keys["abai.d1.p1"]!, base: base).payload
        }
        XCTAssertTrue(replaced.contains("protocol versions"), "\(replaced)")
        // A version missing: the first protocol of abai.d1.p1 dropped, its correction kept.
        let missing = try await tampered("missing") { e in e.remove(at: protocolAt("abai.d1.p1", version: 1)) }
        XCTAssertTrue(missing.contains("protocol versions"), "\(missing)")
        // An official result that differs from the sums, signed with the central commission's own key.
        let official = items.firstIndex { $0.kind == .officialResult }!
        let published = try SignedOfficialResult(payload: items[official].payload).results
        let sums = try await tampered("sums") { e in
            var r = published
            r.regions[1].totals[0][0] += 100
            e[official].payload = try SignedOfficialResult(r, central: s.central, base: base).payload
        }
        XCTAssertEqual(sums, ["official result"])
        let outcome = try await tampered("outcome") { e in
            var r = published
            r.questions[0].adopted.toggle()
            e[official].payload = try SignedOfficialResult(r, central: s.central, base: base).payload
        }
        XCTAssertEqual(outcome, ["decision rules"])
        let unsigned = try await tampered("unsigned") { e in
            e[official].payload = try SignedOfficialResult(published, central: .init(), base: base).payload
        }
        XCTAssertEqual(unsigned, ["official result"])
        // A commission key registered by someone else than the central commission.
        let key = try await tampered("key") { e in
            let i = e.firstIndex { $0.kind == .commissionKey }!
            let r = try CommissionRegistration(payload: e[i].payload)
            e[i].payload = try CommissionRegistration(
                scope: r.scope, name: r.name, key: try Curve25519.Signing.PublicKey(rawRepresentation: r.key),
                central: .init(), base: base
            ).payload
        }
        XCTAssertTrue(key.contains("commission keys"), "\(key)")
        // A turnout report moved before the 10:00 it reports on? Its entry time is checked.
        let early = try await tampered("early") { e in
            let i = e.firstIndex { $0.kind == .turnoutReport }!
            e[i].time = 1_000
        }
        XCTAssertTrue(early.contains("turnout reports"), "\(early)")
    }

    /// The review's folding case through the board: Abai 12 yes, Akmola 3 no, Aktobe 3 no
    /// e-votes, folded into one unit (privacy floor 10), no paper ballot. The official result
    /// does not credit any region with the folded majority: undetermined, not adopted; the
    /// e-vote table and the official table agree; the record verifies.
    func testFoldedRegionsThroughTheBoard() async throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let s = try await ReferendumTests.ready(
            store: MemoryBoardStore(), perRegion: 12, regions: 3, districts: 1, precincts: 1, privacyFloor: 10)
        var votes: [(Int, Int, Bool)] = (0..<12).map { (0, $0, true) }
        votes += (0..<3).map { (1, $0, false) } + (0..<3).map { (2, $0, false) }
        let nobody = PaperFixtures.figures(
            list: 100, received: 10, room: 0, mobile: 0, requests: 0, cancelled: 10, boxes: 0, yes: 0, no: 0,
            invalid: 0, notCounted: 0)
        let c = try await certified(
            dir, setup: s, votes: votes.map { ($0.0, $0.1, $0.2) }, protocolFor: { _ in nobody }, correct: false)
        let report = await RecordVerifier(directory: c.record).run()
        XCTAssertTrue(report.valid, "\(report.failedChecks)")
        let official = try XCTUnwrap(report.official)
        let q = official.questions[0]
        XCTAssertEqual(q.totals, [12, 6])
        XCTAssertFalse(q.adopted)
        XCTAssertEqual(q.regionsWithMajority, 0)
        XCTAssertEqual(q.regionsUndetermined, 3)
        XCTAssertEqual(official.regions.map(\.majority), report.results?.regions.map(\.majority))
    }
}
