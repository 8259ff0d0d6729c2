import DauysRecord
import Foundation

/// The results as a table for a terminal: per region, then the country and the law's outcome.
enum ResultsTable {
    static func pct(_ a: UInt64, _ b: UInt64) -> String {
        b == 0 ? "—" : String(format: "%.2f%%", Double(a) * 100 / Double(b))
    }

    /// `status`: how complete the result is (the official result while protocols arrive).
    static func render(_ r: Results, manifest: Manifest, status: String? = nil) -> String {
        var out = "\(manifest.title.en) — \(manifest.title.ru)\n"
        if let status { out += "\(status)\n" }
        for (qi, q) in manifest.questions.enumerated() {
            out += "\nQuestion \(q.id): \(q.text.en)\n"
            let header = [
                "region", "eligible", "took part", "turnout", q.options[0].id,
                q.options.count > 1 ? q.options[1].id : "", "\(q.options[0].id) share", "majority",
            ]
            var rows: [[String]] = [header]
            for (ri, reg) in r.regions.enumerated() {
                let t = reg.totals[qi]
                let folded = reg.unit != manifest.regions[ri].id && !reg.unit.isEmpty
                let yes = folded ? "(\(reg.unit))" : String(t[0]), no = folded ? "" : (t.count > 1 ? String(t[1]) : "")
                let share = folded ? "" : pct(t[0], reg.participants)
                let maj = qi < reg.majority.count ? reg.majority[qi] : ""
                rows.append([
                    manifest.regions[ri].name.en, String(reg.eligible), String(reg.participants),
                    pct(reg.participants, reg.eligible), yes, no, share, maj,
                ])
            }
            let o = r.questions[qi]
            rows.append([
                "Kazakhstan (total)", String(o.eligible), String(o.participants), pct(o.participants, o.eligible),
                String(o.totals[0]), o.totals.count > 1 ? String(o.totals[1]) : "", pct(o.totals[0], o.participants),
                "",
            ])
            let widths = (0..<header.count).map { c in rows.map { $0[c].count }.max()! }
            for (i, row) in rows.enumerated() {
                out +=
                    row.enumerated().map { c, s in
                        c == 0
                            ? s.padding(toLength: widths[c], withPad: " ", startingAt: 0)
                            : String(repeating: " ", count: widths[c] - s.count) + s
                    }.joined(separator: "  ") + "\n"
                if i == 0 || i == rows.count - 2 {
                    out += widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ") + "\n"
                }
            }
            out += "\nValid (more than half of the eligible took part): \(o.valid ? "yes" : "no")\n"
            out +=
                "Regions with a majority for \"\(q.options[0].id)\": \(o.regionsWithMajority) of \(o.regionsTotal)"
                + (o.regionsUndetermined > 0
                    ? " (\(o.regionsUndetermined) undetermined: their e-votes are folded with other regions')" : "")
                + "\n"
            out +=
                "Outcome: \(o.adopted ? "ADOPTED" : "NOT ADOPTED") — \(o.explanation)"
                + (status.map { $0.hasPrefix("PROVISIONAL") ? " (provisional: not final)" : "" } ?? "") + "\n"
        }
        return out
    }
}
