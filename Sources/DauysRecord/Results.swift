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
        self.id = id; self.regions = regions; self.ballots = ballots; self.totals = totals
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

    enum CodingKeys: String, CodingKey { case id, eligible, participants, unit, totals, invalid, notCounted = "not_counted" }
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
    /// Which rule decided, in words.
    public var decidedBy: String

    enum CodingKeys: String, CodingKey {
        case id, eligible, participants, totals, valid, adopted
        case regionsWithMajority = "regions_with_majority", regionsTotal = "regions_total", decidedBy = "decided_by"
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
    public static func compute(manifest: Manifest, eligible: [UInt64], participants: [UInt64], units: [UnitResult],
                               invalid: [UInt64]? = nil, notCounted: [UInt64]? = nil) -> Results {
        let nq = manifest.questions.count
        var unitOf: [Int: Int] = [:]
        for (ui, u) in units.enumerated() {
            for rid in u.regions { if let ri = manifest.regions.firstIndex(where: { $0.id == rid }) { unitOf[ri] = ui } }
        }
        var regions: [RegionResult] = []
        for (ri, r) in manifest.regions.enumerated() {
            let u = unitOf[ri].map { units[$0] }
            regions.append(RegionResult(
                id: r.id, eligible: eligible[ri], participants: participants[ri], unit: u?.id ?? "",
                totals: u?.totals ?? manifest.questions.map { [UInt64](repeating: 0, count: $0.options.count) },
                invalid: invalid?[ri] ?? 0, notCounted: notCounted?[ri] ?? 0))
        }
        var outcomes: [QuestionOutcome] = []
        for qi in 0..<nq {
            let q = manifest.questions[qi]
            var totals = [UInt64](repeating: 0, count: q.options.count)
            for u in units { for (oi, v) in u.totals[qi].enumerated() { totals[oi] += v } }
            let e = eligible.reduce(0, +), p = participants.reduce(0, +)
            // Strict majorities: exactly one half is not "more than half".
            let valid = !q.rules.turnoutMajority || 2 * p > e
            let nationalMajority = 2 * totals[0] > p
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
            let regionsTotal = manifest.regions.count
            // At least two thirds: 3·m ≥ 2·n.
            let twoThirds = 3 * withMajority >= 2 * regionsTotal
            var adopted = valid
            var decidedBy = "all rules met"
            if !valid {
                decidedBy = "not valid: \(p) of \(e) eligible voters took part, not more than half"
            } else if q.rules.participantMajority && !nationalMajority {
                adopted = false
                decidedBy = "not adopted: \(totals[0]) of \(p) participants chose \"\(q.options[0].id)\", not more than half"
            } else if q.rules.regionalTwoThirds && !twoThirds {
                adopted = false
                decidedBy = "not adopted: majority in \(withMajority) of \(regionsTotal) regions, fewer than two thirds"
            } else if !q.rules.participantMajority && !q.rules.regionalTwoThirds {
                adopted = valid && 2 * totals[0] > p
                decidedBy = adopted ? "simple majority of participants" : "no majority of participants"
            }
            outcomes.append(QuestionOutcome(
                id: q.id, eligible: e, participants: p, totals: totals, valid: valid, adopted: adopted,
                regionsWithMajority: withMajority, regionsTotal: regionsTotal, decidedBy: decidedBy))
        }
        return Results(referendum: manifest.id, units: units, regions: regions, questions: outcomes)
    }

    public var payload: [UInt8] { Array(try! CanonicalJSON.encode(self)) }

    /// Re-applies the rules after national totals changed (figures outside any region).
    public static func recomputeOutcomes(_ r: Results, manifest: Manifest) -> Results {
        var out = r
        for (qi, q) in manifest.questions.enumerated() {
            var o = out.questions[qi]
            let p = o.participants, e = o.eligible, y = o.totals[0]
            o.valid = !q.rules.turnoutMajority || 2 * p > e
            let twoThirds = 3 * o.regionsWithMajority >= 2 * o.regionsTotal
            o.adopted = o.valid && (!q.rules.participantMajority || 2 * y > p) && (!q.rules.regionalTwoThirds || twoThirds)
                && ((q.rules.participantMajority || q.rules.regionalTwoThirds) || 2 * y > p)
            o.decidedBy = !o.valid ? "not valid: \(p) of \(e) eligible voters took part, not more than half"
                : (q.rules.participantMajority && !(2 * y > p)) ? "not adopted: \(y) of \(p) participants chose \"\(q.options[0].id)\", not more than half"
                : (q.rules.regionalTwoThirds && !twoThirds) ? "not adopted: majority in \(o.regionsWithMajority) of \(o.regionsTotal) regions, fewer than two thirds"
                : "all rules met"
            out.questions[qi] = o
        }
        return out
    }
}
