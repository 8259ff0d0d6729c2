import DauysPaper
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

    /// The same regions as paper protocols only: the official result applies the very same rules.
    func official(
        _ regions: [(UInt64, UInt64, UInt64, UInt64)], rules: DecisionRules = DecisionRules(regionalTwoThirds: true)
    ) -> QuestionOutcome {
        var m = Manifest.kazakhstan2026(regions: regions.count, districts: 1, precincts: 1)
        m.questions[0].rules = rules
        var protocols: [String: PrecinctProtocol] = [:]
        for (i, r) in regions.enumerated() {
            let (list, participants, yes, no) = r
            let f = ProtocolFigures(
                votersOnList: list, ballotsReceived: participants, issuedInRoom: participants, issuedMobile: 0,
                mobileRequests: 0, cancelled: 0, inBoxes: participants,
                questions: [.init(options: [yes, no], invalid: participants - yes - no, notCounted: 0)])
            XCTAssertEqual(f.violations(manifest: m), [])
            let id = m.regions[i].districts[0].precincts[0].id
            protocols[id] = PrecinctProtocol(referendum: m.id, precinct: id, version: 1, reason: nil, figures: f)
        }
        return OfficialResult.compute(manifest: m, protocols: protocols, evote: nil).0.questions[0]
    }

    /// record.md §8's edge cases, for the official result exactly as for the e-vote result.
    func testOfficialResultEdgeCasesMatchTheEVoteRules() {
        let cases: [[(UInt64, UInt64, UInt64, UInt64)]] = [
            [(100, 50, 50, 0)], [(100, 51, 51, 0)],  // exactly half took part / just over
            [(100, 80, 40, 40)], [(100, 80, 41, 39)], [(100, 81, 40, 39)],  // exactly half yes; invalid ballots
            [(100, 80, 60, 20), (100, 80, 60, 20), (100, 80, 20, 60)],  // exactly two thirds of regions
            [(100, 80, 75, 5), (100, 80, 30, 50), (100, 80, 30, 50)],  // one third
            [(100, 90, 80, 10), (100, 90, 80, 10), (50, 0, 0, 0)],  // a region with no participant
        ]
        for c in cases {
            let o = official(c), e = outcome(c)
            XCTAssertEqual(o.decidedBy, e.decidedBy, "\(c)")
            XCTAssertEqual(o.adopted, e.adopted, "\(c)")
            XCTAssertEqual(o.regionsWithMajority, e.regionsWithMajority, "\(c)")
        }
        XCTAssertEqual(official([(100, 50, 50, 0)]).decidedBy, .turnoutNotMajority)
        XCTAssertEqual(official([(100, 80, 40, 40)]).decidedBy, .participantsNotMajority)
        XCTAssertTrue(official([(100, 80, 60, 20), (100, 80, 60, 20), (100, 80, 20, 60)]).adopted)
        XCTAssertEqual(
            official([(100, 80, 75, 5), (100, 80, 30, 50), (100, 80, 30, 50)]).decidedBy, .regionsBelowTwoThirds)
        XCTAssertTrue(official([(100, 90, 80, 10), (100, 90, 80, 10), (50, 0, 0, 0)]).adopted)
        // Both majority rules off: a simple majority of the participants decides, turnout aside.
        let off = DecisionRules(turnoutMajority: false, participantMajority: false, regionalTwoThirds: false)
        XCTAssertTrue(official([(100, 10, 6, 4)], rules: off).adopted)
        XCTAssertFalse(official([(100, 10, 5, 5)], rules: off).adopted)
        XCTAssertEqual(
            official([(100, 10, 5, 5)], rules: off).decidedBy, outcome([(100, 10, 5, 5)], rules: off).decidedBy)
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
            [(100, 80, 75, 5), (100, 80, 30, 50), (100, 80, 30, 50)], [(100, 80, 40, 40)], [(100, 40, 40, 0)],
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

/// record.md §8: the regional rule never credits a region with a majority it did not have.
extension RulesTests {
    /// E-vote results of regions with (participants, yes) each, tallied in the units the board
    /// forms (privacy floor 10, folding small regions).
    func folded(_ regions: [(UInt64, UInt64)]) -> (Manifest, Results) {
        var m = Manifest.kazakhstan2026(regions: regions.count, privacyFloor: 10)
        m.questions[0].rules = DecisionRules(turnoutMajority: false, participantMajority: true, regionalTwoThirds: true)
        let units = RecordContext.tallyUnits(manifest: m, ballotsPerRegion: regions.map(\.0)).map { u in
            let yes = u.regions.reduce(0) { $0 + regions[$1].1 }
            return UnitResult(
                id: u.id, regions: u.regions.map { m.regions[$0].id }, ballots: u.ballots,
                totals: [[yes, u.ballots - yes]])
        }
        let r = Results.compute(
            manifest: m, eligible: regions.map { _ in 100 }, participants: regions.map(\.0), units: units)
        return (m, r)
    }

    func testFoldedRegionsAreNotCreditedWithTheFoldedMajority() {
        // Abai 12 yes, Akmola 3 no, Aktobe 3 no: one folded unit of 12 yes / 6 no. The true count
        // is 1 of 3; the record cannot tell it, so it must not say 3 of 3.
        let (m, r) = folded([(12, 12), (3, 0), (3, 0)])
        XCTAssertEqual(r.units.map(\.id), ["folded"])
        let q = r.questions[0]
        XCTAssertFalse(q.adopted)
        XCTAssertEqual(q.decidedBy, .regionsUndetermined)
        XCTAssertEqual(q.regionsWithMajority, 0)
        XCTAssertEqual(q.regionsUndetermined, 3)
        XCTAssertTrue(q.explanation.contains("undetermined"), q.explanation)
        XCTAssertEqual(r.regions.map(\.majority), [["undetermined"], ["undetermined"], ["undetermined"]])
        // The official result with no paper protocol says the same.
        let official = OfficialResult.compute(manifest: m, protocols: [:], evote: r).0.questions[0]
        XCTAssertEqual(official.decidedBy, .regionsUndetermined)
        XCTAssertEqual(official.regionsUndetermined, 3)
        XCTAssertEqual(official.participants, 18)
        XCTAssertEqual(official.totals, [12, 6])
    }

    func testKnownFiguresDecideDespiteFolding() {
        // Two large regions with clear majorities; a 3-voter region folded with the smaller
        // one: that one's majority holds whatever the 3 did, the small one is undetermined,
        // and 2 of 3 regions is two thirds: adopted.
        let (m, r) = folded([(100, 90), (50, 45), (3, 0)])
        XCTAssertEqual(r.units.map(\.id), ["abai", "folded"])
        let q = r.questions[0]
        XCTAssertEqual(q.regionsWithMajority, 2)
        XCTAssertEqual(q.regionsUndetermined, 1)
        XCTAssertEqual(q.decidedBy, .allRulesMet)
        XCTAssertEqual(r.regions.map(\.majority), [["majority"], ["majority"], ["undetermined"]])
        XCTAssertEqual(
            OfficialResult.compute(manifest: m, protocols: [:], evote: r).0.questions[0].decidedBy, .allRulesMet)
        // Clear minorities and one undetermined region cannot reach two thirds: not adopted.
        let (_, low) = folded([(100, 10), (50, 45), (3, 3)])
        XCTAssertEqual(low.questions[0].decidedBy, .participantsNotMajority)
        let (_, split) = folded([(100, 90), (50, 5), (3, 3), (60, 10)])
        XCTAssertEqual(split.questions[0].decidedBy, .regionsBelowTwoThirds)
        XCTAssertEqual(split.questions[0].regionsUndetermined, 1)
    }

    func testNationalUnitWithTheRegionalRuleIsRefused() {
        var m = Manifest.kazakhstan2026(regions: 3)
        m.tally.unit = "national"
        m.questions[0].rules.regionalTwoThirds = true
        XCTAssertThrowsError(try m.validate()) {
            XCTAssertTrue("\($0)".contains("a national tally unit hides them"), "\($0)")
        }
        m.questions[0].rules.regionalTwoThirds = false
        XCTAssertNoThrow(try m.validate())
    }

    func testSplitBounds() {
        let b = RegionFigures.split(yes: 12, participants: [12, 3, 3])
        XCTAssertEqual(b.map(\.atLeast), [6, 0, 0])
        XCTAssertEqual(b.map(\.atMost), [12, 3, 3])
        XCTAssertEqual(RegionFigures(participants: 12, yesAtLeast: 7, yesAtMost: 12).majority, true)
        XCTAssertEqual(RegionFigures(participants: 12, yesAtLeast: 6, yesAtMost: 12).majority, nil)
        XCTAssertEqual(RegionFigures(participants: 12, yesAtLeast: 0, yesAtMost: 6).majority, false)
        XCTAssertEqual(RegionFigures(participants: 0, yes: 0).majority, false)
    }
}
