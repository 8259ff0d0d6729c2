import DauysRecord
import XCTest

/// The decision rules of the referendum law (art. 31) and their edge cases.
final class RulesTests: XCTestCase {
    /// `regions` regions with (eligible, participants, yes, no) each, one unit per region.
    func outcome(
        _ regions: [(UInt64, UInt64, UInt64, UInt64)], rules: DecisionRules = DecisionRules(regionalTwoThirds: true)
    ) -> QuestionOutcome {
        var m = Manifest.kazakhstan2026(regions: regions.count)
        m.questions[0].rules = rules
        let units = regions.enumerated().filter { $0.element.1 > 0 }.map {
            UnitResult(
                id: m.regions[$0.offset].id, regions: [m.regions[$0.offset].id], ballots: $0.element.1,
                totals: [[$0.element.2, $0.element.3]])
        }
        return Results.compute(manifest: m, eligible: regions.map(\.0), participants: regions.map(\.1), units: units)
            .questions[0]
    }

    func testExactlyHalfTurnoutIsNotValid() {
        let o = outcome([(100, 50, 50, 0)])
        XCTAssertFalse(o.valid)
        XCTAssertFalse(o.adopted)
        XCTAssertEqual(o.decidedBy, .turnoutNotMajority)
        XCTAssertTrue(outcome([(100, 51, 51, 0)]).valid)
    }

    func testExactlyHalfYesIsNotAdopted() {
        let o = outcome([(100, 80, 40, 40)])
        XCTAssertTrue(o.valid)
        XCTAssertFalse(o.adopted)
        XCTAssertEqual(o.decidedBy, .participantsNotMajority)
        // Invalid ballots count as participants: 41 yes of 80 participants with 39 no is adopted,
        // 40 yes of 81 participants is not.
        XCTAssertTrue(outcome([(100, 80, 41, 39)]).adopted)
        XCTAssertFalse(outcome([(100, 81, 40, 39)]).adopted)
    }

    func testTwoThirdsOfRegions() {
        // 3 regions: majority in 2 = exactly two thirds → adopted.
        let two = outcome([(100, 80, 60, 20), (100, 80, 60, 20), (100, 80, 20, 60)])
        XCTAssertEqual(two.regionsWithMajority, 2)
        XCTAssertTrue(two.adopted)
        // 20 regions: 13 is fewer than two thirds, 14 is enough.
        let r13 = (0..<20).map { i in (UInt64(100), UInt64(80), UInt64(i < 13 ? 70 : 30), UInt64(i < 13 ? 10 : 50)) }
        let r14 = (0..<20).map { i in (UInt64(100), UInt64(80), UInt64(i < 14 ? 50 : 35), UInt64(i < 14 ? 30 : 45)) }
        XCTAssertFalse(outcome(r13).adopted)
        XCTAssertEqual(outcome(r13).decidedBy, .regionsBelowTwoThirds)
        XCTAssertTrue(outcome(r13).explanation.contains("13 of 20"))
        XCTAssertEqual(outcome(r14).regionsWithMajority, 14)
        XCTAssertTrue(outcome(r14).adopted)
        // Without the regional rule the same figures are adopted nationally.
        XCTAssertTrue(outcome(r13, rules: DecisionRules()).adopted)
    }

    func testRegionWithZeroParticipants() {
        let o = outcome([(100, 90, 80, 10), (100, 90, 80, 10), (50, 0, 0, 0)])
        XCTAssertEqual(o.regionsWithMajority, 2)
        XCTAssertEqual(o.regionsTotal, 3)
        XCTAssertTrue(o.adopted)
        XCTAssertEqual(o.participants, 180)
    }

    func testTallyUnitsFoldSmallRegions() {
        var m = Manifest.kazakhstan2026(regions: 5, privacyFloor: 10)
        var units = RecordContext.tallyUnits(manifest: m, ballotsPerRegion: [50, 3, 0, 4, 20])
        // Regions 1 and 3 (3 + 4 < 10) are folded with the smallest other region (4: 20 ballots).
        XCTAssertEqual(units.map(\.id), ["abai", "folded"])
        XCTAssertEqual(units[1].regions, [1, 3, 4])
        XCTAssertEqual(units[1].ballots, 27)
        units = RecordContext.tallyUnits(manifest: m, ballotsPerRegion: [50, 12, 0, 10, 20])
        XCTAssertEqual(units.map(\.id), ["abai", "akmola", "almaty-region", "atyrau"])
        m.tally.unit = "national"
        XCTAssertEqual(
            RecordContext.tallyUnits(manifest: m, ballotsPerRegion: [1, 2, 0, 0, 0]).map(\.id), ["national"])
        XCTAssertEqual(RecordContext.tallyUnits(manifest: m, ballotsPerRegion: [0, 0, 0, 0, 0]).count, 0)
    }

    func testManifestInvariants() {
        var m = Manifest.kazakhstan2026(regions: 3)
        XCTAssertNoThrow(try m.validate())
        m.regions[1].id = m.regions[0].id
        m.questions[0].options = [m.questions[0].options[0]]
        m.trustees.quorum = 9
        m.schedule.votingCloses = "2026-03-15T06:00:00+05:00"
        m.title.kk = " "
        XCTAssertThrowsError(try m.validate()) { e in
            let text = "\(e)"
            for expected in [
                "is used twice", "at least two options", "quorum", "open before it closes",
                "Kazakh, Russian and English",
            ] {
                XCTAssertTrue(text.contains(expected), "missing: \(expected) in \(text)")
            }
        }
    }
}

extension RulesTests {
    /// One rules function: recomputing an outcome (as the official result does after adding
    /// folded e-votes) gives exactly what computing it did, for every switch of the rules.
    func testRecomputedOutcomesAgreeWithComputedOnes() {
        let figures: [[(UInt64, UInt64, UInt64, UInt64)]] = [
            [(100, 80, 60, 20), (100, 80, 20, 60), (100, 80, 20, 60)], [(100, 80, 40, 40)], [(100, 40, 40, 0)],
        ]
        for f in figures {
            for bits in 0..<8 {
                let rules = DecisionRules(
                    turnoutMajority: bits & 1 != 0, participantMajority: bits & 2 != 0, regionalTwoThirds: bits & 4 != 0
                )
                var m = Manifest.kazakhstan2026(regions: f.count)
                m.questions[0].rules = rules
                let units = f.enumerated().map {
                    UnitResult(
                        id: m.regions[$0.offset].id, regions: [m.regions[$0.offset].id], ballots: $0.element.1,
                        totals: [[$0.element.2, $0.element.3]])
                }
                let r = Results.compute(manifest: m, eligible: f.map(\.0), participants: f.map(\.1), units: units)
                XCTAssertEqual(Results.recomputeOutcomes(r, manifest: m), r, "rules \(rules)")
            }
        }
        // Both majority rules off: a simple majority of the participants decides.
        let off = outcome(
            [(100, 80, 40, 40)],
            rules: DecisionRules(turnoutMajority: true, participantMajority: false, regionalTwoThirds: false))
        XCTAssertEqual(off.decidedBy, .participantsNotMajority)
        XCTAssertFalse(off.adopted)
    }
}
