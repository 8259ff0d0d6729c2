import Crypto
import DauysCrypto
import Foundation

/// The board's rules for the paper side (record.md §5.6): commission keys registered by the
/// central commission, turnout reports and protocol versions signed by a commission whose
/// scope covers the precinct, and the official result signed by the central commission and
/// equal to the one anyone computes from the board.
extension BoardState {
    /// Whether the registered key `key` may sign for the precinct with index `pi`: its scope is
    /// the precinct, its district or its region.
    func covers(key: [UInt8], precinct pi: Int) -> Bool {
        guard let scope = paper.scope(ofKey: key) else { return false }
        return scope == precincts[pi].precinct || scope == districtOfPrecinct[pi]
            || scope == manifest.regions[regionOfPrecinct[pi]].id
    }

    /// Every id a commission may be registered for: precincts, districts, regions.
    func isScope(_ id: String) -> Bool {
        precinctIndex[id] != nil || districtOfPrecinct.contains(id) || manifest.regions.contains { $0.id == id }
    }

    /// Kind 18: signed by the central commission; a known scope; one key per scope and one
    /// scope per key, so a registration can neither replace nor share a commission's key.
    mutating func applyCommissionKey(_ e: BoardEntry) throws(BoardViolation) {
        let r: CommissionRegistration
        do { r = try CommissionRegistration(payload: e.payload) } catch {
            throw BoardViolation(.commissionKeys, "commission key at entry \(e.index): \(error)")
        }
        guard r.isSigned(manifest: manifest, base: baseHash) else {
            throw BoardViolation(
                .commissionKeys, "commission key at entry \(e.index) is not signed by the central commission")
        }
        guard isScope(r.scope) else {
            throw BoardViolation(
                .commissionKeys,
                "commission key at entry \(e.index) is for \(r.scope), not a precinct, district or region of the manifest"
            )
        }
        guard !paper.registeredScopes.contains(r.scope) else {
            throw BoardViolation(
                .commissionKeys, "entry \(e.index) registers a second key for \(r.scope); a commission has one key")
        }
        guard paper.scope(ofKey: r.key) == nil else {
            throw BoardViolation(
                .commissionKeys, "entry \(e.index) registers a key already registered for another commission")
        }
        paper.commissions.append(r)
        paper.scopeOfKey[DigestKey(r.key)] = r.scope
        paper.registeredScopes.insert(r.scope)
    }

    /// A commission's document, once its signature and its signer's scope are checked.
    private func commissionDocument<D: CommissionDocument>(
        _: D.Type, _ e: BoardEntry, _ check: RecordCheck
    ) throws(BoardViolation) -> (D, precinct: Int) {
        let s: CommissionSigned<D>
        do { s = try CommissionSigned<D>(payload: e.payload) } catch {
            throw BoardViolation(check, "\(e.kind) at entry \(e.index): \(error)")
        }
        guard s.isSigned(base: baseHash) else {
            throw BoardViolation(check, "\(e.kind) at entry \(e.index): the signature does not verify")
        }
        guard let pi = precinctIndex[s.document.precinct] else {
            throw BoardViolation(
                check, "\(e.kind) at entry \(e.index) is for precinct \(s.document.precinct), not in the manifest")
        }
        guard covers(key: s.key, precinct: pi) else {
            throw BoardViolation(
                check,
                "\(e.kind) at entry \(e.index) is signed by a key not registered for precinct \(s.document.precinct), its district or its region"
            )
        }
        return (s.document, pi)
    }

    /// Kind 19: by a commission covering the precinct, at an official time not earlier than
    /// the entry itself, after the precinct's previous report, issued ballots never going down.
    mutating func applyTurnout(_ e: BoardEntry) throws(BoardViolation) {
        let (r, _) = try commissionDocument(TurnoutReport.self, e, .turnoutReports)
        var problems = r.problems(previous: paper.lastTurnout[r.precinct])
        if let at = turnoutInstants[r.time], e.time < at {
            problems.append("it is on the board before \(r.time) of voting day, the time it reports on")
        }
        guard problems.isEmpty else {
            throw BoardViolation(
                .turnoutReports,
                "turnout report of \(r.precinct) at entry \(e.index): " + problems.joined(separator: "; "))
        }
        paper.turnout.append(r)
        paper.lastTurnout[r.precinct] = r
    }

    /// Kind 20: by a commission covering the precinct, for this referendum, the next version
    /// (a correction with its reason), figures that satisfy the control relations and agree
    /// with the rest of the record.
    mutating func applyProtocol(_ e: BoardEntry) throws(BoardViolation) {
        let (p, pi) = try commissionDocument(PrecinctProtocol.self, e, .precinctProtocols)
        guard p.referendum == manifest.id else {
            throw BoardViolation(
                .precinctProtocols, "protocol at entry \(e.index) is for referendum \(p.referendum), not this one")
        }
        guard paper.official == nil else {
            throw BoardViolation(.phases, "protocol at entry \(e.index) comes after the official result")
        }
        let expected = (paper.history[p.precinct]?.last?.version ?? 0) + 1
        guard p.version == expected else {
            throw BoardViolation(
                .protocolVersions,
                "protocol of precinct \(p.precinct) at entry \(e.index) is version \(p.version); the next version is \(expected) (versions are never replaced or skipped)"
            )
        }
        if p.version > 1 && (p.reason ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
            throw BoardViolation(
                .protocolVersions,
                "protocol of precinct \(p.precinct) at entry \(e.index): a correction (version \(p.version)) needs its reason"
            )
        }
        var v = p.figures.violations(manifest: manifest)
        let credentials = credentialsPerPrecinct[p.precinct] ?? 0
        if credentials > p.figures.votersOnList {
            v.append("\(credentials) e-voting credentials > \(p.figures.votersOnList) voters on the list")
        }
        let revokedHere = revokedPerPrecinct[pi] ?? 0
        if revokedHere > p.figures.issued {
            v.append("\(revokedHere) credentials revoked as paper voters > \(p.figures.issued) paper ballots issued")
        }
        guard v.isEmpty else {
            throw BoardViolation(
                .controlRelations,
                "protocol of precinct \(p.precinct), version \(p.version), at entry \(e.index): "
                    + v.joined(separator: "; "))
        }
        paper.history[p.precinct, default: []].append(p)
    }

    /// The official result every party must compute from the board: the latest protocol of
    /// every precinct and the published e-vote results, with the decision rules (record.md §8.4).
    public func computeOfficialResult() -> Results {
        OfficialResult.compute(manifest: manifest, protocols: paper.latest, evote: results).0
    }

    /// Kind 21: once, signed by the central commission, when every precinct has a protocol,
    /// and equal to `computeOfficialResult()`.
    mutating func applyOfficialResult(_ e: BoardEntry, asPublished: Bool) throws(BoardViolation) {
        guard paper.official == nil else {
            throw BoardViolation(.officialResult, "a second official result at entry \(e.index)")
        }
        let s: SignedOfficialResult
        do { s = try SignedOfficialResult(payload: e.payload) } catch {
            throw BoardViolation(.officialResult, "official result at entry \(e.index): \(error)")
        }
        guard s.isSigned(manifest: manifest, base: baseHash) else {
            throw BoardViolation(
                .officialResult, "the official result at entry \(e.index) is not signed by the central commission")
        }
        let reported = paper.history.count
        guard reported == precincts.count else {
            throw BoardViolation(
                .officialResult,
                "the official result at entry \(e.index) is published with \(reported) of \(precincts.count) precincts reported"
            )
        }
        let computed = computeOfficialResult()
        let published = s.results
        var problem: BoardViolation?
        if published.referendum != computed.referendum || published.units != computed.units
            || published.regions != computed.regions
        {
            problem = BoardViolation(
                .officialResult,
                "the official result at entry \(e.index) differs from the sums of the latest protocols and the e-votes")
        } else if published.questions != computed.questions {
            problem = BoardViolation(
                .decisionRules,
                "the official outcome at entry \(e.index) does not follow from the figures and the rules")
        }
        if let problem {
            if asPublished { paper.official = published }
            throw problem
        }
        paper.official = published
    }
}

extension BoardState {
    /// The state after `entries` (genesis and manifest first), in refusing mode: a copy of a
    /// board read from a server or a record file is rebuilt by the very rules that wrote it.
    public static func replay(_ entries: [BoardEntry]) throws(BoardViolation) -> BoardState {
        guard entries.count >= 2 else { throw BoardViolation(.recordFormat, "the board holds no referendum") }
        var s = try BoardState(genesis: entries[0], manifest: entries[1])
        for e in entries.dropFirst(2) { try s.apply(e) }
        return s
    }
}
