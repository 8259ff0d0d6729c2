import Crypto

/// The encrypted answer to one question.
public struct EncryptedAnswer<G: PrimeOrderGroup>: Hashable, Sendable {
    /// One ciphertext per encrypted option (see `QuestionShape.encryptedOptions`).
    public let ciphertexts: [Ciphertext<G>]
    /// One 0/1 proof per ciphertext.
    public let bitProofs: [RangeProof<G>]
    /// Proof that the sum of the ciphertexts lies in `QuestionShape.sumRange`, when needed.
    public let sumProof: RangeProof<G>?

    /// Homomorphic sum of the option ciphertexts.
    public var sum: Ciphertext<G> { ciphertexts.dropFirst().reduce(ciphertexts[0], +) }
}

/// An encrypted, signed ballot as cast: the election it belongs to, the voter's public
/// credential, the ballot's sequence number, the encrypted answers with their validity
/// proofs, and the credential's signature over all of it.
///
/// The sequence number orders a credential's ballots: each ballot the board accepts has a
/// higher one than the credential's ballot before it (record.md §5.4), so a copy of an
/// earlier ballot cast again (a replay that would undo a revote) is refused from one number
/// kept per credential.
///
/// Canonical encoding (all fixed-length parts as in docs/protocol.md §6):
///
///     u8 version = 2 ‖ election hash (32) ‖ credential U ‖ u32 sequence (≥ 1)
///     ‖ u16 question count ‖ for each question:
///          u16 ciphertext count ‖ for each: α ‖ β ‖ 0/1 proof
///          ‖ sum proof (if the question needs one)
///     ‖ signature (A ‖ r)
///
/// The signed message is every byte before the signature.
public struct Ballot<G: PrimeOrderGroup>: Sendable {
    public static var version: UInt8 { 2 }

    public let election: ElectionHash
    public let credential: GroupElement<G>
    /// 1 for a credential's first ballot; each later one a higher number (protocol.md §6).
    public let sequence: UInt32
    public let answers: [EncryptedAnswer<G>]
    public let signature: CredentialSignature<G>
    /// The canonical encoding, kept so that hashing and storing never re-encode.
    public let bytes: [UInt8]
    let signedLength: Int

    public var signedMessage: [UInt8] { Array(bytes[0..<signedLength]) }

    /// What the voter keeps to find the ballot on the bulletin board.
    public var trackingCode: TrackingCode { TrackingCode(ballotBytes: bytes) }

    init(
        election: ElectionHash, credential: GroupElement<G>, sequence: UInt32, answers: [EncryptedAnswer<G>],
        signature: CredentialSignature<G>, unsigned: [UInt8]
    ) {
        self.election = election
        self.credential = credential
        self.sequence = sequence
        self.answers = answers
        self.signature = signature
        self.signedLength = unsigned.count
        self.bytes = unsigned + signature.bytes
    }

    static func encodeUnsigned(
        election: ElectionHash, credential: GroupElement<G>, sequence: UInt32, answers: [EncryptedAnswer<G>]
    ) -> [UInt8] {
        var w = ByteWriter(capacity: 1024)
        w.u8(version)
        w.fixed(election.bytes)
        w.fixed(credential.bytes)
        w.u32(sequence)
        w.u16(UInt16(answers.count))
        for a in answers {
            w.u16(UInt16(a.ciphertexts.count))
            for (c, p) in zip(a.ciphertexts, a.bitProofs) {
                w.fixed(c.bytes)
                w.fixed(p.bytes)
            }
            if let s = a.sumProof { w.fixed(s.bytes) }
        }
        return w.bytes
    }

    /// Decodes and checks the structure against the ballot shape; every element and scalar
    /// is validated. Proofs are *not* checked here (see `BallotContext.verify`).
    @_specialize(exported:true,where G == P256)
    public init(bytes: [UInt8], shape: BallotShape) throws(CryptoError) {
        var r = ByteReader(bytes)
        let v = try r.u8("ballot version")
        guard v == Self.version else { throw .invalidEncoding("ballot version \(v), expected \(Self.version)") }
        election = try ElectionHash(bytes: try r.fixed(32, "ballot election hash"))
        credential = try GroupElement(bytes: try r.fixed(G.elementByteCount, "ballot credential"))
        sequence = try r.u32("ballot sequence")
        guard sequence >= 1 else { throw .invalidEncoding("ballot sequence 0, the first ballot has 1") }
        let qn = Int(try r.u16("ballot question count"))
        guard qn == shape.questions.count else {
            throw .invalidEncoding("ballot answers \(qn) questions, the referendum has \(shape.questions.count)")
        }
        var answers: [EncryptedAnswer<G>] = []
        for (qi, q) in shape.questions.enumerated() {
            let n = Int(try r.u16("question \(qi + 1) ciphertext count"))
            guard n == q.encryptedOptions else {
                throw .invalidEncoding("question \(qi + 1) has \(n) ciphertexts, expected \(q.encryptedOptions)")
            }
            var cts: [Ciphertext<G>] = [], proofs: [RangeProof<G>] = []
            for oi in 0..<n {
                let what = "question \(qi + 1) option \(oi + 1)"
                cts.append(try Ciphertext(bytes: try r.fixed(2 * G.elementByteCount, "\(what) ciphertext")))
                proofs.append(try RangeProof(reader: &r, lo: 0, hi: 1, what: "\(what) 0/1 proof"))
            }
            var sum: RangeProof<G>? = nil
            if q.needsSumProof {
                sum = try RangeProof(
                    reader: &r, lo: q.sumRange.lowerBound, hi: q.sumRange.upperBound,
                    what: "question \(qi + 1) sum proof")
            }
            answers.append(EncryptedAnswer(ciphertexts: cts, bitProofs: proofs, sumProof: sum))
        }
        signedLength = r.offset
        signature = try CredentialSignature(reader: &r)
        try r.finish("ballot")
        self.answers = answers
        self.bytes = bytes
    }

    /// Size of a ballot of this shape in bytes.
    public static func byteCount(shape: BallotShape) -> Int {
        var n = 1 + 32 + G.elementByteCount + 4 + 2
        for q in shape.questions {
            n += 2 + q.encryptedOptions * (2 * G.elementByteCount + RangeProof<G>.byteCount(lo: 0, hi: 1))
            if q.needsSumProof { n += RangeProof<G>.byteCount(lo: q.sumRange.lowerBound, hi: q.sumRange.upperBound) }
        }
        return n + G.elementByteCount + G.scalarField.byteCount
    }
}

/// SHA-256 of the ballot's canonical encoding, under the "tracking-code" tag. The voter gets
/// a short form (first 80 bits, base32, in groups of four) to look the ballot up; the full
/// digest identifies it on the board.
public struct TrackingCode: Hashable, Sendable, CustomStringConvertible {
    public let digest: [UInt8]

    public init(ballotBytes: [UInt8]) {
        var w = ByteWriter()
        w.string("DAUYS-v1")
        w.string("tracking-code")
        w.lengthPrefixed(ballotBytes)
        digest = Array(Crypto.SHA256.hash(data: w.bytes))
    }

    public var hex: String { Hex.encode(digest) }
    /// Crockford base32 of the first 80 bits, in four groups of four, e.g. "K7QD-3MZX-8RTA-WY2F".
    public var short: String { Self.short(digest: digest) }

    static let symbols = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

    /// The short code of a tracking digest (protocol.md §6.3).
    public static func short(digest: [UInt8]) -> String {
        var bits = 0, value = 0
        var chars: [Character] = []
        for b in digest.prefix(10) {
            value = ((value << 8) | Int(b)) & 0xffff
            bits += 8
            while bits >= 5 {
                bits -= 5
                chars.append(symbols[(value >> bits) & 31])
            }
        }
        guard chars.count == 16 else { return "" }
        return stride(from: 0, to: 16, by: 4).map { String(chars[$0..<($0 + 4)]) }.joined(separator: "-")
    }

    /// The first 10 bytes of the digest a short code was made from, as a voter may type it:
    /// any case, with or without dashes or spaces, O read as 0 and I or L as 1 (Crockford).
    /// Nil if it is not 16 base32 symbols.
    public static func digestPrefix(short code: String) -> [UInt8]? {
        var values: [Int] = []
        for c in code.uppercased() {
            switch c {
            case "-", " ": continue
            case "O": values.append(0)
            case "I", "L": values.append(1)
            default:
                guard let v = symbols.firstIndex(of: c) else { return nil }
                values.append(v)
            }
        }
        guard values.count == 16 else { return nil }
        var out: [UInt8] = [], acc = 0, bits = 0
        for v in values {
            acc = (acc << 5) | v
            bits += 5
            if bits >= 8 {
                bits -= 8
                out.append(UInt8((acc >> bits) & 0xff))
                acc &= (1 << bits) - 1
            }
        }
        return out
    }
    public var description: String { short }
}

extension Ballot {
    /// The election hash, the credential and the sequence number of an encoded ballot, read from
    /// their fixed places without decoding the rest (docs/protocol.md §6): the only code outside
    /// the decoder that knows the layout. Nil if the bytes are too short or of another version.
    public static func header(
        of bytes: [UInt8]
    ) -> (election: ArraySlice<UInt8>, credential: ArraySlice<UInt8>, sequence: UInt32)? {
        let start = 1 + 32, end = start + G.elementByteCount
        guard bytes.count >= end + 4, bytes[0] == version else { return nil }
        let sequence = bytes[end..<(end + 4)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return (bytes[1..<start], bytes[start..<end], sequence)
    }
}

extension Ballot {
    /// Reads only the credential and the ciphertexts of an encoded ballot, skipping the proofs
    /// — for adding up ballots that were already verified. Every element read is still fully
    /// checked; the layout must match the shape.
    @_specialize(exported:true,where G == P256)
    public static func ciphertexts(
        of bytes: [UInt8], shape: BallotShape
    ) throws(CryptoError) -> (credential: [UInt8], answers: [[Ciphertext<G>]]) {
        let e = G.elementByteCount
        let bitProof = RangeProof<G>.byteCount(lo: 0, hi: 1)
        var r = ByteReader(bytes)
        guard try r.u8("ballot version") == version else { throw .invalidEncoding("ballot version") }
        _ = try r.fixed(32, "ballot election hash")
        let credential = Array(try r.fixed(e, "ballot credential"))
        _ = try r.u32("ballot sequence")
        guard Int(try r.u16("question count")) == shape.questions.count else {
            throw .invalidEncoding("question count")
        }
        var answers: [[Ciphertext<G>]] = []
        for q in shape.questions {
            guard Int(try r.u16("ciphertext count")) == q.encryptedOptions else {
                throw .invalidEncoding("ciphertext count")
            }
            var cs: [Ciphertext<G>] = []
            for _ in 0..<q.encryptedOptions {
                cs.append(try Ciphertext(bytes: try r.fixed(2 * e, "ciphertext")))
                _ = try r.fixed(bitProof, "0/1 proof")
            }
            if q.needsSumProof {
                _ = try r.fixed(
                    RangeProof<G>.byteCount(lo: q.sumRange.lowerBound, hi: q.sumRange.upperBound), "sum proof")
            }
            answers.append(cs)
        }
        return (credential, answers)
    }
}
