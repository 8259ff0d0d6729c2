import DauysCrypto
import Foundation

/// Sums of protocol figures over any set of precincts.
public struct PaperTotals: Equatable, Sendable {
    public var precincts = 0
    public var votersOnList: UInt64 = 0
    public var issued: UInt64 = 0
    public var inBoxes: UInt64 = 0
    public var questions: [ProtocolFigures.QuestionFigures]

    public init(manifest: Manifest) {
        questions = manifest.questions.map {
            .init(options: [UInt64](repeating: 0, count: $0.options.count), invalid: 0, notCounted: 0)
        }
    }

    public mutating func add(_ f: ProtocolFigures) {
        precincts += 1
        votersOnList += f.votersOnList
        issued += f.issued
        inBoxes += f.inBoxes
        for (qi, q) in f.questions.enumerated() {
            for (oi, v) in q.options.enumerated() { questions[qi].options[oi] += v }
            questions[qi].invalid += q.invalid
            questions[qi].notCounted += q.notCounted
        }
    }
}

/// The official result: paper protocols rolled up precinct → district → region → nation, with
/// the e-voting tally of each region added, and the law's rules applied.
///
/// Lists: every voter is on one precinct list (e-voters too), so a region's eligible voters
/// are the sum of its lists when it has protocols, and its credential count otherwise.
/// Participants are ballots found in paper boxes plus counted e-ballots. A region whose
/// e-ballots were folded with others' (privacy floor) has them among its participants, but
/// their split between the options is known only for the folded unit: the national totals get
/// them, and the region's majority is judged on its paper figures plus the bounds of its share
/// of the folded unit (record.md §8) — exactly as the e-vote result judges it.
public enum OfficialResult {
    public static func compute(
        manifest: Manifest, protocols: [String: PrecinctProtocol], evote: Results?
    ) -> (Results, [PaperTotals]) {
        let regionOf: [String: Int] = {
            var m: [String: Int] = [:]
            for (ri, r) in manifest.regions.enumerated() {
                for d in r.districts { for p in d.precincts { m[p.id] = ri } }
            }
            return m
        }()
        var paper = manifest.regions.map { _ in PaperTotals(manifest: manifest) }
        for (precinct, p) in protocols { if let r = regionOf[precinct] { paper[r].add(p.figures) } }
        var eligible: [UInt64] = [], participants: [UInt64] = [], invalid: [UInt64] = [], notCounted: [UInt64] = []
        var units: [UnitResult] = []
        var foldedE = manifest.questions.map { [UInt64](repeating: 0, count: $0.options.count) }
        var foldedBallots: UInt64 = 0
        for (ri, r) in manifest.regions.enumerated() {
            let e = evote?.regions.first { $0.id == r.id }
            let own = e.map { $0.unit == r.id } ?? false
            let ePart: UInt64 = own ? (e?.participants ?? 0) : 0
            if let e, !own, !e.unit.isEmpty { foldedBallots += e.participants }
            eligible.append(paper[ri].precincts > 0 ? paper[ri].votersOnList : (e?.eligible ?? 0))
            participants.append(paper[ri].inBoxes + (e?.participants ?? 0))
            invalid.append(paper[ri].questions.first?.invalid ?? 0)
            notCounted.append(paper[ri].questions.first?.notCounted ?? 0)
            var totals = paper[ri].questions.map(\.options)
            if own, let e {
                for qi in totals.indices { for oi in totals[qi].indices { totals[qi][oi] += e.totals[qi][oi] } }
            }
            units.append(UnitResult(id: r.id, regions: [r.id], ballots: paper[ri].inBoxes + ePart, totals: totals))
        }
        // Each region on its own figures: paper plus its own e-votes, or plus the bounds of its
        // share of a folded e-vote unit.
        let eParticipants = manifest.regions.map { r in evote?.regions.first { $0.id == r.id }?.participants ?? 0 }
        let figures = manifest.questions.indices.map { qi -> [RegionFigures] in
            var f =
                (evote?.units).map {
                    Results.regionFigures(question: qi, manifest: manifest, participants: eParticipants, units: $0)
                } ?? eParticipants.map { RegionFigures(participants: $0, yes: 0) }
            for ri in f.indices {
                let yes = paper[ri].questions[qi].options.first ?? 0
                f[ri] = RegionFigures(
                    participants: participants[ri], yesAtLeast: f[ri].yesAtLeast + yes, yesAtMost: f[ri].yesAtMost + yes
                )
            }
            return f
        }
        if let ev = evote {
            for u in ev.units where u.regions.count > 1 || !manifest.regions.contains(where: { $0.id == u.id }) {
                for qi in foldedE.indices { for oi in foldedE[qi].indices { foldedE[qi][oi] += u.totals[qi][oi] } }
            }
        }
        var result = Results.compute(
            manifest: manifest, eligible: eligible, participants: participants, units: units,
            invalid: invalid, notCounted: notCounted, figures: figures)
        if foldedBallots > 0 {
            // Folded e-ballots: already among the participants; their votes in the national totals.
            for qi in result.questions.indices {
                for oi in result.questions[qi].totals.indices { result.questions[qi].totals[oi] += foldedE[qi][oi] }
            }
            result = Results.recomputeOutcomes(result, manifest: manifest)
        }
        return (result, paper)
    }
}

/// How complete an official result is: it is final only when the central commission's signed
/// result is on the board, which it can be only once every precinct's protocol is in and the
/// e-voting results are published; until then every rendering says it is provisional.
public struct OfficialStatus: Equatable, Sendable {
    public let precinctsReported: Int
    public let precinctsTotal: Int
    public let eVotesPublished: Bool
    /// The central commission's signed official result is on the board.
    public let certified: Bool

    public init(manifest: Manifest, protocols: [String: PrecinctProtocol], evote: Results?, certified: Bool = false) {
        precinctsTotal = manifest.regions.reduce(0) { $0 + $1.districts.reduce(0) { $0 + $1.precincts.count } }
        precinctsReported = protocols.count
        eVotesPublished = evote != nil
        self.certified = certified
    }

    /// Every protocol is in and the e-votes are counted: the result may be certified.
    public var isComplete: Bool { precinctsReported == precinctsTotal && eVotesPublished }
    public var isFinal: Bool { certified }

    /// One line for people.
    public var text: String {
        if certified {
            return "final: certified by the central commission (\(precinctsTotal) precincts, e-votes counted)"
        }
        if isComplete {
            return "PROVISIONAL, not final: all \(precinctsTotal) precincts reported and e-votes counted; "
                + "awaiting the central commission's signature"
        }
        return "PROVISIONAL, not final: \(precinctsReported) of \(precinctsTotal) precincts reported"
            + (eVotesPublished ? "" : "; e-votes not yet counted")
    }
}
