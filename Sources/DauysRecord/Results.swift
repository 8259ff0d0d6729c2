import DauysCrypto
import Foundation

/// Results of one tally unit: option totals per question.
public struct UnitResult: Codable, Equatable, Sendable {
    public var id: String
    public var regions: [String]
    public var ballots: UInt64
    /// totals[question][option]
    public var totals: [[UInt64]]

    public init(id: String, regions: [String], ballots: UInt64, totals: [[UInt64]]) {
        self.id = id
        self.regions = regions
        self.ballots = ballots
        self.totals = totals
    }
}

/// Turnout and participation of one region, with the tally of its unit.
public struct RegionResult: Codable, Equatable, Sendable {
    public var id: String
    /// Voters entitled to take part.
    public var eligible: UInt64
    /// Voters who took part (ballots counted, including invalid or not-counted paper ballots).
    public var participants: UInt64
    /// The tally unit whose totals stand for this region ("" if no ballot).
    public var unit: String
    /// totals[question][option] of the region (of its folded unit if folded).
    public var totals: [[UInt64]]
    /// Invalid and valid-but-not-counted ballots (paper) — part of the participants.
    public var invalid: UInt64
    public var notCounted: UInt64
    /// For each question, whether this region had a majority for the first option on its own
    /// figures: "majority", "none", or "undetermined" (its e-votes folded with others', §8).
    public var majority: [String]

    enum CodingKeys: String, CodingKey {
        case id, eligible, participants, unit, totals, invalid, notCounted = "not_counted", majority
    }
}

/// Which rule decided a question's outcome: a stable code in the record (record.md §8.3);
/// `text` renders it for people.
public enum DecidedBy: String, Codable, Equatable, Sendable, CaseIterable {
    /// Valid and adopted: every rule in force is met.
    case allRulesMet = "all_rules_met"
    /// Not valid: not more than half of the eligible voters took part.
    case turnoutNotMajority = "turnout_not_majority"
    /// Not adopted: not more than half of the participants chose the first option.
    case participantsNotMajority = "participants_not_majority"
    /// Not adopted: the majority was reached in fewer than two thirds of the regions.
    case regionsBelowTwoThirds = "regions_below_two_thirds"
    /// Not adopted, undetermined: whether two thirds of the regions had a majority depends on
    /// regions whose e-votes were folded with other regions' for privacy (record.md §8).
    case regionsUndetermined = "regions_undetermined"
}

/// What is known of one region's figures for one question: its participants, and bounds on
/// the votes for the first option — equal when the region is its own tally unit, apart when
/// its e-votes were added up with other regions' (record.md §8).
public struct RegionFigures: Equatable, Sendable {
    public var participants: UInt64
    public var yesAtLeast: UInt64
    public var yesAtMost: UInt64
    public init(participants: UInt64, yesAtLeast: UInt64, yesAtMost: UInt64) {
        self.participants = participants
        self.yesAtLeast = yesAtLeast
        self.yesAtMost = yesAtMost
    }
    public init(participants: UInt64, yes: UInt64) {
        self.init(participants: participants, yesAtLeast: yes, yesAtMost: yes)
    }

    /// true: a majority for the first option whatever the unknown split; false: none whatever
    /// it is; nil: it depends on it. A region without participants has no majority.
    /// The region's entry in `RegionResult.majority`.
    public var verdict: String {
        switch majority {
        case true?: "majority"
        case false?: "none"
        case nil: "undetermined"
        }
    }

    public var majority: Bool? {
        if participants == 0 || 2 * yesAtMost <= participants { return false }
        return 2 * yesAtLeast > participants ? true : nil
    }

    /// Bounds on each member's first-option votes when only the unit's total `yes` is known and
    /// each member's votes lie between 0 and its participants.
    public static func split(yes: UInt64, participants: [UInt64]) -> [(atLeast: UInt64, atMost: UInt64)] {
        let total = participants.reduce(0, +)
        return participants.map { p in
            let others = total - p
            return (yes > others ? yes - others : 0, min(p, yes))
        }
    }
}

/// The law's verdict on one question.
public struct QuestionOutcome: Codable, Equatable, Sendable {
    public var id: String
    public var eligible: UInt64
    public var participants: UInt64
    public var totals: [UInt64]
    /// More than half of the eligible took part (or the rule is off).
    public var valid: Bool
    public var adopted: Bool
    /// Regions where more than half of the participants chose the first option, on the
    /// region's own figures.
    public var regionsWithMajority: Int
    /// Regions whose majority cannot be told because their e-votes were folded with others'.
    public var regionsUndetermined: Int
    public var regionsTotal: Int
    /// Which rule decided.
    public var decidedBy: DecidedBy

    enum CodingKeys: String, CodingKey {
        case id, eligible, participants, totals, valid, adopted
        case regionsWithMajority = "regions_with_majority", regionsUndetermined = "regions_undetermined"
        case regionsTotal = "regions_total", decidedBy = "decided_by"
    }

    /// The decision rules of the referendum law, art. 31 (record.md §8.3) — the one function
    /// that decides every result, e-vote and official. Majorities are strict (exactly one
    /// half is not "more than half"); "at least two thirds" of n regions is 3·m ≥ 2·n, where m
    /// counts only regions with a majority on their own figures; when regions whose majority is
    /// unknown (u, folded e-votes) could tip it either way the outcome is undetermined. With
    /// both majority rules switched off, a simple majority of the participants decides.
    public static func decide(
        id: String, rules: DecisionRules, eligible: UInt64, participants: UInt64, totals: [UInt64],
        regionsWithMajority: Int, regionsUndetermined: Int = 0, regionsTotal: Int
    ) -> QuestionOutcome {
        let yes = totals.first ?? 0
        let valid = !rules.turnoutMajority || 2 * participants > eligible
        let majority = 2 * yes > participants
        let decidedBy: DecidedBy
        if !valid {
            decidedBy = .turnoutNotMajority
        } else if (rules.participantMajority || !rules.regionalTwoThirds) && !majority {
            decidedBy = .participantsNotMajority
        } else if rules.regionalTwoThirds && 3 * (regionsWithMajority + regionsUndetermined) < 2 * regionsTotal {
            decidedBy = .regionsBelowTwoThirds
        } else if rules.regionalTwoThirds && 3 * regionsWithMajority < 2 * regionsTotal {
            decidedBy = .regionsUndetermined
        } else {
            decidedBy = .allRulesMet
        }
        return QuestionOutcome(
            id: id, eligible: eligible, participants: participants, totals: totals, valid: valid,
            adopted: decidedBy == .allRulesMet, regionsWithMajority: regionsWithMajority,
            regionsUndetermined: regionsUndetermined, regionsTotal: regionsTotal, decidedBy: decidedBy)
    }

    /// The same, counting the regions' majorities from what is known of their figures.
    public static func decide(
        id: String, rules: DecisionRules, eligible: UInt64, participants: UInt64, totals: [UInt64],
        regions: [RegionFigures]
    ) -> QuestionOutcome {
        decide(
            id: id, rules: rules, eligible: eligible, participants: participants, totals: totals,
            regionsWithMajority: regions.count { $0.majority == true },
            regionsUndetermined: regions.count { $0.majority == nil }, regionsTotal: regions.count)
    }

    /// The deciding rule in words, for tables and pages.
    public var explanation: String {
        switch decidedBy {
        case .allRulesMet: "all rules met"
        case .turnoutNotMajority:
            "not valid: \(participants) of \(eligible) eligible voters took part, not more than half"
        case .participantsNotMajority:
            "not adopted: \(totals.first ?? 0) of \(participants) participants chose the first option, not more than half"
        case .regionsBelowTwoThirds:
            "not adopted: majority in \(regionsWithMajority) of \(regionsTotal) regions, fewer than two thirds"
                + (regionsUndetermined > 0 ? " even with the \(regionsUndetermined) undetermined" : "")
        case .regionsUndetermined:
            "undetermined: majority in \(regionsWithMajority) of \(regionsTotal) regions; \(regionsUndetermined) more "
                + "cannot be told because their e-votes were added up with other regions' for privacy"
        }
    }
}

/// The published results: integers and booleans only, so every verifier computes the very
/// same canonical JSON.
public struct Results: Codable, Equatable, Sendable {
    public var referendum: String
    public var units: [UnitResult]
    public var regions: [RegionResult]
    public var questions: [QuestionOutcome]

    /// Applies the decision rules of each question.
    public static func compute(
        manifest: Manifest, eligible: [UInt64], participants: [UInt64], units: [UnitResult],
        invalid: [UInt64]? = nil, notCounted: [UInt64]? = nil, figures: [[RegionFigures]]? = nil
    ) -> Results {
        let nq = manifest.questions.count
        var unitOf: [Int: Int] = [:]
        for (ui, u) in units.enumerated() {
            for rid in u.regions {
                if let ri = manifest.regions.firstIndex(where: { $0.id == rid }) { unitOf[ri] = ui }
            }
        }
        var regions: [RegionResult] = []
        for (ri, r) in manifest.regions.enumerated() {
            let u = unitOf[ri].map { units[$0] }
            regions.append(
                RegionResult(
                    id: r.id, eligible: eligible[ri], participants: participants[ri], unit: u?.id ?? "",
                    totals: u?.totals ?? manifest.questions.map { [UInt64](repeating: 0, count: $0.options.count) },
                    invalid: invalid?[ri] ?? 0, notCounted: notCounted?[ri] ?? 0, majority: []))
        }
        var outcomes: [QuestionOutcome] = []
        for qi in 0..<nq {
            let q = manifest.questions[qi]
            var totals = [UInt64](repeating: 0, count: q.options.count)
            for u in units { for (oi, v) in u.totals[qi].enumerated() { totals[oi] += v } }
            let f =
                figures?[qi]
                ?? regionFigures(question: qi, manifest: manifest, participants: participants, units: units)
            for ri in regions.indices { regions[ri].majority.append(f[ri].verdict) }
            outcomes.append(
                QuestionOutcome.decide(
                    id: q.id, rules: q.rules, eligible: eligible.reduce(0, +), participants: participants.reduce(0, +),
                    totals: totals, regions: f))
        }
        return Results(referendum: manifest.id, units: units, regions: regions, questions: outcomes)
    }

    /// Each region's figures for question `qi` on its own: exact for a region that is its own
    /// unit, bounded (`RegionFigures.split`) for the members of a unit of several regions, none
    /// for a region in no unit (no participant).
    public static func regionFigures(
        question qi: Int, manifest: Manifest, participants: [UInt64], units: [UnitResult]
    ) -> [RegionFigures] {
        let index = Dictionary(uniqueKeysWithValues: manifest.regions.enumerated().map { ($1.id, $0) })
        var out = participants.map { RegionFigures(participants: $0, yes: 0) }
        for u in units {
            let members = u.regions.compactMap { index[$0] }
            let yes = u.totals[qi].first ?? 0
            for (m, b) in zip(members, RegionFigures.split(yes: yes, participants: members.map { participants[$0] })) {
                out[m] = RegionFigures(participants: participants[m], yesAtLeast: b.atLeast, yesAtMost: b.atMost)
            }
        }
        return out
    }

    public var payload: [UInt8] { Array(try! CanonicalJSON.encode(self)) }

    /// Re-applies the rules after national totals changed (figures outside any region).
    public static func recomputeOutcomes(_ r: Results, manifest: Manifest) -> Results {
        var out = r
        for (qi, q) in manifest.questions.enumerated() {
            let o = out.questions[qi]
            out.questions[qi] = QuestionOutcome.decide(
                id: o.id, rules: q.rules, eligible: o.eligible, participants: o.participants, totals: o.totals,
                regionsWithMajority: o.regionsWithMajority, regionsUndetermined: o.regionsUndetermined,
                regionsTotal: o.regionsTotal)
        }
        return out
    }
}
