import Synchronization

/// Recovers small m from m·G (decrypted tallies) by Shanks's baby-step giant-step method.
///
/// The table holds j·G for 0 ≤ j < m (keyed by 64 bits of the encoding) and is built once
/// per group and process; solving then takes at most ⌈bound/m⌉ additions. With m = 2¹⁵, a
/// value up to 20 million needs at most 611 giant steps — a few milliseconds.
public final class DiscreteLog<G: PrimeOrderGroup>: Sendable {
    public let babySteps: Int
    private let table: [UInt64: UInt32]
    private let giant: GroupElement<G>  // −m·G

    public init(babySteps: Int = 1 << 15) {
        precondition(babySteps >= 1 && babySteps <= 1 << 24)
        self.babySteps = babySteps
        var t = [UInt64: UInt32](minimumCapacity: babySteps)
        var cur = GroupElement<G>.identity
        let g = GroupElement<G>.generator
        for j in 0..<babySteps {
            let key = G.lookupKey(cur.representation)
            if t[key] == nil { t[key] = UInt32(j) }
            cur = cur + g
        }
        table = t
        giant = -(Scalar<G>(UInt64(babySteps)) * g)
    }

    /// A shared table per group, built on first use.
    public static var shared: DiscreteLog<G> {
        discreteLogCache.withLock { cache in
            if let d = cache[G.name] as? DiscreteLog<G> { return d }
            let d = DiscreteLog<G>()
            cache[G.name] = d
            return d
        }
    }

    /// The m in [0, bound] with m·G = `element`.
    public func solve(_ element: GroupElement<G>, bound: UInt64) throws(CryptoError) -> UInt64 {
        var cur = element
        let m = UInt64(babySteps)
        var i: UInt64 = 0
        while i * m <= bound {
            if let j = table[G.lookupKey(cur.representation)] {
                let candidate = i * m + UInt64(j)
                // The key is only 64 bits of the encoding: confirm before answering.
                if candidate <= bound && GroupElement<G>.base(Scalar(candidate)) == element { return candidate }
            }
            cur = cur + giant
            i += 1
        }
        throw .outOfRange("decrypted value is not an integer between 0 and \(bound)")
    }
}

private let discreteLogCache = Mutex<[String: any Sendable]>([:])
