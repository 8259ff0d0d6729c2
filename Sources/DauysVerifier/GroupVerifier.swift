import DauysCrypto
import DauysRecord
import Foundation

/// The checks once the group is known: the board state applied in collecting mode to every
/// entry, the ballots' proofs in parallel batches, then the tally's sums (record.md §9).
struct GroupVerifier<G: PrimeOrderGroup> {
    let genesis: BoardEntry
    let manifestEntry: BoardEntry
    let directory: String
    let pins: RecordPins
    let options: VerifyOptions
    let progress: (@Sendable (String) -> Void)?

    /// record.md §9.1: each pinned entry's hash.
    func checkPin(_ e: BoardEntry, _ log: inout CheckLog) {
        if let h = pins.entries[e.index], h != e.hash {
            log.fail(
                .checkpoints,
                "entry \(e.index) differs from the pinned checkpoint (hash \(Hex.encode(h).prefix(16))…): the board was rewritten"
            )
        }
    }

    var boardPath: String { directory + "/" + RecordFile.boardFileName }

    func run(_ log: inout CheckLog, _ report: inout VerificationReport) async {
        var follower: RecordFollower<G>
        do { follower = try RecordFollower<G>(genesis: genesis, manifest: manifestEntry) } catch {
            log.fail(error.check, error.message)
            return
        }
        if let k = pins.boardKey, k != follower.state.boardKey.rawRepresentation.map({ $0 }) {
            log.fail(.checkpoints, "the record's board key is not the pinned one: the board was re-keyed")
        }
        // One pass: every entry through the board's rules; ballots' proofs in batches.
        var reader: RecordReader
        do { reader = try RecordReader(path: boardPath) } catch {
            log.fail(.recordFormat, "\(error)")
            return
        }
        // verify-diff (record.md §9.3): the earlier copy, read in step; its entries must come back unchanged.
        var earlier: RecordReader? = nil
        if let dir = options.earlierCopy {
            earlier = try? RecordReader(path: dir + "/" + RecordFile.boardFileName)
        }
        var earlierEntries = 0
        func compareEarlier(_ e: BoardEntry, _ log: inout CheckLog) -> Bool {
            guard earlier != nil, !earlier!.isAtEnd else { return false }
            switch earlier!.next() {
            case .success(let old)?:
                if old == e {
                    earlierEntries += 1
                    return true
                }
                log.fail(
                    .checkpoints,
                    "entry \(e.index) (\(e.kind)) differs from entry \(old.index) (\(old.kind)) of the earlier copy: the board was rewritten"
                )
                earlier = nil
            case .failure(let err)?:
                log.fail(.checkpoints, "the earlier copy is damaged: \(err)")
                earlier = nil
            case nil: break
            }
            return false
        }
        var entries = 0
        var lastReport = Date()
        while let next = reader.next() {
            guard case .success(let e) = next else {
                if case .failure(let err) = next { log.fail(.recordFormat, "\(err)") }
                break
            }
            entries += 1
            checkPin(e, &log)
            let proven = compareEarlier(e, &log)
            // The first two entries (by position, not by their claimed index) made the state.
            if entries <= 2 { continue }
            await follower.add(e, proven: proven)
            if let progress, Date().timeIntervalSince(lastReport) > 0.5 {
                lastReport = Date()
                progress(
                    "verifying the board: \(reader.bytesRead * 100 / max(reader.totalBytes, 1))% (\(follower.ballots) ballots)"
                )
            }
        }
        await follower.flush()
        log.merge(follower.log)
        let state = follower.state
        if var rest = earlier, let more = rest.next() {
            let at = (try? more.get().index).map { "entry \($0)" } ?? "more entries"
            log.fail(
                .checkpoints,
                "the earlier copy holds \(at) and on, which the record lacks: the board was cut short or rewritten")
        }
        report.entries = entries
        report.earlierEntries = earlierEntries
        report.proofsChecked = follower.proofsChecked
        report.phase = state.phase.rawValue
        for i in pins.entries.keys.sorted() where i >= UInt64(entries) {
            log.fail(.checkpoints, "entry \(i), under a pinned checkpoint, is missing: the record ends at \(entries)")
        }
        for w in pins.witnesses where !state.witnessed(by: w) {
            log.fail(
                .witnesses,
                "witness \(Hex.encode(w).prefix(16))… cosigned "
                    + (state.closedAt == nil
                        ? "no checkpoint" : "no checkpoint at or after the close of voting (entry \(state.closedAt!))"))
        }
        report.ballots = follower.ballots
        report.countedBallots = state.countedBallots.count
        // A complete record reaches publication; a partial one (§9.3) only obeys the rules so far.
        let complete = !options.partial || state.phase == .published
        if complete {
            if state.phase != .published { log.fail(.phases, "the record does not reach the published phase") }
            if state.credentials.isEmpty { log.fail(.credentialLists, "no credential was published") }
            if state.electionKey == nil { log.fail(.keyCeremony, "no election key was published") }
        }

        // The encrypted tally is the sum of the counted ballots (second pass, bounded memory).
        if let posted = state.tally {
            progress?("adding up \(report.countedBallots) counted ballots")
            var computation = TallyComputation(state: state)
            if var again = try? RecordReader(path: boardPath) {
                while let next = again.next() {
                    guard case .success(let e) = next else { break }
                    await computation.add(e)
                }
            }
            for v in TallyComputation.check(posted: posted, computed: await computation.finish()) {
                log.fail(v.check, v.message)
            }
        } else if complete {
            log.fail(.encryptedTally, "no encrypted tally was published")
        }
        if state.results == nil && complete { log.fail(.decryptedResults, "no results were published") }
        report.results = try? state.computeResults()
        report.precinctsReported = state.paper.history.count
        report.precinctsTotal = state.precincts.count
        report.officialPublished = state.paper.official != nil
        if state.results != nil { report.official = state.computeOfficialResult() }

        // Side files, if present, must equal the board entries.
        var sides: [(String, [UInt8])] = [("manifest.json", state.manifestPayload)]
        if let r = state.results { sides.append(("results.json", r.payload)) }
        if let r = state.paper.official { sides.append(("official-results.json", r.payload)) }
        for (name, payload) in sides {
            let p = directory + "/" + name
            if FileManager.default.fileExists(atPath: p), let d = FileManager.default.contents(atPath: p),
                Array(d) != payload
            {
                log.fail(.sideFiles, "\(name) differs from its entry on the board")
            }
        }
    }
}
