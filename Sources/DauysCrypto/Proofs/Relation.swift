/// A linear relation between group elements that a proof asserts, in additive notation:
///
///     g·G + f·F + Σ sᵢ·Pᵢ = O
///
/// where G is the generator and F an optional fixed base (the election key). Every Dauys
/// proof is verified by checking such relations, which makes batch verification possible.
public struct Relation<G: PrimeOrderGroup> {
    public var generator: Scalar<G> = .zero
    public var fixed: Scalar<G> = .zero
    public var terms: [(GroupElement<G>, Scalar<G>)] = []
    /// What the relation proves, named for an observer ("0/1 proof of question 1, option 2").
    public var label: String

    public init(_ label: String) { self.label = label }
}

/// Accumulates relations with independent random 128-bit weights zᵢ and checks
/// Σ zᵢ·(relationᵢ) = O with one multi-scalar multiplication — the small-exponents batch
/// test of Bellare, Garay and Rabin (EUROCRYPT 1998). In a prime-order group in which every
/// decoded value is a group element, a false relation survives with probability ≤ 2⁻¹²⁸.
///
/// Terms sharing the same element instance are merged, so a ciphertext used by several
/// equations costs one point in the multiplication.
public struct BatchCheck<G: PrimeOrderGroup> {
    public let fixedBase: FixedBase<G>?
    private var generator: Scalar<G> = .zero
    private var fixed: Scalar<G> = .zero
    private var reps: [G.Representation] = []
    private var coefficients: [Scalar<G>] = []
    private var index: [ObjectIdentifier: Int] = [:]
    public private(set) var relationCount = 0

    public init(fixedBase: FixedBase<G>?) { self.fixedBase = fixedBase }

    /// Adds z·r with a fresh random weight z.
    public mutating func add(_ r: Relation<G>) {
        add(r, weight: Scalar(reducing: SecureRandom.bytes(16)))
    }

    mutating func add(_ r: Relation<G>, weight z: Scalar<G>) {
        relationCount += 1
        if !r.generator.isZero { generator += z * r.generator }
        if !r.fixed.isZero {
            precondition(fixedBase != nil, "relation uses a fixed base the check was not given")
            fixed += z * r.fixed
        }
        for (e, s) in r.terms {
            let zs = z * s
            let id = ObjectIdentifier(e.representation)
            if let i = index[id] {
                coefficients[i] += zs
            } else {
                index[id] = reps.count
                reps.append(e.representation)
                coefficients.append(zs)
            }
        }
    }

    /// True iff the weighted sum is the neutral element.
    public func holds() -> Bool {
        var fixedTerms: [(G.FixedBaseTable, Scalar<G>)] = []
        if let f = fixedBase, !fixed.isZero { fixedTerms.append((f.table, fixed)) }
        let sum = G.linearCombination(
            generator: generator, fixed: fixedTerms,
            terms: zip(reps, coefficients).filter { !$0.1.isZero }.map { ($0.0, $0.1) })
        return G.isIdentity(sum)
    }

    /// Checks one relation on its own (weight 1): the reference, deterministic verification
    /// used to name the failing relation.
    public static func holds(_ r: Relation<G>, fixedBase: FixedBase<G>?) -> Bool {
        var c = BatchCheck(fixedBase: fixedBase)
        c.add(r, weight: .one)
        return c.holds()
    }
}
