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

    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public let line: Int
        public let reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    public static func parse(_ text: String, book: ProtocolBook) -> (protocols: [PrecinctProtocol], problems: [Problem])
    {
        let m = book.manifest
        guard m.questions.count == 1, m.questions[0].options.count == 2 else {
            return (
                [], [Problem(line: 0, reason: "CSV import supports one yes/no question; use JSON protocols otherwise")]
            )
        }
        let records = CSV.parse(text)
        guard case .success(let header)? = records.first else { return ([], [Problem(line: 1, reason: "no header")]) }
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
            if book.region(of: precinct) == nil { reasons.append("unknown precinct \"\(precinct.prefix(40))\"") }
            if let earlier = seen[precinct] {
                reasons.append("precinct \(precinct) already on line \(earlier)")
            } else {
                seen[precinct] = r.line
            }
            let reason = col["reason"].map { r.fields[$0].trimmingCharacters(in: .whitespaces) }
            let version = (book.history[precinct]?.last?.version ?? 0) + 1
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
