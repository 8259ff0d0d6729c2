import DauysRecord
import Foundation

/// Bulk entry of protocols from CSV (one yes/no question), one row per precinct:
/// `precinct,voters_on_list,ballots_received,issued_in_room,issued_mobile,mobile_requests,
/// cancelled,in_boxes,yes,no,invalid,not_counted[,reason]`. Every row is checked (numbers,
/// known precinct, control relations, reason for corrections); a single bad row refuses the
/// file, and every bad row is reported with its line.
public enum ProtocolCSV {
    public static let columns = [
        "precinct", "voters_on_list", "ballots_received", "issued_in_room", "issued_mobile", "mobile_requests",
        "cancelled", "in_boxes", "yes", "no", "invalid", "not_counted",
    ]

    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public let line: Int
        public let reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    /// The text of a CSV file: UTF-8 (a byte-order mark is allowed); UTF-16 and other encodings
    /// are refused with the line of the first byte that is not UTF-8.
    public static func text(of data: Data) -> Result<String, Problem> {
        let b = [UInt8](data)
        if b.starts(with: [0xFF, 0xFE]) || b.starts(with: [0xFE, 0xFF]) {
            return .failure(Problem(line: 1, reason: "the file is UTF-16; save it as UTF-8 (CSV UTF-8)"))
        }
        let body = b.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(b.dropFirst(3)) : b
        if let s = String(validating: body, as: UTF8.self) { return .success(s) }
        var line = 1, start = 0
        for (i, c) in body.enumerated() where c == UInt8(ascii: "\n") {
            if String(validating: body[start..<i], as: UTF8.self) == nil { break }
            line += 1
            start = i + 1
        }
        return .failure(Problem(line: line, reason: "not UTF-8 text; save the file as UTF-8 (CSV UTF-8)"))
    }

    /// Parses and checks every row. `scope`: the signing commission's precinct, district or
    /// region — a row for a precinct outside it is refused.
    public static func parse(
        _ text: String, manifest m: Manifest, paper: PaperRecord, scope: String? = nil
    ) -> (protocols: [PrecinctProtocol], problems: [Problem]) {
        var place: [String: (region: String, district: String)] = [:]
        for r in m.regions { for d in r.districts { for p in d.precincts { place[p.id] = (r.id, d.id) } } }
        guard m.questions.count == 1, m.questions[0].options.count == 2 else {
            return (
                [], [Problem(line: 0, reason: "CSV import supports one yes/no question; use JSON protocols otherwise")]
            )
        }
        let records = CSV.parse(text)
        guard case .success(let header)? = records.first else { return ([], [Problem(line: 1, reason: "no header")]) }
        if header.fields.count == 1, header.fields[0].contains(";") {
            return (
                [],
                [Problem(line: header.line, reason: "the columns are separated by semicolons; use commas (,)")]
            )
        }
        if records.count == 1 { return ([], [Problem(line: header.line, reason: "a header and no protocol rows")]) }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        var col: [String: Int] = [:]
        for (i, n) in names.enumerated() { col[n] = i }
        let missing = columns.filter { col[$0] == nil }
        guard missing.isEmpty else {
            return ([], [Problem(line: header.line, reason: "missing column(s): \(missing.joined(separator: ", "))")])
        }
        var out: [PrecinctProtocol] = [], problems: [Problem] = []
        var seen: [String: Int] = [:]
        for rec in records.dropFirst() {
            guard case .success(let r) = rec else {
                if case .failure(let f) = rec { problems.append(Problem(line: f.line, reason: f.reason)) }
                continue
            }
            guard r.fields.count == names.count else {
                problems.append(
                    Problem(line: r.line, reason: "\(r.fields.count) fields, the header has \(names.count)"))
                continue
            }
            func f(_ n: String) -> String { r.fields[col[n]!].trimmingCharacters(in: .whitespaces) }
            var reasons: [String] = []
            var n: [String: UInt64] = [:]
            for c in columns.dropFirst() {
                if let v = UInt64(f(c)) {
                    n[c] = v
                } else {
                    reasons.append("\(c) is not a non-negative whole number: \"\(f(c).prefix(20))\"")
                }
            }
            let precinct = f("precinct")
            if let at = place[precinct] {
                if let scope, ![precinct, at.district, at.region].contains(scope) {
                    reasons.append("precinct \(precinct) is outside the signing commission's scope (\(scope))")
                }
            } else {
                reasons.append("unknown precinct \"\(precinct.prefix(40))\"")
            }
            if let earlier = seen[precinct] {
                reasons.append("precinct \(precinct) already on line \(earlier)")
            } else {
                seen[precinct] = r.line
            }
            let reason = col["reason"].map { r.fields[$0].trimmingCharacters(in: .whitespaces) }
            let version = (paper.history[precinct]?.last?.version ?? 0) + 1
            if version > 1 && (reason ?? "").isEmpty {
                reasons.append("precinct \(precinct) already has a protocol: a correction needs a reason")
            }
            if reasons.isEmpty {
                let figures = ProtocolFigures(
                    votersOnList: n["voters_on_list"]!, ballotsReceived: n["ballots_received"]!,
                    issuedInRoom: n["issued_in_room"]!,
                    issuedMobile: n["issued_mobile"]!, mobileRequests: n["mobile_requests"]!,
                    cancelled: n["cancelled"]!, inBoxes: n["in_boxes"]!,
                    questions: [
                        .init(options: [n["yes"]!, n["no"]!], invalid: n["invalid"]!, notCounted: n["not_counted"]!)
                    ])
                let v = figures.violations(manifest: m)
                if v.isEmpty {
                    out.append(
                        PrecinctProtocol(
                            referendum: m.id, precinct: precinct, version: version, reason: version > 1 ? reason : nil,
                            figures: figures))
                } else {
                    reasons += v
                }
            }
            if !reasons.isEmpty { problems.append(Problem(line: r.line, reason: reasons.joined(separator: "; "))) }
        }
        return (out, problems)
    }
}
