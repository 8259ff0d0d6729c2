import DauysRecord
import Foundation

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
