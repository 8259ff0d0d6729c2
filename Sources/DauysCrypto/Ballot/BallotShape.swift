/// What a voter may answer to one question: choose between `minSelections` and
/// `maxSelections` of `options` options (the referendum question: exactly 1 of 2).
///
/// Compact encoding: when the number of choices is fixed (min = max), the last option's count
/// is implied by the others (max − Σ), so only the first `options − 1` options are
/// encrypted. A yes/no question is thus one ciphertext with one 0/1 proof and no sum proof,
/// since the 0/1 proof already implies the sum is in [0, 1].
public struct QuestionShape: Hashable, Sendable, Codable {
    public let options: Int
    public let minSelections: Int
    public let maxSelections: Int

    public init(options: Int, minSelections: Int, maxSelections: Int) throws(CryptoError) {
        guard options >= 1, options <= 1000 else {
            throw .invalidParameter("a question needs between 1 and 1000 options")
        }
        guard minSelections >= 0, maxSelections >= 1, minSelections <= maxSelections, maxSelections <= options else {
            throw .invalidParameter("selection limits must satisfy 0 ≤ min ≤ max ≤ options and max ≥ 1")
        }
        self.options = options
        self.minSelections = minSelections
        self.maxSelections = maxSelections
    }

    /// Yes or no, exactly one.
    public static let yesNo = try! QuestionShape(options: 2, minSelections: 1, maxSelections: 1)

    /// Number of options carried by a ciphertext.
    public var encryptedOptions: Int { minSelections == maxSelections ? options - 1 : options }

    /// Range the sum of the encrypted options must lie in.
    public var sumRange: ClosedRange<Int> {
        let n = encryptedOptions
        let lo = minSelections == maxSelections ? maxSelections - 1 : minSelections
        return max(lo, 0)...min(maxSelections, n)
    }

    /// Whether a separate proof on the sum is needed: not when the 0/1 proofs already
    /// confine the sum to `sumRange`.
    public var needsSumProof: Bool { !(sumRange.lowerBound <= 0 && sumRange.upperBound >= encryptedOptions) }

    /// Checks a voter's choice: one entry per option, each 0 or 1, count within limits.
    public func validate(_ selections: [Int]) throws(CryptoError) {
        guard selections.count == options else {
            throw .invalidParameter("expected \(options) option marks, got \(selections.count)")
        }
        guard selections.allSatisfy({ $0 == 0 || $0 == 1 }) else {
            throw .invalidParameter("each option mark must be 0 or 1")
        }
        let s = selections.reduce(0, +)
        guard s >= minSelections && s <= maxSelections else {
            throw .invalidParameter("\(s) options chosen; between \(minSelections) and \(maxSelections) allowed")
        }
    }

    /// Per-option totals from the decrypted totals of the encrypted options, given the number
    /// of ballots counted (the implied option gets max·ballots − Σ).
    public func optionTotals(encryptedTotals: [UInt64], ballots: UInt64) -> [UInt64] {
        guard encryptedOptions < options else { return encryptedTotals }
        let implied = UInt64(maxSelections) * ballots - encryptedTotals.reduce(0, +)
        return encryptedTotals + [implied]
    }
}

/// The questions of one ballot, in order.
public struct BallotShape: Hashable, Sendable, Codable {
    public let questions: [QuestionShape]
    public init(questions: [QuestionShape]) throws(CryptoError) {
        guard !questions.isEmpty, questions.count <= 100 else {
            throw .invalidParameter("a ballot has between 1 and 100 questions")
        }
        self.questions = questions
    }
    /// One yes/no question: the referendum ballot.
    public static let referendum = try! BallotShape(questions: [.yesNo])
}
