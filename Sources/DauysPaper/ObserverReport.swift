import DauysRecord
import Foundation

/// Statistics for observers, computed from the precinct protocols, each with a plain statement
/// of what it can and cannot show. None of them proves fraud; each points to precincts worth a
/// closer look.
public enum ObserverReport {
    public struct Findings: Sendable {
        public var turnout: [Double] = []
        public var yesShare: [Double] = []
        public var lastDigits = [Int](repeating: 0, count: 10)
        public var lastDigitChiSquare = 0.0
        public var roundTurnout = 0
        public var roundYes = 0
        public var measured = 0
        public var corrected: [(precinct: String, versions: Int, reasons: [String])] = []
        public var outliers: [(precinct: String, what: String, value: Double, regionMean: Double, z: Double)] = []
    }

    public static func analyse(manifest: Manifest, paper: PaperRecord) -> Findings {
        var f = Findings()
        let regionOf = manifest.precinctRegions()
        var byRegion: [Int: [(String, Double, Double)]] = [:]
        for (precinct, p) in paper.latest.sorted(by: { $0.key < $1.key }) {
            let fg = p.figures
            guard fg.votersOnList > 0, fg.inBoxes > 0, let ri = regionOf[precinct] else { continue }
            let t = Double(fg.inBoxes) / Double(fg.votersOnList)
            let y = Double(fg.questions[0].options[0]) / Double(fg.inBoxes)
            f.turnout.append(t)
            f.yesShare.append(y)
            byRegion[ri, default: []].append((precinct, t, y))
            for v in fg.questions[0].options where v >= 100 { f.lastDigits[Int(v % 10)] += 1 }
            f.measured += 1
            // Exactly round percentages at one decimal (e.g. 80.0 %): expected in ~1 precinct in 10.
            if Int((t * 1000).rounded()) % 10 == 0 { f.roundTurnout += 1 }
            if Int((y * 1000).rounded()) % 10 == 0 { f.roundYes += 1 }
        }
        let n = Double(f.lastDigits.reduce(0, +))
        if n > 0 { f.lastDigitChiSquare = f.lastDigits.reduce(0.0) { $0 + pow(Double($1) - n / 10, 2) / (n / 10) } }
        for (precinct, versions) in paper.history where versions.count >= 2 {
            f.corrected.append((precinct, versions.count, versions.compactMap(\.reason)))
        }
        f.corrected.sort { ($0.versions, $1.precinct) > ($1.versions, $0.precinct) }
        for (_, list) in byRegion where list.count >= 10 {
            for (what, idx) in [("turnout", 1), ("yes share", 2)] {
                let vals = list.map { idx == 1 ? $0.1 : $0.2 }
                let mean = vals.reduce(0, +) / Double(vals.count)
                let sd = sqrt(vals.reduce(0) { $0 + pow($1 - mean, 2) } / Double(vals.count))
                guard sd > 0 else { continue }
                for (p, t, y) in list {
                    let v = idx == 1 ? t : y
                    let z = (v - mean) / sd
                    if abs(z) > 3 { f.outliers.append((p, what, v, mean, z)) }
                }
            }
        }
        f.outliers.sort { abs($0.z) > abs($1.z) }
        return f
    }

    public static func html(manifest: Manifest, paper: PaperRecord) -> String {
        let f = analyse(manifest: manifest, paper: paper)
        let p = Publication.pct
        let digits = f.lastDigits.enumerated().map { "<td>\($0.offset)</td><td>\($0.element)</td>" }.map {
            "<tr>\($0)</tr>"
        }.joined()
        let corrected = f.corrected.prefix(200).map {
            "<tr><td><a href=\"precincts/\($0.precinct).html\">\($0.precinct)</a></td><td>\($0.versions)</td><td>\(Publication.esc($0.reasons.joined(separator: "; ")))</td></tr>"
        }.joined()
        let outliers = f.outliers.prefix(200).map {
            "<tr><td><a href=\"precincts/\($0.precinct).html\">\($0.precinct)</a></td><td>\($0.what)</td><td>\(p($0.value))</td><td>\(p($0.regionMean))</td><td>\(String(format: "%.1f", $0.z))</td></tr>"
        }.joined()
        return Publication.page(
            title: "Observers' statistics",
            body: """
                <h1>Observers' statistics</h1>
                <p>Computed from the \(f.measured) precinct protocols with ballots. Nothing here proves or disproves fraud:
                each figure shows where the numbers look unlike most precincts, so that observers know where to look first.</p>
                <h2>1. Turnout across precincts</h2>
                \(SVG.histogram(title: "Precincts by turnout (ballots in the boxes ÷ voters on the list)", values: f.turnout))
                <p><b>Can show:</b> a second peak near 100 % or spikes at round values, which honest counts rarely produce.
                <b>Cannot show:</b> why — small precincts, hospitals, military units and special precincts legitimately have very high turnout.</p>
                <h2>2. Share of "\(manifest.questions[0].options[0].id)" across precincts</h2>
                \(SVG.histogram(title: "Precincts by share of \(manifest.questions[0].options[0].id)", values: f.yesShare))
                <p><b>Can show:</b> clusters near 100 %. <b>Cannot show:</b> whether a genuinely united community voted that way.</p>
                <h2>3. The election fingerprint</h2>
                \(SVG.fingerprint(title: "Turnout (→) against share of \(manifest.questions[0].options[0].id) (↑), darker = more precincts", points: Array(zip(f.turnout, f.yesShare))))
                <p><b>Can show:</b> a smear of precincts towards the top-right corner (high turnout together with a high share),
                the pattern left by ballot stuffing or rewritten protocols. <b>Cannot show:</b> which precinct did it, nor rule out
                honest correlations (e.g. rural areas both more mobilised and more in favour).</p>
                <h2>4. Last digits of the vote counts</h2>
                <table><tr><th>Digit</th><th>Counts ending in it</th></tr>\(digits)</table>
                <p>χ² against equal frequencies = \(String(format: "%.1f", f.lastDigitChiSquare)) with 9 degrees of freedom (above 16.9 happens by chance in 5 % of honest elections,
                above 21.7 in 1 %). <b>Can show:</b> invented numbers, which people rarely make evenly spread.
                <b>Cannot show:</b> anything for small counts (only counts ≥ 100 are used), nor catch carefully invented numbers.</p>
                <h2>5. Round percentages</h2>
                <p>Turnout exactly at a whole percent (e.g. 80.0 %, to one decimal): \(f.roundTurnout) of \(f.measured) precincts; share of
                \(manifest.questions[0].options[0].id) likewise: \(f.roundYes) (about 1 in 10 expected by chance).
                <b>Can show:</b> results written to reach a target figure. <b>Cannot show:</b> anything in a small sample.</p>
                <h2>6. Protocols corrected more than once</h2>
                <table><tr><th>Precinct</th><th>Versions</th><th>Reasons given</th></tr>\(corrected)</table>
                <p><b>Can show:</b> where a count was disputed or changed after the fact. <b>Cannot show:</b> whether the correction was right.</p>
                <h2>7. Precincts far from their region's pattern</h2>
                <table><tr><th>Precinct</th><th>Figure</th><th>Value</th><th>Region mean</th><th>z</th></tr>\(outliers)</table>
                <p>More than three standard deviations from the region's precincts. <b>Can show:</b> a precinct that stands out.
                <b>Cannot show:</b> wrongdoing; special precincts and local circumstances explain many.</p>
                """)
    }
}
