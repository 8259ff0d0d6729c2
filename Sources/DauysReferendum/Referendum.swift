import Crypto
import DauysCrypto
import DauysRecord
import Foundation
import NIOConcurrencyHelpers

/// One referendum, driven through its phases on a bulletin board.
///
/// The rules live in `BoardState`; this type only writes. Every step chains its entries after
/// the board's head, applies them to a copy of the state (refusing mode), and only then asks
/// the store to keep them — so the store never holds an entry the state cannot replay — and
/// then publishes the new state. One writer at a time (`AsyncLock`); readers take the state
/// under a `Mutex` and never see a half-applied entry. When the store fails, the state is
/// marked stale and read again from the store before the next write.
public final class Referendum<G: PrimeOrderGroup>: Sendable {
    public let store: any BoardStore
    private let boardKey: Curve25519.Signing.PrivateKey
    private let clock: BoardClock
    public let checkpointInterval: UInt64
    public let manifest: Manifest
    public let baseHash: ElectionHash
    public let shape: BallotShape
    public let threshold: TrusteeThreshold

    private let current: NIOLockedValueBox<BoardState<G>>
    private let writer = AsyncLock()
    private let writerState = NIOLockedValueBox(WriterState())
    private let pending = NIOLockedValueBox(PendingCasts())

    private struct WriterState {
        /// The store may hold entries the state has not applied (an append failed midway).
        var stale = false
        var checkpointDue = false
    }

    /// One verified ballot waiting for the group commit.
    public struct CastItem: Sendable {
        public let bytes: [UInt8]
        /// The region of the voter's session, if any: the credential must belong to it.
        public let region: Int?
        public init(bytes: [UInt8], region: Int?) {
            self.bytes = bytes
            self.region = region
        }
    }

    private struct PendingCasts {
        var queue: [(CastItem, CheckedContinuation<Result<CastReceipt, CastError>, Never>)] = []
        var draining = false
    }

    // MARK: creation and opening

    /// Starts a new referendum: the genesis entry (board key) and the manifest.
    public static func create(
        store: any BoardStore, manifest: Manifest, boardKey: Curve25519.Signing.PrivateKey,
        checkpointInterval: UInt64 = 10_000, clock: BoardClock = .wall, indexingBallots: Bool = true
    ) async throws -> Referendum {
        try manifest.validate()
        guard manifest.group == G.name else {
            throw ReferendumError.precondition("the manifest asks for group \(manifest.group), this is \(G.name)")
        }
        guard try await store.count() == 0 else { throw ReferendumError.precondition("the board is not empty") }
        let genesis = Genesis(boardKey: boardKey.publicKey)
        let first = BoardEntry.chain(
            [(.genesis, Array(try CanonicalJSON.encode(genesis))), (.manifest, manifest.canonicalJSON())],
            start: 0, previous: BoardEntry.zeroHash, time: clock.now(phase: .setup))
        let state = try BoardState<G>(genesis: first[0], manifest: first[1], indexingBallots: indexingBallots)
        try await store.append(first)
        return Referendum(
            store: store, boardKey: boardKey, state: state, checkpointInterval: checkpointInterval, clock: clock)
    }

    /// Rebuilds the referendum from its board, applying every entry in refusing mode.
    /// `indexingBallots`: keep every ballot by tracking digest, to answer voters' tracking codes
    /// and identical retries (a server); a bulk run that needs neither keeps memory per voter.
    public static func open(
        store: any BoardStore, boardKey: Curve25519.Signing.PrivateKey,
        checkpointInterval: UInt64 = 10_000, clock: BoardClock = .wall, indexingBallots: Bool = true
    ) async throws -> Referendum {
        let state = try await replay(store, indexingBallots: indexingBallots)
        guard state.boardKey.rawRepresentation == boardKey.publicKey.rawRepresentation else {
            throw ReferendumError.precondition("this board key is not the one in the board's genesis entry")
        }
        return Referendum(
            store: store, boardKey: boardKey, state: state, checkpointInterval: checkpointInterval, clock: clock)
    }

    /// The board state the store's entries give, applied from the genesis entry on.
    private static func replay(_ store: any BoardStore, indexingBallots: Bool) async throws -> BoardState<G> {
        let first = try await store.entries(from: 0, limit: 2)
        guard first.count == 2 else { throw ReferendumError.notFound("the board holds no referendum") }
        var state = try BoardState<G>(genesis: first[0], manifest: first[1], indexingBallots: indexingBallots)
        try await store.forEach(from: 2) { e in
            do throws(BoardViolation) { try state.apply(e) } catch {
                throw ReferendumError.precondition(
                    "the board cannot be replayed at entry \(e.index): \(error.message) (check: \(error.check.rawValue))"
                )
            }
        }
        return state
    }

    private init(
        store: any BoardStore, boardKey: Curve25519.Signing.PrivateKey, state: BoardState<G>,
        checkpointInterval: UInt64, clock: BoardClock
    ) {
        self.store = store
        self.boardKey = boardKey
        self.clock = clock
        self.checkpointInterval = checkpointInterval
        manifest = state.manifest
        baseHash = state.baseHash
        shape = state.shape
        threshold = state.threshold
        current = NIOLockedValueBox(state)
    }

    /// The time of the next entry after state `s`: never before the last entry (record.md §5.5).
    private func time(after s: BoardState<G>, notBefore: UInt64 = 0) -> UInt64 {
        max(clock.now(phase: s.phase, notBefore: notBefore), s.lastTime)
    }

    // MARK: reading

    /// An immutable snapshot of the board state. Cheap to take; prefer `read` for a few fields
    /// on hot paths, so that the writer never has to copy a large table a reader still holds.
    public var state: BoardState<G> { current.withLockedValue { $0 } }

    /// Reads from the current state under the lock.
    public func read<T: Sendable>(_ body: (borrowing BoardState<G>) -> T) -> T { current.withLockedValue { body($0) } }

    public var manifestPayload: [UInt8] { read { $0.manifestPayload } }
    public var phase: Phase { read { $0.phase } }
    public var electionKey: ElectionKeyRecord<G>? { read { $0.electionKey } }
    public var ballotContext: BallotContext<G>? { read { $0.ballotContext } }
    public var tally: EncryptedTally<G>? { read { $0.tally } }
    public var results: Results? { read { $0.results } }

    /// Largest ballot accepted, in bytes.
    public var maxBallotBytes: Int { Ballot<G>.byteCount(shape: shape) }

    // MARK: writing

    /// Chains the items after the head, applies them to a copy of the state, stores them, and
    /// publishes the new state. Must be called with the writer lock held.
    @discardableResult
    private func append(
        _ items: [(EntryKind, [UInt8])], checkpoint force: Bool = false, notBefore: UInt64 = 0
    ) async throws -> [BoardEntry] {
        for _ in 0..<Self.attempts {
            try await syncIfStale()
            var next = state
            let entries = BoardEntry.chain(
                items, start: next.count, previous: next.head, time: time(after: next, notBefore: notBefore))
            for e in entries {
                do throws(BoardViolation) { try next.apply(e) } catch { throw ReferendumError.refused(error) }
            }
            guard try await keep(entries) else { continue }
            current.withLockedValue { $0 = next }
            await checkpoint(after: entries, force: force)
            return entries
        }
        throw ReferendumError.storageUnavailable(Self.busy)
    }

    /// How often a writer whose view of a shared board was out of date re-reads it and tries
    /// again before it gives up (each try re-reads the board first, so only a board that other
    /// writers append to between every read and write exhausts it).
    static var attempts: Int { 16 }
    static var busy: String { "the board is busy with other writers; try again" }

    /// Asks the store to keep the entries. False if the board moved on without this process
    /// (another writer on a shared board): nothing was kept, the state is marked stale, and the
    /// caller re-reads and tries again. On any other failure the state is marked stale too,
    /// because the store may or may not have kept them.
    private func keep(_ entries: [BoardEntry]) async throws(ReferendumError) -> Bool {
        do {
            try await store.append(entries)
            return true
        } catch let e as StoreError {
            writerState.withLockedValue { $0.stale = true }
            switch e {
            case .conflict, .diverged: return false
            default: throw .storageUnavailable("\(e)")
            }
        } catch {
            writerState.withLockedValue { $0.stale = true }
            throw .storageUnavailable("\(error)")
        }
    }

    /// Brings the state up to the store after a failed append, or when other processes append
    /// to the same board. If the store no longer holds what the state was built from (entries
    /// this process read from a database primary that failed before its standby had them),
    /// the state is rebuilt from the genesis entry.
    private func syncIfStale() async throws(ReferendumError) {
        guard writerState.withLockedValue({ $0.stale }) else { return }
        var next = state
        do {
            let kept = try await store.count()
            var prefix = kept >= next.count
            if prefix, let last = try await store.entries(from: next.count - 1, limit: 1).first {
                prefix = last.hash == next.head
            }
            if !prefix { next = try await Self.replay(store, indexingBallots: next.ballotIndex != nil) }
            try await store.forEach(from: next.count) { e in try next.apply(e) }
        } catch let v as BoardViolation {
            throw .precondition(
                "the board cannot be replayed at entry \(next.count): \(v.message) (check: \(v.check.rawValue))")
        } catch let r as ReferendumError {
            throw r
        } catch {
            throw .storageUnavailable("\(error)")
        }
        current.withLockedValue { $0 = next }
        writerState.withLockedValue { $0.stale = false }
    }

    /// Applies what other processes appended to a shared board (PostgreSQL): a front end calls
    /// it a few times a second, so that it answers lookups with the board as it is and seldom
    /// finds its view out of date when it appends.
    public func refresh() async throws {
        try await write {
            guard try await store.count() != state.count else { return }
            writerState.withLockedValue { $0.stale = true }
            try await syncIfStale()
        }
    }

    /// Posts a signed checkpoint when an interval of entries was crossed, or when forced (phase
    /// changes, election key, tally). A checkpoint that cannot be stored is tried again after
    /// the next append; it never undoes what was already stored.
    private func checkpoint(after entries: [BoardEntry], force: Bool) async {
        guard let last = entries.last else { return }
        let crossed =
            (last.index + 1) / checkpointInterval != (last.index + 1 - UInt64(entries.count)) / checkpointInterval
        let due = writerState.withLockedValue { w in
            w.checkpointDue = w.checkpointDue || force || crossed
            return w.checkpointDue
        }
        if due { await postCheckpoint() }
    }

    /// Signs and appends a checkpoint of the last entry (under the writer lock).
    private func postCheckpoint() async {
        var next = state
        guard let c = try? Checkpoint(upTo: next.count - 1, hash: next.head, key: boardKey) else { return }
        let e = BoardEntry.chain(
            [(.checkpoint, c.payload)], start: next.count, previous: next.head, time: time(after: next))
        guard (try? next.apply(e[0])) != nil, (try? await keep(e)) == true else { return }
        current.withLockedValue { $0 = next }
        writerState.withLockedValue { $0.checkpointDue = false }
    }

    /// While voting runs, posts a checkpoint if entries arrived after the last one (the
    /// server's timer calls it every `DAUYS_CHECKPOINT_SECONDS`, record.md §9.1).
    public func checkpointIfBehind() async {
        _ = try? await write {
            try await syncIfStale()
            let s = state
            // The last checkpoint is entry upTo + 1: anything after it is not yet certified.
            guard s.phase == .votingOpen, let last = s.lastCheckpoint, s.count > last.upTo + 2 else { return }
            await postCheckpoint()
        }
    }

    /// The state, if the board is in phase `p` — checked before a step computes anything
    /// expensive; the board's own rule (record.md §5) is applied again when the entry is posted.
    private func state(in p: Phase, toDo action: String) throws(ReferendumError) -> BoardState<G> {
        let s = state
        guard s.phase == p else { throw .wrongPhase(action: action, phase: s.phase.rawValue, required: p.rawValue) }
        return s
    }

    private func write<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await writer.withLock(body)
    }

    // MARK: phases

    /// Moves to the next phase after checking that the current one is complete.
    public func advance(to next: Phase) async throws {
        try await write {
            let s = state
            guard s.phase.next == next else {
                throw ReferendumError.precondition(
                    "cannot move from \"\(s.phase.rawValue)\" to \"\(next.rawValue)\"; the next phase is \"\(s.phase.next?.rawValue ?? "none")\""
                )
            }
            if let missing = s.missingFor(next) { throw ReferendumError.precondition(missing.message) }
            // Voting closes when the schedule says, not before (record.md §5.5).
            try await append(
                [(.phase, Array(next.rawValue.utf8))], checkpoint: true,
                notBefore: next == .closed ? s.latestClose : 0)
        }
    }

    // MARK: key ceremony

    /// Posts trustees' signed messages (keys, shares, complaints, reveals, decryption shares)
    /// in one append; the board checks each signature against the manifest (record.md §3.1).
    public func post(_ messages: [SignedTrusteeMessage]) async throws {
        try await write { try await append(messages.map { ($0.kind, $0.payload) }) }
    }

    /// Resolves complaints, forms the joint key and the election hash, posts them.
    @discardableResult
    public func finishKeyCeremony() async throws -> ElectionKeyRecord<G> {
        try await write {
            let s = try state(in: .keyCeremony, toDo: "finish the key ceremony")
            guard s.electionKey == nil else {
                throw ReferendumError.precondition("the key ceremony is already finished")
            }
            let rec: ElectionKeyRecord<G>
            do throws(BoardViolation) { rec = try s.deriveElectionKey(at: time(after: s)) } catch {
                throw ReferendumError.precondition(error.message)
            }
            try await append([(.electionKey, rec.payload)], checkpoint: true)
            return rec
        }
    }

    /// Trustee ℓ's verification key.
    public func verificationKey(for trustee: Int) throws -> GroupElement<G> {
        guard let vk = read({ $0.verificationKey(for: trustee) }) else {
            throw ReferendumError.precondition("no election key yet")
        }
        return vk
    }

    // MARK: credentials

    /// Publishes the registry's signed count of eligible voters per precinct; posting the same
    /// counts again does nothing (a re-run after a crash).
    public func publishEligibleCounts(_ c: EligibleCounts) async throws {
        try await write {
            if let have = state.eligibleCounts {
                guard c.counts.allSatisfy({ have[$0.precinct] == $0.count }) else {
                    throw ReferendumError.precondition(
                        "the registry's counts are already published, with other figures")
                }
                return
            }
            try await append([(.eligibleCounts, c.payload)])
        }
    }

    /// Publishes credential lists signed by the credential authority. A list whose credentials
    /// are all on the board already is skipped, so a re-run after an interruption publishes
    /// nothing twice; a list that is partly on the board is refused.
    @discardableResult
    public func publishCredentials(_ lists: [CredentialList<G>]) async throws -> Int {
        try await write {
            let s = state
            var parts: [(EntryKind, [UInt8])] = []
            for l in lists {
                let on = l.credentials.count { s.region(ofCredential: $0.bytes) != nil }
                if on == l.credentials.count { continue }
                guard on == 0 else {
                    throw ReferendumError.precondition(
                        "a credential list of precinct \(l.precinct) is partly on the board already (\(on) of \(l.credentials.count))"
                    )
                }
                parts.append((.credentials, l.payload))
            }
            if !parts.isEmpty { try await append(parts) }
            return parts.count
        }
    }

    public func region(of credential: GroupElement<G>) -> Int? { read { $0.region(ofCredential: credential.bytes) } }

    /// Publishes the credentials of voters who voted on paper, so that their e-ballots do not
    /// count. Only after voting closed and before the tally.
    /// Publishes revocations signed by the registry (voters who voted on paper). A list whose
    /// credentials are all revoked already is skipped, so a re-run after an interruption
    /// publishes nothing twice; a list partly revoked already is refused.
    @discardableResult
    public func revoke(_ lists: [RevokedCredentials<G>]) async throws -> Int {
        try await write {
            let s = state
            var parts: [(EntryKind, [UInt8])] = []
            for l in lists {
                let done = l.credentials.count { s.isRevoked($0.bytes) }
                if done == l.credentials.count { continue }
                guard done == 0 else {
                    throw ReferendumError.precondition(
                        "a revocation of precinct \(l.precinct) is partly on the board already (\(done) of \(l.credentials.count))"
                    )
                }
                parts.append((.revokedCredentials, l.payload))
            }
            if !parts.isEmpty { try await append(parts) }
            return parts.count
        }
    }

    // MARK: casting

    /// The outcome of checking a ballot before it is stored.
    public enum Prepared: Sendable {
        /// This exact ballot is already on the board, here (`receipt(forBallotAt:)`).
        case duplicate(BallotLocation)
        /// Fully verified, ready to be committed.
        case verified
    }

    /// Where this exact ballot already is on the board, if it is (an identical retry); only a
    /// referendum that indexes its ballots (a server) knows.
    private func identical(_ bytes: [UInt8]) -> BallotLocation? {
        let digest = TrackingCode(ballotBytes: bytes).digest
        return read { $0.ballot(trackingDigest: digest) }
    }

    /// Checks a ballot against the board and verifies its proofs, without the writer lock, so
    /// that many requests verify in parallel. An identical retry is answered from the board;
    /// `region` (a voter session's) must be the credential's region.
    public func prepare(_ bytes: [UInt8], region: Int? = nil) throws(CastError) -> Prepared {
        guard bytes.count <= maxBallotBytes else { throw .tooLarge(bytes.count) }
        typealias Checked = Result<(BallotContext<G>, BoardState<G>.BallotFacts), BoardState<G>.BallotRefusal>
        let checked: Checked? = read { s -> Checked? in
            guard s.phase == .votingOpen, let ctx = s.ballotContext else { return nil }
            do throws(BoardState<G>.BallotRefusal) {
                return .success((ctx, try s.checkBallot(bytes, at: time(after: s))))
            } catch {
                return .failure(error)
            }
        }
        let ctx: BallotContext<G>
        let facts: BoardState<G>.BallotFacts
        switch checked {
        case nil: throw .votingNotOpen(phase: phase.rawValue)
        case .success(let v)?: (ctx, facts) = v
        case .failure(let r)?:
            guard case .outOfSequence(let n, let last, let at) = r else { throw CastError(r) }
            if let on = identical(bytes) {
                if let region, region != on.region { throw .wrongRegion }
                return .duplicate(on)
            }
            // Behind the view is behind the board (a credential's number only grows); ahead of
            // it may be right on a shared board this view lags: the commit decides after a re-read.
            guard n > last, let ctx = read({ $0.ballotContext }) else { throw CastError(r) }
            if let region, region != at.region { throw .wrongRegion }
            do { _ = try ctx.decodeAndVerify(bytes) } catch { throw CastError(error) }
            return .verified
        }
        if let region, region != facts.region { throw .wrongRegion }
        do { _ = try ctx.decodeAndVerify(bytes) } catch { throw CastError(error) }
        return .verified
    }

    /// The board's signed receipt for the ballot entry `e` (record.md §9.2).
    private func receipt(_ e: BoardEntry, region: Int, duplicate: Bool) -> Result<CastReceipt, CastError> {
        do {
            return .success(
                CastReceipt(
                    signed: try BallotReceipt(entry: e, base: baseHash, key: boardKey), duplicate: duplicate,
                    region: manifest.regions[region].id))
        } catch { return .failure(.storageUnavailable("the receipt could not be signed: \(error)")) }
    }

    /// The receipt of a ballot already on the board (an identical retry), read back from the store.
    public func receipt(forBallotAt at: BallotLocation) async -> Result<CastReceipt, CastError> {
        let e: BoardEntry?
        do { e = try await store.entries(from: at.index, limit: 1).first } catch {
            return .failure(.storageUnavailable("\(error)"))
        }
        guard let e, e.kind == .ballot else { return .failure(.storageUnavailable("entry \(at.index) cannot be read")) }
        return receipt(e, region: at.region, duplicate: true)
    }

    /// Verifies one ballot fully and appends it. An identical retry returns the first receipt.
    public func cast(_ bytes: [UInt8], region: Int? = nil) async throws(CastError) -> CastReceipt {
        switch try prepare(bytes, region: region) {
        case .duplicate(let at): return try await receipt(forBallotAt: at).get()
        case .verified: return try await submit(CastItem(bytes: bytes, region: region)).get()
        }
    }

    /// Group commit: a prepared ballot waits here; one task at a time takes everything waiting,
    /// stores it in one durable append (one fsync) and answers each. Under load a commit
    /// carries many ballots; alone, a ballot waits for no one.
    public func submit(_ item: CastItem) async -> Result<CastReceipt, CastError> {
        await withCheckedContinuation { c in
            let start = pending.withLockedValue { p in
                p.queue.append((item, c))
                if p.draining { return false }
                p.draining = true
                return true
            }
            if start { Task { await self.drain() } }
        }
    }

    private func drain() async {
        while true {
            let batch = pending.withLockedValue { p in
                let b = p.queue
                p.queue.removeAll(keepingCapacity: true)
                if b.isEmpty { p.draining = false }
                return b
            }
            if batch.isEmpty { return }
            let results = await commit(batch.map(\.0))
            for ((_, c), r) in zip(batch, results) { c.resume(returning: r) }
        }
    }

    /// Verifies a batch of ballots together (one randomized check) and appends the valid ones
    /// in one transaction. Returns one result per ballot.
    public func castBatch(_ batch: [[UInt8]]) async -> [Result<CastReceipt, CastError>] {
        guard let ctx = ballotContext else { return batch.map { _ in .failure(.votingNotOpen(phase: phase.rawValue)) } }
        let verdicts = await BatchVerifier(context: ctx).verify(encoded: batch)
        var out = [Result<CastReceipt, CastError>?](repeating: nil, count: batch.count)
        var good: [CastItem] = [], goodIdx: [Int] = []
        for (i, b) in batch.enumerated() {
            if let v = verdicts[i] {
                out[i] = .failure(CastError(v))
            } else {
                good.append(CastItem(bytes: b, region: nil))
                goodIdx.append(i)
            }
        }
        for (i, r) in zip(goodIdx, await commit(good)) { out[i] = r }
        return out.map { $0! }
    }

    /// Applies the board's rules to verified ballots under the writer lock and stores the
    /// accepted ones in one durable append; one result per ballot.
    public func commit(_ items: [CastItem]) async -> [Result<CastReceipt, CastError>] {
        // Receipts are signed after the writer lock is released: the lock guards only the chain.
        var out: [Result<CastReceipt, CastError>] = []
        out.reserveCapacity(items.count)
        for r in await commitLocked(items) {
            switch r {
            case .failure(let e): out.append(.failure(e))
            case .success(.stored(let e, let region, let duplicate)):
                out.append(receipt(e, region: region, duplicate: duplicate))
            case .success(.onBoard(let at)): out.append(await receipt(forBallotAt: at))
            }
        }
        return out
    }

    private enum Committed: Sendable {
        case stored(BoardEntry, region: Int, duplicate: Bool)
        case onBoard(BallotLocation)
    }

    private func commitLocked(_ items: [CastItem]) async -> [Result<Committed, CastError>] {
        await writer.withLock {
            var recheckAhead = true
            for _ in 0..<Self.attempts {
                do throws(ReferendumError) {
                    if let done = try await commitAttempt(items, recheckAhead: &recheckAhead) { return done }
                } catch {
                    return items.map { _ in .failure(.storageUnavailable(error.description)) }
                }
            }
            return items.map { _ in .failure(.storageUnavailable(Self.busy)) }
        }
    }

    /// One try at chaining the items after the head and storing them; nil if the board moved
    /// on without this process (a shared board), to be tried again on the state re-read.
    private func commitAttempt(
        _ items: [CastItem], recheckAhead: inout Bool
    ) async throws(ReferendumError) -> [Result<Committed, CastError>]? {
        try await syncIfStale()
        var results = [Result<Committed, CastError>?](repeating: nil, count: items.count)
        var ahead = false
        var viewCount: UInt64 = 0
        var plan: [Int: Int] = [:]  // item → position among the new entries
        var regions: [Int] = []  // region of each new entry
        let entries: [BoardEntry] = current.withLockedValue { s in
            guard s.phase == .votingOpen else {
                for i in items.indices { results[i] = .failure(.votingNotOpen(phase: s.phase.rawValue)) }
                return []
            }
            let now = time(after: s)
            var payloads: [[UInt8]] = []
            var fresh: [DigestKey: Int] = [:]
            // Sequence numbers of the ballots this commit appends, per credential: a revote
            // in the same commit follows them (record.md §5.4).
            var pending: [DigestKey: UInt32] = [:]
            for (i, it) in items.enumerated() {
                let digest = TrackingCode(ballotBytes: it.bytes).digest
                let d = DigestKey(digest: digest)
                if let p = fresh[d] {  // the same ballot twice in one commit: one entry
                    results[i] = it.region.map({ $0 != regions[p] }) == true ? .failure(.wrongRegion) : nil
                    if results[i] == nil { plan[i] = p }
                    continue
                }
                do throws(BoardState<G>.BallotRefusal) {
                    let f = try s.checkBallot(it.bytes, at: now, pending: pending)
                    if let want = it.region, want != f.region {
                        results[i] = .failure(.wrongRegion)
                        continue
                    }
                    fresh[d] = payloads.count
                    plan[i] = payloads.count
                    payloads.append(it.bytes)
                    regions.append(f.region)
                    pending[f.credential] = f.sequence
                } catch {
                    if case .outOfSequence = error, let at = s.ballot(trackingDigest: digest) {
                        if it.region.map({ $0 != at.region }) == true {
                            results[i] = .failure(.wrongRegion)
                        } else {
                            results[i] = .success(.onBoard(at))
                        }
                    } else if case .outOfSequence(let n, let last, _) = error, n > last {
                        // Ahead of this view: on a shared board another front end may have
                        // appended the ballot before it; decided after the view is re-read.
                        ahead = true
                        results[i] = .failure(CastError(error))
                    } else {
                        results[i] = .failure(CastError(error))
                    }
                }
            }
            viewCount = s.count
            return BoardEntry.chain(payloads.map { (.ballot, $0) }, start: s.count, previous: s.head, time: now)
        }
        if ahead && recheckAhead {
            // Once per commit: if the board holds entries this view lacks, re-read and try again.
            recheckAhead = false
            let kept: UInt64
            do { kept = try await store.count() } catch { throw .storageUnavailable("\(error)") }
            if kept != viewCount {
                writerState.withLockedValue { $0.stale = true }
                return nil
            }
        }
        if !entries.isEmpty {
            do throws(ReferendumError) {
                guard try await keep(entries) else { return nil }
            } catch {
                for (i, _) in plan { results[i] = .failure(.storageUnavailable(error.description)) }
                return results.map { $0! }
            }
            let broken: BoardViolation? = current.withLockedValue { s in
                for e in entries {
                    do throws(BoardViolation) { try s.apply(e) } catch { return error }
                }
                return nil
            }
            // Unreachable: each entry passed the same rules before it was stored.
            if broken != nil { writerState.withLockedValue { $0.stale = true } }
        }
        var seen = Set<Int>()
        for (i, p) in plan.sorted(by: { $0.key < $1.key }) {
            results[i] = .success(.stored(entries[p], region: regions[p], duplicate: !seen.insert(p).inserted))
        }
        await checkpoint(after: entries, force: false)
        return results.map { $0! }
    }

    /// Where the ballot with this tracking digest is, if on the board.
    public func lookup(trackingDigest hex: String) -> (index: UInt64, region: String)? {
        guard let bytes = try? Hex.decode(hex), bytes.count == 32, let at = read({ $0.ballot(trackingDigest: bytes) })
        else { return nil }
        return (at.index, manifest.regions[at.region].id)
    }

    /// What a voter learns from a tracking code: where the ballot is and whether it counts.
    public struct BallotLookup: Sendable {
        public let index: UInt64
        public let region: String
        public let trackingDigest: String
        public let status: BoardState<G>.BallotStatus
        /// True once the tally is computed: the status no longer changes.
        public let final: Bool
    }

    /// A ballot by its tracking code as the voter has it: the 64-hex digest, or the short code
    /// in any case, with or without dashes (record.md §7).
    public func ballotStatus(code: String) async throws -> BallotLookup? {
        let index: UInt64
        var digest: [UInt8]? = nil
        if code.count == 64, let d = try? Hex.decode(code), d.count == 32 {
            guard let at = read({ $0.ballot(trackingDigest: d) }) else { return nil }
            index = at.index
            digest = d
        } else if let p = TrackingCode.digestPrefix(short: code), let key = ShortCodeKey(prefix: p) {
            let found: UInt64? = current.withLockedValue { s in
                s.indexShortCodes()
                return s.shortCodes?[key]
            }
            guard let found else { return nil }
            index = found
        } else {
            return nil
        }
        let entry: BoardEntry?
        do { entry = try await store.entries(from: index, limit: 1).first } catch {
            throw ReferendumError.storageUnavailable("\(error)")
        }
        guard let entry, entry.kind == .ballot, let header = Ballot<G>.header(of: entry.payload) else { return nil }
        let tracking = TrackingCode(ballotBytes: entry.payload)
        if let digest, digest != tracking.digest { return nil }
        return read { s in
            guard let at = s.ballot(trackingDigest: tracking.digest), at.index == index,
                let status = s.status(ofBallotAt: index, credential: header.credential)
            else { return nil }
            return BallotLookup(
                index: index, region: s.manifest.regions[at.region].id, trackingDigest: tracking.hex, status: status,
                final: s.tally != nil)
        }
    }

    // MARK: tally, decryption, results

    /// Counted ballots per region: the last ballot of every credential not revoked by a paper vote.
    public func countedPerRegion() -> [UInt64] { read { $0.countedPerRegion } }

    /// Adds up the counted ballots per tally unit and posts the encrypted tally.
    @discardableResult
    public func computeTally() async throws -> EncryptedTally<G> {
        try await write {
            let s = try state(in: .closed, toDo: "compute the tally")
            guard s.tally == nil else { throw ReferendumError.precondition("the tally is already computed") }
            var computation = TallyComputation(state: s)
            do { try await store.forEach { e in await computation.add(e) } } catch {
                throw ReferendumError.storageUnavailable("\(error)")
            }
            let t = await computation.finish()
            try await append([(.encryptedTally, t.payload)], checkpoint: true)
            return t
        }
    }

    /// Combines the first `quorum` trustees' shares, solves the discrete logarithms, applies
    /// the decision rules, posts the results and moves to the published phase.
    @discardableResult
    public func publishResults() async throws -> Results {
        let r = try await write {
            let s = try state(in: .decrypted, toDo: "publish results")
            let r: Results
            do throws(BoardViolation) { r = try s.computeResults() } catch { throw ReferendumError.refused(error) }
            try await append([(.results, r.payload)])
            return r
        }
        try await advance(to: .published)
        return r
    }

    // MARK: paper (record.md §3.4)

    /// Posts commission keys registered by the central commission. A registration already on
    /// the board (same scope, same key) is skipped, so a re-run publishes nothing twice.
    @discardableResult
    public func registerCommissions(_ regs: [CommissionRegistration]) async throws -> Int {
        try await write {
            let s = state
            let new = regs.filter { s.paper.scope(ofKey: $0.key) != $0.scope }
            if !new.isEmpty { try await append(new.map { (.commissionKey, $0.payload) }) }
            return new.count
        }
    }

    /// Posts signed protocols, all or none (one refused protocol refuses the batch). A protocol
    /// whose very version is on the board with the same content is skipped (a re-run of an
    /// import); a different one under the same version is refused by the board.
    @discardableResult
    public func submitProtocols(_ list: [CommissionSigned<PrecinctProtocol>]) async throws -> Int {
        try await write {
            let s = state
            let new = list.filter { p in
                let h = s.paper.history[p.document.precinct] ?? []
                return !(h.indices.contains(p.document.version - 1) && h[p.document.version - 1] == p.document)
            }
            if !new.isEmpty { try await append(new.map { (.precinctProtocol, $0.payload) }) }
            return new.count
        }
    }

    /// Posts signed turnout reports, all or none, checked one after the other under the
    /// writer lock (two reports for one precinct can never both pass on the same previous one).
    /// A report equal to its precinct's last one is skipped: the same report sent again.
    @discardableResult
    public func submitTurnout(_ list: [CommissionSigned<TurnoutReport>]) async throws -> Int {
        try await write {
            let s = state
            let new = list.filter { s.paper.lastTurnout[$0.document.precinct] != $0.document }
            // A report is posted no earlier than the time it reports on (record.md §3.4).
            let at = new.compactMap { s.turnoutInstant($0.document.time) }.max() ?? 0
            if !new.isEmpty { try await append(new.map { (.turnoutReport, $0.payload) }, notBefore: at) }
            return new.count
        }
    }

    /// Posts a later closing time the central commission signed (record.md §5.5); the same
    /// extension again does nothing.
    public func extendVoting(_ x: VotingExtension) async throws {
        try await write {
            if state.extensions.contains(x) { return }
            try await append([(.votingExtension, x.payload)], checkpoint: true)
        }
    }

    /// Posts a ballot its voter audited instead of casting (record.md §5.6); the same audit
    /// again returns the first entry. Returns the entry and whether it is new.
    public func postAudit(_ a: AuditedBallot) async throws -> (entry: UInt64, new: Bool) {
        let digest = DigestKey(digest: a.tracking.digest)
        // The proofs and the re-encryption are checked before the writer lock is taken, so a
        // bad audit never holds up the board; the board's rule checks them again (§5.6).
        if state.audited[digest] == nil, let ctx = ballotContext {
            do { try a.check(ctx) } catch {
                throw ReferendumError.refused(BoardViolation(.auditedBallots, "audited ballot: \(error)"))
            }
        }
        return try await write {
            if let at = state.audited[digest] { return (at, false) }
            try await append([(.auditedBallot, a.payload)])
            guard let at = state.audited[digest] else {
                throw ReferendumError.storageUnavailable("the audited ballot was not applied")
            }
            return (at, true)
        }
    }

    /// Posts a witness's cosignature of a checkpoint (record.md §9.4); the same cosignature
    /// again does nothing. Returns whether it was new.
    @discardableResult
    public func cosign(_ c: WitnessCosignature) async throws -> Bool {
        // Anyone may send one: keys and signatures are checked before the writer lock is taken.
        guard manifest.witnesses?.contains(c.witnessHex) == true else {
            throw ReferendumError.refused(BoardViolation(.witnesses, "the key is not a witness of the manifest"))
        }
        guard c.isSigned(base: baseHash) else {
            throw ReferendumError.refused(BoardViolation(.witnesses, "the witness's signature does not verify"))
        }
        return try await write {
            if state.cosigned[c.witnessHex]?.contains(c.upTo) == true, state.checkpointHashes[c.upTo] == c.hash,
                c.isSigned(base: state.baseHash)
            {
                return false
            }
            try await append([(.witnessCosignature, c.payload)])
            return true
        }
    }

    /// Posts the official result signed by the central commission (once; the same result
    /// again does nothing).
    public func publishOfficialResult(_ r: SignedOfficialResult) async throws {
        try await write {
            if let have = state.paper.official {
                guard have == r.results else {
                    throw ReferendumError.precondition("an official result is already published, with other figures")
                }
                return
            }
            try await append([(.officialResult, r.payload)], checkpoint: true)
        }
    }

    // MARK: record

    /// Writes the public record: board.bin plus manifest.json and results.json for reading.
    public func exportRecord(to directory: String) async throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let w = try RecordWriter(path: directory + "/" + RecordFile.boardFileName)
        try await store.forEach { try w.append($0) }
        try w.close()
        try Data(manifestPayload).write(to: URL(fileURLWithPath: directory + "/manifest.json"))
        if let r = results { try Data(r.payload).write(to: URL(fileURLWithPath: directory + "/results.json")) }
        if let r = read({ $0.paper.official }) {
            try Data(r.payload).write(to: URL(fileURLWithPath: directory + "/official-results.json"))
        }
    }
}
