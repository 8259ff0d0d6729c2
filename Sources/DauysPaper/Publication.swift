import DauysRecord
import Foundation

/// The public web pages of the result: national and regional tables, per-precinct protocol
/// pages with their history, downloads (CSV and JSON of every level), SVG charts, and the
/// observers' statistics report. Pure: returns file paths and contents.
public enum Publication {
    public static func files(
        manifest: Manifest, result: Results, paper: PaperRecord, status: OfficialStatus
    ) -> [(String, String)] {
        var out: [(String, String)] = []
        let latest = paper.latest
        let curve = TurnoutCurve.compute(manifest: manifest, reports: paper.turnout)
        let q = result.questions[0]
        out.append(("results.json", OfficialResult.json(result, status: status)))
        var regionsCSV =
            "region,eligible,participants,turnout,\(manifest.questions[0].options.map(\.id).joined(separator: ",")),invalid,not_counted,yes_majority\n"
        for r in result.regions {
            regionsCSV +=
                "\(r.id),\(r.eligible),\(r.participants),\(fmt(rate(r.participants, r.eligible))),\(r.totals[0].map(String.init).joined(separator: ",")),\(r.invalid),\(r.notCounted),\(r.majority.first ?? "none")\n"
        }
        out.append(("results-regions.csv", regionsCSV))
        var precinctCSV =
            "precinct,region,district,version,voters_on_list,issued,in_boxes,\(manifest.questions[0].options.map(\.id).joined(separator: ",")),invalid,not_counted\n"
        var districtTotals: [String: PaperTotals] = [:]
        for (ri, reg) in manifest.regions.enumerated() {
            for d in reg.districts {
                var t = PaperTotals(manifest: manifest)
                for p in d.precincts {
                    guard let pr = latest[p.id] else { continue }
                    t.add(pr.figures)
                    let f = pr.figures, qf = f.questions[0]
                    precinctCSV +=
                        "\(p.id),\(manifest.regions[ri].id),\(d.id),\(pr.version),\(f.votersOnList),\(f.issued),\(f.inBoxes),\(qf.options.map(String.init).joined(separator: ",")),\(qf.invalid),\(qf.notCounted)\n"
                    out.append(
                        (
                            "precincts/\(p.id).html",
                            precinctPage(
                                manifest: manifest, precinct: p, region: reg, district: d,
                                history: paper.history[p.id] ?? [])
                        ))
                }
                districtTotals[d.id] = t
            }
        }
        out.append(("results-precincts.csv", precinctCSV))
        out.append(
            (
                "results-precincts.json",
                jsonArray(
                    manifest.regions.flatMap { $0.districts.flatMap { $0.precincts } }.compactMap { latest[$0.id] }
                )
            ))
        var districtCSV =
            "district,region,precincts,voters_on_list,in_boxes,\(manifest.questions[0].options.map(\.id).joined(separator: ",")),invalid,not_counted\n"
        for reg in manifest.regions {
            for d in reg.districts {
                let t = districtTotals[d.id]!
                districtCSV +=
                    "\(d.id),\(reg.id),\(t.precincts),\(t.votersOnList),\(t.inBoxes),\(t.questions[0].options.map(String.init).joined(separator: ",")),\(t.questions[0].invalid),\(t.questions[0].notCounted)\n"
            }
        }
        out.append(("results-districts.csv", districtCSV))
        out.append(
            (
                "turnout.json",
                jsonObject([
                    "times": curve.times, "national": curve.national,
                    "regions": Dictionary(
                        uniqueKeysWithValues: manifest.regions.enumerated().map { ($1.id, curve.regional[$0]) }),
                ])
            ))
        let turnoutSVG = SVG.lines(
            title: "Turnout through the day (ballots issued ÷ voters on the lists)", x: curve.times,
            series: [("Kazakhstan", curve.national)]
                + manifest.regions.enumerated().map { ($1.name.en, curve.regional[$0]) })
        let yesSVG = SVG.bars(
            title: "Share of \"\(manifest.questions[0].options[0].id)\" among participants, by region",
            labels: result.regions.map { r in manifest.regions.first { $0.id == r.id }!.name.en },
            values: result.regions.map { rate($0.totals[0][0], $0.participants) }, line: 0.5)
        out.append(("turnout.svg", turnoutSVG))
        out.append(("yes-share.svg", yesSVG))
        var rows = ""
        for r in result.regions {
            let name = manifest.regions.first { $0.id == r.id }!.name
            rows +=
                "<tr><td>\(esc(name.kk)) / \(esc(name.ru))</td><td>\(r.eligible)</td><td>\(r.participants)</td><td>\(pct(rate(r.participants, r.eligible)))</td><td>\(r.totals[0][0])</td><td>\(r.totals[0].count > 1 ? r.totals[0][1] : 0)</td><td>\(r.invalid)</td><td>\(r.notCounted)</td><td>\(pct(rate(r.totals[0][0], r.participants)))</td></tr>\n"
        }
        out.append(
            (
                "index.html",
                page(
                    title: manifest.title.ru,
                    body: """
                        <h1>\(esc(manifest.title.kk))<br>\(esc(manifest.title.ru))</h1>
                        <p>\(esc(manifest.questions[0].text.ru))</p>
                        <p class="status">\(esc(status.isFinal ? status.text : "АЛДЫН АЛА / ПРЕДВАРИТЕЛЬНО / " + status.text))</p>
                        <p class="outcome">\(q.adopted ? "ПРИНЯТ / ҚАБЫЛДАНДЫ / ADOPTED" : "НЕ ПРИНЯТ / ҚАБЫЛДАНБАДЫ / NOT ADOPTED")\(status.isFinal ? "" : " (provisional)") — \(esc(q.explanation))</p>
                        <p>Eligible \(q.eligible) · took part \(q.participants) (\(pct(rate(q.participants, q.eligible)))) · \(q.totals.enumerated().map { "\(manifest.questions[0].options[$0.offset].id) \($0.element)" }.joined(separator: " · ")) ·
                           valid: \(q.valid ? "yes" : "no") · regions with a majority: \(q.regionsWithMajority) of \(q.regionsTotal)\(q.regionsUndetermined > 0 ? " (\(q.regionsUndetermined) undetermined: e-votes folded)" : "")</p>
                        <table><tr><th>Region</th><th>Eligible</th><th>Took part</th><th>Turnout</th><th>\(manifest.questions[0].options[0].id)</th><th>\(manifest.questions[0].options.count > 1 ? manifest.questions[0].options[1].id : "")</th><th>Invalid</th><th>Not counted</th><th>Share</th></tr>
                        \(rows)</table>
                        \(turnoutSVG)\(yesSVG)
                        <p>Downloads: <a href="results.json">results.json</a> · <a href="results-regions.csv">regions (CSV)</a> · <a href="results-districts.csv">districts (CSV)</a> ·
                        <a href="results-precincts.csv">precincts (CSV)</a> · <a href="results-precincts.json">precincts (JSON)</a> · <a href="turnout.json">turnout through the day (JSON)</a> · <a href="observers.html">observers' statistics</a></p>
                        """)
            ))
        out.append(("observers.html", ObserverReport.html(manifest: manifest, paper: paper)))
        return out
    }

    static func precinctPage(
        manifest: Manifest, precinct: Precinct, region: Region, district: District, history: [PrecinctProtocol]
    ) -> String {
        var versions = ""
        for p in history.reversed() {
            let f = p.figures, q = f.questions[0]
            versions +=
                "<tr><td>\(p.version)</td><td>\(esc(p.reason ?? "—"))</td><td>\(f.votersOnList)</td><td>\(f.ballotsReceived)</td><td>\(f.issuedInRoom)</td><td>\(f.issuedMobile)</td><td>\(f.cancelled)</td><td>\(f.inBoxes)</td><td>\(q.options.map(String.init).joined(separator: " / "))</td><td>\(q.invalid)</td><td>\(q.notCounted)</td></tr>\n"
        }
        return page(
            title: "Precinct \(precinct.id)",
            body: """
                <h1>Учаске / Участок \(esc(precinct.name.ru)) (\(esc(precinct.id)))</h1>
                <p>\(esc(region.name.ru)) · \(esc(district.name.ru))</p>
                <table><tr><th>Version</th><th>Reason for correction</th><th>1. On list</th><th>2. Received</th><th>3. Issued</th><th>3b. Mobile</th><th>4. Cancelled</th><th>5. In boxes</th><th>6–7. Votes</th><th>8. Invalid</th><th>9. Not counted</th></tr>
                \(versions)</table>
                <p>Every version is signed by the precinct or territorial commission; corrections never overwrite earlier versions.</p>
                """)
    }

    static func jsonArray<T: Encodable>(_ v: [T]) -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return String(decoding: (try? e.encode(v)) ?? Data("[]".utf8), as: UTF8.self)
    }
    static func jsonObject(_ o: [String: Any]) -> String {
        String(
            decoding: (try? JSONSerialization.data(withJSONObject: o, options: [.sortedKeys])) ?? Data("{}".utf8),
            as: UTF8.self)
    }

    static func page(title: String, body: String) -> String {
        """
        <!doctype html><html lang="kk"><head><meta charset="utf-8"><title>\(esc(title))</title>
        <style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:3px 6px;text-align:right}td:first-child,th:first-child{text-align:left}.outcome{font-size:1.3em;font-weight:bold}svg{display:block;margin:1em 0}</style>
        </head><body>\(body)</body></html>
        """
    }

    static func rate(_ a: UInt64, _ b: UInt64) -> Double { b == 0 ? 0 : Double(a) / Double(b) }
    static func pct(_ x: Double) -> String { String(format: "%.2f%%", x * 100) }
    static func fmt(_ x: Double) -> String { String(format: "%.6f", x) }
    static func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(
            of: ">", with: "&gt;"
        ).replacingOccurrences(of: "\"", with: "&quot;")
    }
}

extension OfficialResult {
    /// One JSON object: national figures of the first question, the outcome, how complete the
    /// result is, one object per region.
    public static func json(_ r: Results, status: OfficialStatus) -> String {
        let q = r.questions[0]
        func rate(_ a: UInt64, _ b: UInt64) -> Double { b == 0 ? 0 : (Double(a) / Double(b) * 1e6).rounded() / 1e6 }
        let regions: [[String: Any]] = r.regions.map { reg in
            let t = reg.totals[0]
            return [
                "id": reg.id, "eligible": reg.eligible, "participants": reg.participants, "yes": t[0],
                "no": t.count > 1 ? t[1] : 0,
                "invalid": reg.invalid, "not_counted": reg.notCounted, "turnout": rate(reg.participants, reg.eligible),
                "yes_share": rate(t[0], reg.participants),
                "yes_majority": reg.majority.first ?? "none",
            ]
        }
        let obj: [String: Any] = [
            "referendum": r.referendum, "question": q.id, "eligible": q.eligible, "participants": q.participants,
            "yes": q.totals[0], "no": q.totals.count > 1 ? q.totals[1] : 0,
            "invalid": r.regions.reduce(0) { $0 + $1.invalid },
            "not_counted": r.regions.reduce(0) { $0 + $1.notCounted },
            "turnout": rate(q.participants, q.eligible), "valid": q.valid, "adopted": q.adopted,
            "decided_by": q.decidedBy.rawValue, "decided_by_text": q.explanation,
            "regions_with_yes_majority": q.regionsWithMajority, "regions_undetermined": q.regionsUndetermined,
            "regions_total": q.regionsTotal, "regions": regions,
            "provisional": !status.isFinal, "precincts_reported": status.precinctsReported,
            "precincts_total": status.precinctsTotal, "status_text": status.text,
        ]
        return String(decoding: try! JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys]), as: UTF8.self)
    }
}
