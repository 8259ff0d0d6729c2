import Crypto
import DauysCrypto
import DauysRecord
import Foundation

/// One referendum, driven through its phases on a bulletin board.
///
/// Every step checks the phase and its inputs, then appends its artefact to the board; the
/// in-memory state is only a cache of the board and is rebuilt from it on start (`open`), so
/// nothing acknowledged is lost when the process dies. Thread-safe: verification of ballots
/// runs outside the lock, appends are serialized.
public final class Referendum<G: PrimeOrderGroup>: @unchecked Sendable {
    public let store: BoardStore
    private let boardKey: Curve25519.Signing.PrivateKey
    private let lock = NSLock()
    private let clock: @Sendable () -> UInt64
    public let checkpointInterval: UInt64

    public private(set) var manifest: Manifest
    public let manifestPayload: [UInt8]
    public let baseHash: ElectionHash
    public let shape: BallotShape
    public let threshold: TrusteeThreshold
    public private(set) var phase: Phase = .setup

    public private(set) var trusteeKeys: [Int: TrusteePublicKey<G>] = [:]
    public private(set) var encryptedShares: [EncryptedShare<G>] = []
    public private(set) var complaints: [ShareComplaint] = []
    public private(set) var reveals: [ShareReveal<G>] = []
    public private(set) var electionKey: ElectionKeyRecord<G>?
    public private(set) var ballotContext: BallotContext<G>?
    private var credentialRegion: [DigestKey: Int] = [:]
    public private(set) var eligible: [UInt64]
    private var lastBallot: [DigestKey: UInt64] = [:]
    /// Credentials whose holders voted on paper: their e-ballots do not count.
    private var revoked = Set<DigestKey>()
    private var ballotsByDigest: [DigestKey: (UInt64, Int)] = [:]
    public private(set) var ballotCount = 0
    public private(set) var tally: EncryptedTally<G>?
    public private(set) var decryptions: [Int: TrusteeDecryption<G>] = [:]
    public private(set) var decryptionOrder: [Int] = []
    public private(set) var results: Results?
    /// Ballots cast per region per hour (UTC+5 local hour of the entry time), for live turnout.
    public private(set) var castsByRegionHour: [Int: [Int: Int]] = [:]

    /// Largest ballot accepted, in bytes (a generous multiple of the shape's exact size).
    public var maxBallotBytes: Int { Ballot<G>.byteCount(shape: shape) }

    // MARK: creation and opening

    /// Starts a new referendum: the genesis entry (board key) and the manifest.
    public static func create(
        store: BoardStore, manifest: Manifest, boardKey: Curve25519.Signing.PrivateKey,
        checkpointInterval: UInt64 = 10_000, clock: @escaping @Sendable () -> UInt64 = Referendum.wallClock
    ) throws -> Referendum {
        try manifest.validate()
        guard manifest.group == G.name else { throw ReferendumError.precondition("the manifest asks for group \(manifest.group), this is \(G.name)") }
        guard try store.count() == 0 else { throw ReferendumError.precondition("the board is not empty") }
        let genesis = Genesis(boardKey: boardKey.publicKey)
        let t = clock()
        _ = try store.append([(.genesis, Array(try CanonicalJSON.encode(genesis))), (.manifest, manifest.canonicalJSON())], time: t)
        return try open(store: store, boardKey: boardKey, checkpointInterval: checkpointInterval, clock: clock)
    }

    /// Rebuilds the referendum from its board.
    public static func open(
        store: BoardStore, boardKey: Curve25519.Signing.PrivateKey,
        checkpointInterval: UInt64 = 10_000, clock: @escaping @Sendable () -> UInt64 = Referendum.wallClock
    ) throws -> Referendum {
        let first = try store.entries(from: 0, limit: 2)
        guard first.count == 2, first[0].kind == .genesis, first[1].kind == .manifest else {
            throw ReferendumError.notFound("the board holds no referendum")
        }
        let genesis = try CanonicalJSON.decode(Genesis.self, first[0].payload)
        guard genesis.boardKey == Hex.encode(boardKey.publicKey.rawRepresentation) else {
            throw ReferendumError.precondition("this board key is not the one in the board's genesis entry")
        }
        let manifest = try CanonicalJSON.decode(Manifest.self, first[1].payload)
        let r = try Referendum(store: store, boardKey: boardKey, manifest: manifest, manifestPayload: first[1].payload,
                               checkpointInterval: checkpointInterval, clock: clock)
        try store.forEach(from: 2) { try r.apply($0) }
        return r
    }

    private init(store: BoardStore, boardKey: Curve25519.Signing.PrivateKey, manifest: Manifest, manifestPayload: [UInt8],
                 checkpointInterval: UInt64, clock: @escaping @Sendable () -> UInt64) throws {
        self.store = store
        self.boardKey = boardKey
        self.manifest = manifest
        self.manifestPayload = manifestPayload
        self.clock = clock
        self.checkpointInterval = checkpointInterval
        baseHash = RecordContext.baseHash(manifestPayload: manifestPayload, group: G.name)
        shape = try manifest.ballotShape()
        threshold = try manifest.threshold
        eligible = [UInt64](repeating: 0, count: manifest.regions.count)
    }

    public static func wallClock() -> UInt64 { UInt64(Date().timeIntervalSince1970 * 1000) }

    // MARK: applying board entries (live and on replay)

    private func apply(_ e: BoardEntry) throws {
        switch e.kind {
        case .phase:
            phase = Phase(rawValue: String(decoding: e.payload, as: UTF8.self)) ?? phase
        case .trusteeKey:
            let pk = try TrusteePublicKey<G>(payload: e.payload)
            trusteeKeys[pk.index] = pk
        case .encryptedShare: encryptedShares.append(try EncryptedShare<G>(payload: e.payload))
        case .complaint: complaints.append(try ShareComplaint(payload: e.payload))
        case .shareReveal: reveals.append(try ShareReveal<G>(payload: e.payload))
        case .electionKey:
            let ek = try ElectionKeyRecord<G>(payload: e.payload)
            electionKey = ek
            ballotContext = BallotContext(election: ek.electionHash, publicKey: ek.publicKey, shape: shape)
        case .credentials:
            let list = try CredentialList<G>(payload: e.payload)
            for c in list.credentials { credentialRegion[DigestKey(c.bytes)] = list.region }
            eligible[list.region] += UInt64(list.credentials.count)
        case .ballot:
            let cred = DigestKey(e.payload[33..<(33 + G.elementByteCount)])
            let region = credentialRegion[cred] ?? 0
            lastBallot[cred] = e.index
            ballotsByDigest[DigestKey(digest: TrackingCode.of(e.payload).digest)] = (e.index, region)
            ballotCount += 1
            let hour = Int(((e.time / 1000) + 5 * 3600) / 3600 % 24)
            castsByRegionHour[region, default: [:]][hour, default: 0] += 1
        case .encryptedTally: tally = try EncryptedTally<G>(payload: e.payload, shape: shape)
        case .decryptionShares:
            let d = try TrusteeDecryption<G>(payload: e.payload)
            decryptions[d.trustee] = d
            decryptionOrder.append(d.trustee)
        case .results: results = try CanonicalJSON.decode(Results.self, e.payload)
        case .revokedCredentials:
            for c in try RevokedCredentials<G>(payload: e.payload).credentials { revoked.insert(DigestKey(c.bytes)) }
        case .genesis, .manifest, .checkpoint: break
        }
    }

    /// Appends under the lock, applies, and adds a checkpoint when an interval is crossed.
    @discardableResult
    private func post(_ items: [(EntryKind, [UInt8])], checkpoint force: Bool = false) throws -> [BoardEntry] {
        let entries = try store.append(items, time: clock())
        for e in entries { try apply(e) }
        if let last = entries.last, force || (last.index + 1) / checkpointInterval != (last.index + 1 - UInt64(entries.count)) / checkpointInterval {
            let c = try Checkpoint(upTo: last.index, hash: last.hash, key: boardKey)
            _ = try store.append([(.checkpoint, c.payload)], time: clock())
        }
        return entries
    }

    private func require(_ p: Phase, _ action: String) throws {
        guard phase == p else { throw ReferendumError.wrongPhase(action: action, phase: phase.rawValue, required: p.rawValue) }
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock(); defer { lock.unlock() }
        return try body()
    }

    // MARK: phases

    /// Moves to the next phase after checking that the current one is complete.
    public func advance(to next: Phase) throws {
        try locked {
            guard phase.next == next else {
                throw ReferendumError.precondition("cannot move from \"\(phase.rawValue)\" to \"\(next.rawValue)\"; the next phase is \"\(phase.next?.rawValue ?? "none")\"")
            }
            switch next {
            case .credentialsPublished:
                guard electionKey != nil else { throw ReferendumError.precondition("the key ceremony is not finished: no election key yet") }
                guard !credentialRegion.isEmpty else { throw ReferendumError.precondition("no credential list has been published") }
            case .tallied:
                guard tally != nil else { throw ReferendumError.precondition("the encrypted tally has not been computed") }
            case .decrypted:
                guard decryptions.count >= threshold.quorum else {
                    throw ReferendumError.precondition("decryption shares from \(decryptions.count) trustees; \(threshold.quorum) are needed")
                }
            case .published:
                guard results != nil else { throw ReferendumError.precondition("the results have not been computed") }
            default: break
            }
            try post([(.phase, Array(next.rawValue.utf8))], checkpoint: true)
        }
    }

    // MARK: key ceremony

    public func postTrusteeKey(_ pk: TrusteePublicKey<G>) throws {
        try locked {
            try require(.keyCeremony, "publish a trustee key")
            guard trusteeKeys[pk.index] == nil else { throw ReferendumError.precondition("trustee \(pk.index) already published a key") }
            do { try pk.verify(threshold: threshold, election: baseHash) } catch {
                throw ReferendumError.invalidArtefact("trustee \(pk.index) key refused: \(error)")
            }
            try post([(.trusteeKey, pk.payload)])
        }
    }

    public func postShares(_ shares: [EncryptedShare<G>]) throws {
        try locked {
            try require(.keyCeremony, "send key shares")
            for s in shares {
                guard trusteeKeys[s.from] != nil, trusteeKeys[s.to] != nil, s.from != s.to else {
                    throw ReferendumError.invalidArtefact("share from \(s.from) to \(s.to): both trustees must have published keys")
                }
                guard !encryptedShares.contains(where: { $0.from == s.from && $0.to == s.to }) else {
                    throw ReferendumError.precondition("trustee \(s.from) already sent a share to trustee \(s.to)")
                }
            }
            try post(shares.map { (.encryptedShare, $0.payload) })
        }
    }

    public func postComplaint(_ c: ShareComplaint) throws {
        try locked {
            try require(.keyCeremony, "file a complaint")
            guard trusteeKeys[c.from] != nil, trusteeKeys[c.against] != nil else { throw ReferendumError.invalidArtefact("complaint names an unknown trustee") }
            try post([(.complaint, c.payload)])
        }
    }

    public func postReveal(_ r: ShareReveal<G>) throws {
        try locked {
            try require(.keyCeremony, "answer a complaint")
            guard complaints.contains(where: { $0.from == r.to && $0.against == r.from }) else {
                throw ReferendumError.precondition("no complaint by trustee \(r.to) against trustee \(r.from)")
            }
            try post([(.shareReveal, r.payload)])
        }
    }

    /// Resolves complaints, forms the joint key and the election hash, posts them.
    @discardableResult
    public func finishKeyCeremony() throws -> ElectionKeyRecord<G> {
        try locked {
            try require(.keyCeremony, "finish the key ceremony")
            guard electionKey == nil else { throw ReferendumError.precondition("the key ceremony is already finished") }
            let pks = Array(trusteeKeys.values)
            let q = KeyCeremony.qualified(publicKeys: pks, complaints: complaints, reveals: reveals, threshold: threshold, election: baseHash)
            guard q.count >= threshold.quorum else {
                throw ReferendumError.precondition("only \(q.count) trustees qualified; \(threshold.quorum) are needed")
            }
            let k = KeyCeremony.jointKey(publicKeys: pks, qualified: q)
            let rec = ElectionKeyRecord<G>(qualified: q.sorted(), publicKey: k,
                                           electionHash: RecordContext.electionHash(base: baseHash, qualified: q.sorted(), key: k))
            try post([(.electionKey, rec.payload)], checkpoint: true)
            return rec
        }
    }

    /// Qualified trustees and the verification key of each.
    public func verificationKey(for trustee: Int) throws -> GroupElement<G> {
        guard let ek = electionKey else { throw ReferendumError.precondition("no election key yet") }
        return KeyCeremony.verificationKey(for: trustee, publicKeys: Array(trusteeKeys.values), qualified: Set(ek.qualified))
    }

    // MARK: credentials

    /// Publishes public credentials of one region (sorted; may be called in several parts).
    public func publishCredentials(region: Int, credentials: [GroupElement<G>]) throws {
        try locked {
            try require(.keyCeremony, "publish credentials")
            guard manifest.regions.indices.contains(region) else { throw ReferendumError.invalidArtefact("region \(region) does not exist") }
            var seen = Set<DigestKey>()
            for c in credentials {
                let k = DigestKey(c.bytes)
                guard credentialRegion[k] == nil, seen.insert(k).inserted else {
                    throw ReferendumError.invalidArtefact("a credential is already published")
                }
            }
            let chunk = 100_000
            var parts: [(EntryKind, [UInt8])] = []
            for s in stride(from: 0, to: credentials.count, by: chunk) {
                parts.append((.credentials, CredentialList<G>(region: region, credentials: Array(credentials[s..<min(s + chunk, credentials.count)])).payload))
            }
            try post(parts)
        }
    }

    public func region(of credential: GroupElement<G>) -> Int? { locked { credentialRegion[DigestKey(credential.bytes)] } }

    // MARK: casting

    /// Verifies one ballot fully and appends it. An identical retry returns the first receipt.
    /// `region`, when given (a signed-in voter's session), must be the credential's region.
    public func cast(_ bytes: [UInt8], region: Int? = nil) throws(CastError) -> CastReceipt {
        switch try prepare(bytes) {
        case .duplicate(let receipt): return receipt
        case .verified(let ballot): return try commitVerified([(bytes, ballot, region)])[0].get()
        }
    }

    /// Verifies a batch of ballots together (one randomized check) and appends them in one
    /// transaction. Returns one result per ballot.
    public func castBatch(_ batch: [[UInt8]]) async -> [Result<CastReceipt, CastError>] {
        var out = [Result<CastReceipt, CastError>?](repeating: nil, count: batch.count)
        guard let ctx = ballotContext else { return batch.map { _ in .failure(.votingNotOpen(phase: phase.rawValue)) } }
        let verdicts = await BatchVerifier(context: ctx).verify(encoded: batch)
        var good: [(bytes: [UInt8], ballot: Ballot<G>, region: Int?)] = [], goodIdx: [Int] = []
        for (i, b) in batch.enumerated() {
            if let v = verdicts[i] { out[i] = .failure(CastError(v)); continue }
            do {
                let (_, ballot) = try precheck(b)
                good.append((b, ballot, nil)); goodIdx.append(i)
            } catch { out[i] = .failure(error) }
        }
        for (i, r) in zip(goodIdx, commitVerified(good)) { out[i] = r }
        return out.map { $0! }
    }

    private func precheck(_ bytes: [UInt8]) throws(CastError) -> (BallotContext<G>, Ballot<G>) {
        guard phase == .votingOpen, let ctx = ballotContext else { throw .votingNotOpen(phase: phase.rawValue) }
        guard bytes.count <= maxBallotBytes else { throw .tooLarge(bytes.count) }
        let ballot: Ballot<G>
        do { ballot = try Ballot(bytes: bytes, shape: shape) } catch { throw .malformed(error.description) }
        guard ballot.election == ctx.election else { throw .wrongElection }
        guard locked({ credentialRegion[DigestKey(ballot.credential.bytes)] }) != nil else { throw .unknownCredential }
        return (ctx, ballot)
    }

    private func duplicateReceipt(_ bytes: [UInt8]) -> CastReceipt? {
        locked {
            let code = TrackingCode.of(bytes)
            guard let (index, region) = ballotsByDigest[DigestKey(digest: code.digest)] else { return nil }
            return CastReceipt(trackingCode: code.short, trackingDigest: code.hex, entryIndex: index, duplicate: true,
                               region: manifest.regions[region].id)
        }
    }

    /// The outcome of checking a ballot before it is stored.
    public enum Prepared: Sendable {
        /// This exact ballot is already on the board: its receipt.
        case duplicate(CastReceipt)
        /// Fully verified, ready to be committed.
        case verified(Ballot<G>)
    }

    /// Decodes and fully verifies a ballot without taking the board lock, so that many
    /// requests verify in parallel. An identical retry is answered from the board.
    public func prepare(_ bytes: [UInt8]) throws(CastError) -> Prepared {
        let (ctx, ballot) = try precheck(bytes)
        if let dup = duplicateReceipt(bytes) { return .duplicate(dup) }
        do { try ctx.verify(ballot) } catch { throw CastError(error) }
        return .verified(ballot)
    }

    /// Appends verified ballots in one durable transaction (group commit); one result per
    /// ballot. `region` is the region of the voter's session, if any.
    public func commitVerified(_ items: [(bytes: [UInt8], ballot: Ballot<G>, region: Int?)]) -> [Result<CastReceipt, CastError>] {
        var results = [Result<CastReceipt, CastError>?](repeating: nil, count: items.count)
        do {
            try locked {
                guard phase == .votingOpen else {
                    for i in items.indices { results[i] = .failure(.votingNotOpen(phase: phase.rawValue)) }
                    return
                }
                var append: [(EntryKind, [UInt8])] = []
                var fresh = Set<DigestKey>()
                var accepted: [Int] = []
                for (i, it) in items.enumerated() {
                    guard let r = credentialRegion[DigestKey(it.ballot.credential.bytes)] else { results[i] = .failure(.unknownCredential); continue }
                    if let want = it.region, want != r { results[i] = .failure(.wrongRegion); continue }
                    accepted.append(i)
                    let d = DigestKey(digest: TrackingCode.of(it.bytes).digest)
                    if ballotsByDigest[d] == nil && fresh.insert(d).inserted { append.append((.ballot, it.bytes)) }
                }
                let entries = append.isEmpty ? [] : try post(append)
                let newIndices = Set(entries.map(\.index))
                for i in accepted {
                    let code = TrackingCode.of(items[i].bytes)
                    let (idx, r) = ballotsByDigest[DigestKey(digest: code.digest)]!
                    results[i] = .success(CastReceipt(trackingCode: code.short, trackingDigest: code.hex, entryIndex: idx,
                                                      duplicate: !newIndices.contains(idx), region: manifest.regions[r].id))
                }
            }
        } catch {
            for i in items.indices where results[i] == nil || (try? results[i]!.get()) != nil {
                results[i] = .failure(.malformed("the board could not store the ballot: \(error)"))
            }
        }
        return results.map { $0! }
    }

    /// Where the ballot with this tracking digest is, if on the board.
    /// Returns the board index and region id, or nil if no such ballot was cast.
    public func lookup(trackingDigest hex: String) -> (index: UInt64, region: String)? {
        guard let bytes = try? Hex.decode(hex), bytes.count == 32 else { return nil }
        return locked {
            ballotsByDigest[DigestKey(digest: bytes)].map { ($0.0, manifest.regions[$0.1].id) }
        }
    }

    // MARK: tally, decryption, results

    /// Counted ballots per region: the last ballot of every credential not revoked by a paper vote.
    public func countedPerRegion() -> [UInt64] {
        locked {
            var out = [UInt64](repeating: 0, count: manifest.regions.count)
            for (cred, _) in lastBallot where !revoked.contains(cred) { if let r = credentialRegion[cred] { out[r] += 1 } }
            return out
        }
    }

    /// Publishes the credentials of voters who voted on paper, so that their e-ballots do not
    /// count. Only after voting closed and before the tally.
    public func revoke(credentials: [GroupElement<G>]) throws {
        try locked {
            try require(.closed, "revoke credentials of paper voters")
            guard tally == nil else { throw ReferendumError.precondition("the tally is already computed") }
            for c in credentials where credentialRegion[DigestKey(c.bytes)] == nil {
                throw ReferendumError.invalidArtefact("a revoked credential is not on the published lists")
            }
            try post([(.revokedCredentials, RevokedCredentials<G>(credentials: credentials).payload)])
        }
    }

    /// Adds up the counted ballots per tally unit and posts the encrypted tally.
    @discardableResult
    public func computeTally() async throws -> EncryptedTally<G> {
        try locked { try require(.closed, "compute the tally") }
        let counted = Set(locked { lastBallot.filter { !revoked.contains($0.key) }.values })
        let regionOf = locked { credentialRegion }
        let perRegion = countedPerRegion()
        let units = RecordContext.tallyUnits(manifest: manifest, ballotsPerRegion: perRegion)
        var summer = TallySummer<G>(shape: shape, regionOf: regionOf, regions: manifest.regions.count)
        var i: UInt64 = 0
        while true {
            let page = try store.entries(from: i, limit: 4096)
            if page.isEmpty { break }
            for e in page where e.kind == .ballot && counted.contains(e.index) { await summer.add(e.payload) }
            i += UInt64(page.count)
        }
        await summer.flush()
        let unitSums = units.map { summer.unitSums($0) }
        let t = EncryptedTally<G>(units: units, sums: unitSums)
        try locked {
            try require(.closed, "compute the tally")
            try post([(.encryptedTally, t.payload)], checkpoint: true)
        }
        return t
    }

    /// Checks a trustee's decryption shares against its verification key and posts them.
    public func postDecryption(_ d: TrusteeDecryption<G>) throws {
        guard let tally, let ek = electionKey else { throw ReferendumError.precondition("no tally to decrypt") }
        guard ek.qualified.contains(d.trustee) else { throw ReferendumError.invalidArtefact("trustee \(d.trustee) is not a qualified trustee") }
        let labelled = tally.labelled(manifest)
        guard d.shares.count == labelled.count else { throw ReferendumError.invalidArtefact("expected \(labelled.count) decryption shares, got \(d.shares.count)") }
        let vk = try verificationKey(for: d.trustee)
        for (s, (label, c)) in zip(d.shares, labelled) where !s.verify(ciphertext: c, verificationKey: vk, label: label, election: ek.electionHash) {
            throw ReferendumError.invalidArtefact("trustee \(d.trustee)'s decryption share for \(String(decoding: label, as: UTF8.self)) does not verify")
        }
        try locked {
            try require(.tallied, "post decryption shares")
            guard decryptions[d.trustee] == nil else { throw ReferendumError.precondition("trustee \(d.trustee) already posted decryption shares") }
            try post([(.decryptionShares, d.payload)])
        }
    }

    /// Combines the first `quorum` trustees' shares, solves the discrete logarithms, applies
    /// the decision rules and posts the results.
    @discardableResult
    public func publishResults(extraEligible: [UInt64]? = nil) throws -> Results {
        try locked { try require(.decrypted, "publish results") }
        guard let tally else { throw ReferendumError.precondition("no tally") }
        let used = Array(decryptionOrder.prefix(threshold.quorum))
        var k = 0
        var units: [UnitResult] = []
        for (u, sums) in zip(tally.units, tally.sums) {
            var totals: [[UInt64]] = []
            for (qi, q) in shape.questions.enumerated() {
                var enc: [UInt64] = []
                for c in sums[qi] {
                    let m = try ThresholdDecryption.combine(used.map { decryptions[$0]!.shares[k] }, ciphertext: c, quorum: threshold.quorum)
                    enc.append(try DiscreteLog<G>.shared.solve(m, bound: u.ballots * UInt64(q.maxSelections)))
                    k += 1
                }
                totals.append(q.optionTotals(encryptedTotals: enc, ballots: u.ballots))
            }
            units.append(UnitResult(id: u.id, regions: u.regions.map { manifest.regions[$0].id }, ballots: u.ballots, totals: totals))
        }
        let r = Results.compute(manifest: manifest, eligible: eligible, participants: countedPerRegion(), units: units)
        try locked {
            try require(.decrypted, "publish results")
            try post([(.results, r.payload)])
        }
        try advance(to: .published)
        return r
    }

    // MARK: record

    /// Writes the public record: board.bin plus manifest.json and results.json for reading.
    public func exportRecord(to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let w = try RecordWriter(path: directory + "/" + RecordFile.boardFileName)
        try store.forEach { try w.append($0) }
        try w.close()
        try Data(manifestPayload).write(to: URL(fileURLWithPath: directory + "/manifest.json"))
        if let r = results { try Data(r.payload).write(to: URL(fileURLWithPath: directory + "/results.json")) }
    }
}

extension TrackingCode {
    /// The tracking code of encoded ballot bytes.
    public static func of(_ bytes: [UInt8]) -> TrackingCode { TrackingCode(ballotBytes: bytes) }
}
