import DauysCrypto
import Foundation

/// The schedule rule (record.md §5.5): entry times never go back; ballots fall inside the
/// voting window of their credential's precinct — from `voting_opens` until `voting_closes`,
/// or until a later time the central commission set for the precinct or its region — and
/// voting is closed only when every window has closed.
extension BoardState {
    /// Entry times are non-decreasing: the board cannot back-date an entry between others.
    func checkTime(_ e: BoardEntry) throws(BoardViolation) {
        guard e.time >= lastTime else {
            throw BoardViolation(
                .schedule,
                "entry \(e.index) (\(e.kind)) is dated \(Self.instant(e.time)), before the entry before it (\(Self.instant(lastTime)))"
            )
        }
    }

    /// When voting closes in the precinct with this index (ms since 1970).
    public func closing(precinct p: Int) -> UInt64 {
        max(window.closes, closesByPrecinct[p] ?? 0, closesByRegion[regionOfPrecinct[p]] ?? 0)
    }

    /// When voting closes in the precinct or region with this id, if there is one.
    public func closing(scope: String) -> UInt64? {
        if let p = precinctIndex[scope] { return closing(precinct: p) }
        if let r = manifest.regions.firstIndex(where: { $0.id == scope }) {
            return max(window.closes, closesByRegion[r] ?? 0)
        }
        return nil
    }

    /// The last closing time of any precinct: the `closed` phase may not start before it.
    public var latestClose: UInt64 {
        max(window.closes, closesByRegion.values.max() ?? 0, closesByPrecinct.values.max() ?? 0)
    }

    /// A voting extension: signed by the central commission, for a region or a precinct of
    /// the manifest, posted while that window is still open, and closing later than it did.
    mutating func applyExtension(_ e: BoardEntry) throws(BoardViolation) {
        let x: VotingExtension
        do { x = try VotingExtension(payload: e.payload) } catch {
            throw BoardViolation(.schedule, "voting extension at entry \(e.index): \(error)")
        }
        guard x.isSigned(manifest: manifest, base: baseHash) else {
            throw BoardViolation(
                .schedule, "the voting extension at entry \(e.index) is not signed by the central commission")
        }
        guard let current = closing(scope: x.scope) else {
            throw BoardViolation(
                .schedule, "the voting extension at entry \(e.index) names \(x.scope), not a region or precinct")
        }
        guard e.time < current else {
            throw BoardViolation(
                .schedule,
                "the voting extension at entry \(e.index) for \(x.scope) comes after voting there closed (\(Self.instant(current)))"
            )
        }
        guard x.closes > current else {
            throw BoardViolation(
                .schedule,
                "the voting extension at entry \(e.index) for \(x.scope) closes at \(Self.instant(x.closes)), not after \(Self.instant(current))"
            )
        }
        if let p = precinctIndex[x.scope] {
            closesByPrecinct[p] = x.closes
        } else if let r = manifest.regions.firstIndex(where: { $0.id == x.scope }) {
            closesByRegion[r] = x.closes
        }
        extensions.append(x)
    }

    /// The instant of an official turnout time ("10:00" …) on voting day, if it is one.
    public func turnoutInstant(_ time: String) -> UInt64? { turnoutInstants[time] }

    /// An entry time as an officer reads it: ISO 8601 in UTC.
    public static func instant(_ ms: UInt64) -> String { BoardTime.instant(ms) }
}
