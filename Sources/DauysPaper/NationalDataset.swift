import DauysRecord
import Foundation

/// A realistic national data set for demos and benchmarks: the 20 regions, about 10,400
/// precincts in districts, about 12.5 million voters, protocols whose figures satisfy every
/// control relation, with regional differences in turnout and yes share. Deterministic for a
/// seed (a simple generator, not for anything secret).
public enum NationalDataset {
    public static func generate(
        voters: Int = 12_500_000, precincts: Int = 10_400, seed: UInt64 = 2026
    ) -> (Manifest, [PrecinctProtocol]) {
        var rng = SeededRandom(seed: seed)
        let weights = Manifest.kazakhstanRegions.map(\.4)
        let total = weights.reduce(0, +)
        var manifest = Manifest.kazakhstan2026(regions: 20, districts: 1, precincts: 1)
        var protocols: [PrecinctProtocol] = []
        for (ri, w) in weights.enumerated() {
            let regionPrecincts = max(1, precincts * w / total)
            let regionVoters = voters * w / total
            let districts = max(1, regionPrecincts / 40)
            let turnout = 0.55 + 0.3 * rng.unit()
            let yes = 0.5 + 0.35 * rng.unit()
            var ds: [District] = []
            let r = manifest.regions[ri]
            for d in 0..<districts {
                let count = regionPrecincts / districts + (d < regionPrecincts % districts ? 1 : 0)
                var ps: [Precinct] = []
                for p in 0..<count {
                    let id = "\(r.id).d\(d + 1).p\(p + 1)"
                    ps.append(Precinct(id: id, name: LocalizedText("№ \(ri + 1)-\(d + 1)-\(p + 1)")))
                    let list = UInt64(
                        max(50, Double(regionVoters) / Double(regionPrecincts) * (0.6 + 0.8 * rng.unit())))
                    // About 1 precinct in 400 is "stuffed" (very high turnout and yes share), for the observers' report.
                    let stuffed = rng.unit() < 0.0025
                    let t = stuffed ? 0.99 : min(0.98, max(0.2, turnout + 0.1 * (rng.unit() - 0.5)))
                    let issued = UInt64(Double(list) * t)
                    let mobile = issued / 50
                    let inBoxes = issued - UInt64(Double(issued) * 0.002 * rng.unit())
                    let invalid = UInt64(Double(inBoxes) * 0.01 * rng.unit())
                    let notCounted = UInt64(Double(inBoxes) * 0.003 * rng.unit())
                    let valid = inBoxes - invalid - notCounted
                    let y = UInt64(
                        Double(valid) * (stuffed ? 0.98 : min(0.99, max(0.01, yes + 0.1 * (rng.unit() - 0.5)))))
                    let received = issued + issued / 100 + 10
                    protocols.append(
                        PrecinctProtocol(
                            referendum: manifest.id, precinct: id, version: 1, reason: nil,
                            figures: ProtocolFigures(
                                votersOnList: list, ballotsReceived: received, issuedInRoom: issued - mobile,
                                issuedMobile: mobile,
                                mobileRequests: mobile + mobile / 10, cancelled: received - issued, inBoxes: inBoxes,
                                questions: [.init(options: [y, valid - y], invalid: invalid, notCounted: notCounted)])))
                }
                ds.append(
                    District(
                        id: "\(r.id).d\(d + 1)",
                        name: LocalizedText(
                            kk: "\(r.name.kk), \(d + 1)", ru: "\(r.name.ru), \(d + 1)", en: "\(r.name.en), \(d + 1)"),
                        precincts: ps))
            }
            manifest.regions[ri].districts = ds
        }
        return (manifest, protocols)
    }

    /// Turnout reports at the six official times, rising to each precinct's ballots issued.
    public static func turnout(for protocols: [PrecinctProtocol], seed: UInt64 = 7) -> [TurnoutReport] {
        var rng = SeededRandom(seed: seed)
        let shape = [0.12, 0.31, 0.50, 0.68, 0.86, 1.0]
        var out: [TurnoutReport] = []
        for p in protocols {
            let jitter = 0.9 + 0.2 * rng.unit()
            for (t, s) in zip(TurnoutReport.officialTimes, shape) {
                let issued = min(p.figures.issued, UInt64(Double(p.figures.issued) * min(1, s * (s < 1 ? jitter : 1))))
                out.append(
                    TurnoutReport(precinct: p.precinct, time: t, votersOnList: p.figures.votersOnList, issued: issued))
            }
        }
        return out
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): a small deterministic generator for simulated data —
/// voters' behaviour, synthetic data sets. Never for anything secret: keys, nonces and proofs
/// take their randomness from the operating system (`SecureRandom`).
public struct SeededRandom: RandomNumberGenerator, Sendable {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
