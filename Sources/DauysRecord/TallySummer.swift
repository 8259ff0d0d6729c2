import DauysCrypto

/// Adds up counted ballots per region with bounded memory: ballots are buffered in blocks of
/// `blockSize` and each block is summed on all cores before the next is read, so a national
/// record (millions of ballots) never sits in memory whole. Used by the tally and by the
/// verifier, which must compute the same sums.
public struct TallySummer<G: PrimeOrderGroup>: Sendable {
    public let shape: BallotShape
    /// Every published credential with its precinct, and region of each precinct (BoardState's).
    public let credentials: CompactMap<DigestKey, PublishedCredential>
    public let regionOfPrecinct: [Int]
    public let regions: Int
    public let blockSize: Int
    /// sums[region][question][encrypted option]
    public private(set) var sums: [[[Ciphertext<G>]]]
    private var block: [[UInt8]] = []

    public init(
        shape: BallotShape, credentials: CompactMap<DigestKey, PublishedCredential>, regionOfPrecinct: [Int],
        regions: Int,
        blockSize: Int = 65_536
    ) {
        self.shape = shape
        self.credentials = credentials
        self.regionOfPrecinct = regionOfPrecinct
        self.regions = regions
        self.blockSize = blockSize
        sums = [[[Ciphertext<G>]]](repeating: Self.zero(shape), count: regions)
        block.reserveCapacity(blockSize)
    }

    static func zero(_ shape: BallotShape) -> [[Ciphertext<G>]] {
        shape.questions.map { q in [Ciphertext<G>](repeating: .zero, count: q.encryptedOptions) }
    }

    /// Adds one counted ballot (its encoding).
    @_specialize(exported:true,where G == DauysCrypto.P256)
    public mutating func add(_ payload: [UInt8]) async {
        block.append(payload)
        if block.count >= blockSize { await flush() }
    }

    /// Sums what is buffered.
    @_specialize(exported:true,where G == DauysCrypto.P256)
    public mutating func flush() async {
        guard !block.isEmpty else { return }
        let payloads = block
        block.removeAll(keepingCapacity: true)
        let (shape, credentials, regionOfPrecinct, regions) = (
            self.shape, self.credentials, self.regionOfPrecinct, self.regions
        )
        let chunk = max(1, (payloads.count + 63) / 64)
        var total = sums
        await withTaskGroup(of: [[[Ciphertext<G>]]].self) { group in
            for start in stride(from: 0, to: payloads.count, by: chunk) {
                let slice = payloads[start..<min(start + chunk, payloads.count)]
                group.addTask {
                    var part = [[[Ciphertext<G>]]](repeating: Self.zero(shape), count: regions)
                    for p in slice {
                        guard let b = try? Ballot<G>.ciphertexts(of: p, shape: shape),
                            let p = credentials[DigestKey(b.credential)]?.precinct
                        else { continue }
                        let r = regionOfPrecinct[Int(p)]
                        for (qi, a) in b.answers.enumerated() {
                            for (oi, c) in a.enumerated() { part[r][qi][oi] = part[r][qi][oi] + c }
                        }
                    }
                    return part
                }
            }
            for await part in group {
                for r in 0..<regions {
                    for qi in part[r].indices {
                        for oi in part[r][qi].indices { total[r][qi][oi] = total[r][qi][oi] + part[r][qi][oi] }
                    }
                }
            }
        }
        sums = total
    }

    /// The sums of a tally unit (its regions added).
    public func unitSums(_ u: TallyUnit) -> [[Ciphertext<G>]] {
        var acc = Self.zero(shape)
        for r in u.regions {
            for qi in acc.indices { for oi in acc[qi].indices { acc[qi][oi] = acc[qi][oi] + sums[r][qi][oi] } }
        }
        return acc
    }
}

/// The encrypted tally as both the lifecycle and the verifier compute it (record.md §7): the
/// counted ballots of a board state, fed in board order, added up per region and combined
/// into the state's tally units. The producer posts `finish()`; the verifier compares it with
/// the posted tally through `check`.
public struct TallyComputation<G: PrimeOrderGroup>: Sendable {
    public let units: [TallyUnit]
    private let counted: EntrySet
    private var summer: TallySummer<G>

    public init(state: BoardState<G>) {
        units = state.tallyUnits
        counted = state.countedBallots
        summer = TallySummer(
            shape: state.shape, credentials: state.credentials, regionOfPrecinct: state.regionOfPrecinct,
            regions: state.manifest.regions.count)
    }

    /// Feeds one board entry; only counted ballots are added.
    @_specialize(exported:true,where G == DauysCrypto.P256)
    public mutating func add(_ e: BoardEntry) async {
        if e.kind == .ballot && counted.contains(e.index) { await summer.add(e.payload) }
    }

    @_specialize(exported:true,where G == DauysCrypto.P256)
    public mutating func finish() async -> EncryptedTally<G> {
        await summer.flush()
        return EncryptedTally(units: units, sums: units.map { summer.unitSums($0) })
    }

    /// Every unit of the posted tally is the sum of its counted ballots.
    public static func check(posted: EncryptedTally<G>, computed: EncryptedTally<G>) -> [BoardViolation] {
        var out: [BoardViolation] = []
        for (u, sums) in zip(posted.units, posted.sums) {
            guard let i = computed.units.firstIndex(of: u) else { continue }
            if computed.sums[i] != sums {
                out.append(BoardViolation(.encryptedTally, "unit \(u.id) is not the sum of its counted ballots"))
            }
        }
        return out
    }
}
