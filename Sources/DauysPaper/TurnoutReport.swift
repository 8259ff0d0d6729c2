import Crypto
import DauysCrypto
import DauysRecord
import Foundation

/// A precinct's voting-day turnout report: ballots issued so far at one of the official times
/// (10:00, 12:00, 14:00, 16:00, 18:00, 20:00 local), over the voters on its list. Day-time
/// turnout is issued ÷ list; the final participation (ballots found in the boxes) comes from the
/// count protocol — the two differ, and both are kept.
public struct TurnoutReport: Codable, Equatable, Sendable {
    public static let officialTimes = ["10:00", "12:00", "14:00", "16:00", "18:00", "20:00"]
    public var precinct: String
    public var time: String
    public var votersOnList: UInt64
    public var issued: UInt64

    public init(precinct: String, time: String, votersOnList: UInt64, issued: UInt64) {
        self.precinct = precinct
        self.time = time
        self.votersOnList = votersOnList
        self.issued = issued
    }
    enum CodingKeys: String, CodingKey { case precinct, time, votersOnList = "voters_on_list", issued }

    public func problems(previous: TurnoutReport?) -> [String] {
        var p: [String] = []
        if !Self.officialTimes.contains(time) {
            p.append("\(time) is not an official reporting time (\(Self.officialTimes.joined(separator: ", ")))")
        }
        if issued > votersOnList { p.append("ballots issued (\(issued)) > voters on the list (\(votersOnList))") }
        if let prev = previous, prev.issued > issued {
            p.append("ballots issued went down from \(prev.issued) at \(prev.time)")
        }
        return p
    }
}

/// National and regional turnout at each official time, from the latest report of every precinct
/// at or before that time.
public struct TurnoutCurve: Sendable {
    public let times: [String]
    /// rate[region][time] and the national rate per time.
    public let regional: [[Double]]
    public let national: [Double]

    public static func compute(manifest: Manifest, reports: [TurnoutReport]) -> TurnoutCurve {
        var regionOf: [String: Int] = [:]
        for (ri, r) in manifest.regions.enumerated() {
            for d in r.districts { for p in d.precincts { regionOf[p.id] = ri } }
        }
        var byPrecinct: [String: [TurnoutReport]] = [:]
        for r in reports { byPrecinct[r.precinct, default: []].append(r) }
        let times = TurnoutReport.officialTimes
        var issued = [[UInt64]](repeating: [UInt64](repeating: 0, count: times.count), count: manifest.regions.count)
        var lists = issued
        for (precinct, rs) in byPrecinct {
            guard let ri = regionOf[precinct] else { continue }
            for (ti, t) in times.enumerated() {
                if let last = rs.filter({ $0.time <= t }).max(by: { $0.time < $1.time }) {
                    issued[ri][ti] += last.issued
                    lists[ri][ti] += last.votersOnList
                }
            }
        }
        func rate(_ a: UInt64, _ b: UInt64) -> Double { b == 0 ? 0 : Double(a) / Double(b) }
        let regional = (0..<manifest.regions.count).map { ri in
            times.indices.map { rate(issued[ri][$0], lists[ri][$0]) }
        }
        let national = times.indices.map { ti in rate(issued.reduce(0) { $0 + $1[ti] }, lists.reduce(0) { $0 + $1[ti] })
        }
        return TurnoutCurve(times: times, regional: regional, national: national)
    }
}

/// Turnout reports, append-only in `turnout.jsonl` of the data directory, each signed like a
/// protocol (same commission keys, tag "turnout-report").
public struct SignedTurnoutReport: Codable, Sendable {
    public let document: String
    public let commissionKey: String
    public let signature: String
    enum CodingKeys: String, CodingKey { case document, commissionKey = "commission_key", signature }

    static func message(_ d: [UInt8]) -> [UInt8] {
        var w = ByteWriter()
        w.string("DAUYS-v1")
        w.string("turnout-report")
        w.lengthPrefixed(d)
        return w.bytes
    }
    public static func sign(_ r: TurnoutReport, key: Curve25519.Signing.PrivateKey) throws -> SignedTurnoutReport {
        let doc = try CanonicalJSON.encode(r)
        return SignedTurnoutReport(
            document: String(decoding: doc, as: UTF8.self), commissionKey: Hex.encode(key.publicKey.rawRepresentation),
            signature: Hex.encode(try key.signature(for: message(Array(doc)))))
    }
    public func verified() throws(PaperError) -> TurnoutReport {
        guard let k = try? Curve25519.Signing.PublicKey(rawRepresentation: Hex.decode(commissionKey)),
            let sig = try? Hex.decode(signature),
            k.isValidSignature(sig, for: Self.message(Array(document.utf8)))
        else { throw .badSignature }
        guard let r = try? CanonicalJSON.decode(TurnoutReport.self, Array(document.utf8)) else { throw .notCanonical }
        return r
    }
}

extension ProtocolBook {
    /// Every accepted turnout report.
    public func turnoutReports() throws -> [TurnoutReport] { withLock { turnout } }

    /// Checks (signature, commission scope, official time, monotonic) and appends a report durably.
    public func submitTurnout(_ s: SignedTurnoutReport) throws {
        let r = try s.verified()
        guard let ri = region(of: r.precinct) else { throw PaperError.unknownPrecinct(r.precinct) }
        let district = manifest.regions[ri].districts.first { $0.precincts.contains { $0.id == r.precinct } }!.id
        guard
            commissions.contains(where: {
                $0.key == s.commissionKey && [r.precinct, district, manifest.regions[ri].id].contains($0.scope)
            })
        else {
            throw PaperError.notAuthorized(precinct: r.precinct)
        }
        // Under the book's lock: two reports for one precinct are checked one after the other.
        try withLock {
            let previous = (turnoutByPrecinct[r.precinct] ?? []).filter { $0.time <= r.time }.max {
                $0.time < $1.time
            }
            let p = r.problems(previous: previous)
            guard p.isEmpty else { throw PaperError.violations(precinct: r.precinct, p) }
            try appendDurably(try CanonicalJSON.encode(s) + Data("\n".utf8), to: "turnout.jsonl")
            turnout.append(r)
            turnoutByPrecinct[r.precinct, default: []].append(r)
        }
    }
}
