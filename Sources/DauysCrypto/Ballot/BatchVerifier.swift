/// Verifies many ballots using all cores.
///
/// Ballots are cut into chunks; each chunk is checked with one randomized combination of all
/// its relations (one multi-scalar multiplication). A chunk that fails is re-checked ballot
/// by ballot so that exactly the bad ballots are named. The verdicts come back in input
/// order, whatever the scheduling.
///
/// Callers in other modules, often generic themselves (the lifecycle, the server, the verifier),
/// would run this code unspecialised: generic metadata look-ups and boxed scalars were ≈ 15 % of
/// `dauys verify`'s CPU time (docs/performance.md). So the entry points check at run time for
/// P-256 and call the P-256 body the compiler specialised here; the hot entry points of Ballot,
/// BallotContext, BoardState and TallySummer carry `@_specialize(exported: true, where G == P256)`.
public struct BatchVerifier<G: PrimeOrderGroup>: Sendable {
    public let context: BallotContext<G>
    public let chunkSize: Int

    public init(context: BallotContext<G>, chunkSize: Int = 32) {
        self.context = context
        self.chunkSize = max(1, chunkSize)
    }

    /// One verdict per ballot: nil if valid, the reason otherwise.
    public func verify(_ ballots: [Ballot<G>]) async -> [BallotError?] {
        if let p256 = self as? BatchVerifier<P256>, let b = ballots as? [Ballot<P256>] {
            return await p256.check(b)
        }
        return await check(ballots)
    }

    private func check(_ ballots: [Ballot<G>]) async -> [BallotError?] {
        let chunks = stride(from: 0, to: ballots.count, by: chunkSize).map { $0..<min($0 + chunkSize, ballots.count) }
        var verdicts = [BallotError?](repeating: nil, count: ballots.count)
        await withTaskGroup(of: (Range<Int>, [BallotError?]).self) { group in
            for range in chunks {
                let slice = Array(ballots[range])
                group.addTask { (range, self.verifyChunk(slice)) }
            }
            for await (range, result) in group {
                for (i, v) in zip(range, result) { verdicts[i] = v }
            }
        }
        return verdicts
    }

    /// Synchronous check of one chunk on the current thread.
    public func verifyChunk(_ ballots: [Ballot<G>]) -> [BallotError?] {
        var check = BatchCheck(fixedBase: context.key)
        var verdicts = [BallotError?](repeating: nil, count: ballots.count)
        for (i, b) in ballots.enumerated() {
            do {
                for r in try context.relations(b) { check.add(r) }
            } catch {
                verdicts[i] = error
            }
        }
        if check.holds() { return verdicts }
        // Something is false: find it ballot by ballot.
        for (i, b) in ballots.enumerated() where verdicts[i] == nil {
            do { try context.verify(b) } catch { verdicts[i] = error }
        }
        return verdicts
    }
}

extension BatchVerifier {
    /// Decodes and verifies encoded ballots in parallel: decoding (with its membership checks)
    /// is part of the work spread over the cores.
    public func verify(encoded: [[UInt8]]) async -> [BallotError?] {
        if let p256 = self as? BatchVerifier<P256> { return await p256.check(encoded: encoded) }
        return await check(encoded: encoded)
    }

    private func check(encoded: [[UInt8]]) async -> [BallotError?] {
        let chunks = stride(from: 0, to: encoded.count, by: chunkSize).map { $0..<min($0 + chunkSize, encoded.count) }
        var verdicts = [BallotError?](repeating: nil, count: encoded.count)
        await withTaskGroup(of: (Range<Int>, [BallotError?]).self) { group in
            for range in chunks {
                let slice = Array(encoded[range])
                group.addTask {
                    var decoded: [Ballot<G>] = []
                    var positions: [Int] = []
                    var result = [BallotError?](repeating: nil, count: slice.count)
                    for (i, bytes) in slice.enumerated() {
                        do throws(CryptoError) {
                            decoded.append(try Ballot(bytes: bytes, shape: self.context.shape))
                            positions.append(i)
                        } catch { result[i] = .malformed(error) }
                    }
                    for (p, v) in zip(positions, self.verifyChunk(decoded)) { result[p] = v }
                    return (range, result)
                }
            }
            for await (range, result) in group {
                for (i, v) in zip(range, result) { verdicts[i] = v }
            }
        }
        return verdicts
    }
}
