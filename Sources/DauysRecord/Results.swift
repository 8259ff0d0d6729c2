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

    enum CodingKeys: String, CodingKey {
        case id, eligible, participants, unit, totals, invalid, notCounted = "not_counted"
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
    /// Regions where more than half of the participants chose the first option.
    public var regionsWithMajority: Int
    public var regionsTotal: Int
    /// Which rule decided.
    public var decidedBy: DecidedBy

    enum CodingKeys: String, CodingKey {
        case id, eligible, participants, totals, valid, adopted
        case regionsWithMajority = "regions_with_majority", regionsTotal = "regions_total", decidedBy = "decided_by"
    }

    /// The decision rules of the referendum law, art. 31 (record.md §8.3) — the one function
    /// that decides every result, e-vote and official. Majorities are strict (exactly one
    /// half is not "more than half"); "at least two thirds" of n regions is 3·m ≥ 2·n. With
    /// both majority rules switched off, a simple majority of the participants decides.
    public static func decide(
        id: String, rules: DecisionRules, eligible: UInt64, participants: UInt64, totals: [UInt64],
        regionsWithMajority: Int, regionsTotal: Int
    ) -> QuestionOutcome {
        let yes = totals.first ?? 0
        let valid = !rules.turnoutMajority || 2 * participants > eligible
        let majority = 2 * yes > participants
        let twoThirds = 3 * regionsWithMajority >= 2 * regionsTotal
        let decidedBy: DecidedBy
        if !valid {
            decidedBy = .turnoutNotMajority
        } else if (rules.participantMajority || !rules.regionalTwoThirds) && !majority {
            decidedBy = .participantsNotMajority
        } else if rules.regionalTwoThirds && !twoThirds {
            decidedBy = .regionsBelowTwoThirds
        } else {
            decidedBy = .allRulesMet
        }
        return QuestionOutcome(
            id: id, eligible: eligible, participants: participants, totals: totals, valid: valid,
            adopted: decidedBy == .allRulesMet, regionsWithMajority: regionsWithMajority, regionsTotal: regionsTotal,
            decidedBy: decidedBy)
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
        invalid: [UInt64]? = nil, notCounted: [UInt64]? = nil
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
                    invalid: invalid?[ri] ?? 0, notCounted: notCounted?[ri] ?? 0))
        }
        var outcomes: [QuestionOutcome] = []
        for qi in 0..<nq {
            let q = manifest.questions[qi]
            var totals = [UInt64](repeating: 0, count: q.options.count)
            for u in units { for (oi, v) in u.totals[qi].enumerated() { totals[oi] += v } }
            var withMajority = 0
            for (ri, reg) in regions.enumerated() {
                // A folded region is judged by its folded unit's totals and participants.
                let (yes, part): (UInt64, UInt64) = {
                    guard let ui = unitOf[ri] else { return (0, participants[ri]) }
                    let members = units[ui].regions.compactMap { id in manifest.regions.firstIndex { $0.id == id } }
                    return (reg.totals[qi][0], members.reduce(0) { $0 + participants[$1] })
                }()
                if part > 0 && 2 * yes > part { withMajority += 1 }
            }
            outcomes.append(
                QuestionOutcome.decide(
                    id: q.id, rules: q.rules, eligible: eligible.reduce(0, +), participants: participants.reduce(0, +),
                    totals: totals, regionsWithMajority: withMajority, regionsTotal: manifest.regions.count))
        }
        return Results(referendum: manifest.id, units: units, regions: regions, questions: outcomes)
    }

    public var payload: [UInt8] { Array(try! CanonicalJSON.encode(self)) }

    /// Re-applies the rules after national totals changed (figures outside any region).
    public static func recomputeOutcomes(_ r: Results, manifest: Manifest) -> Results {
        var out = r
        for (qi, q) in manifest.questions.enumerated() {
            let o = out.questions[qi]
            out.questions[qi] = QuestionOutcome.decide(
                id: o.id, rules: q.rules, eligible: o.eligible, participants: o.participants, totals: o.totals,
                regionsWithMajority: o.regionsWithMajority, regionsTotal: o.regionsTotal)
        }
        return out
    }
}
