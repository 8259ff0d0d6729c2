import Crypto
import DauysCrypto
import DauysRecord
import Foundation

/// The figures of a precinct count protocol, as the referendum law requires them
/// (shared/reference: figures 1–9), per question for the answers.
public struct ProtocolFigures: Codable, Equatable, Sendable {
    /// 1. Voters on the precinct list (including those added on the day).
    public var votersOnList: UInt64
    /// 2. Ballots the commission received.
    public var ballotsReceived: UInt64
    /// 3. Ballots issued to voters in the room …
    public var issuedInRoom: UInt64
    /// 3b. … and through the mobile box.
    public var issuedMobile: UInt64
    /// Written requests to vote at home (the mobile box may not hold more ballots).
    public var mobileRequests: UInt64
    /// 4. Unused ballots cancelled.
    public var cancelled: UInt64
    /// 5. Ballots found in the boxes (= participants).
    public var inBoxes: UInt64
    /// 6–9 per question: votes per option, invalid, valid but not counted (both boxes marked).
    public var questions: [QuestionFigures]

    public struct QuestionFigures: Codable, Equatable, Sendable {
        public var options: [UInt64]
        public var invalid: UInt64
        public var notCounted: UInt64
        public init(options: [UInt64], invalid: UInt64, notCounted: UInt64) {
            self.options = options
            self.invalid = invalid
            self.notCounted = notCounted
        }
        enum CodingKeys: String, CodingKey { case options, invalid, notCounted = "not_counted" }
    }

    public init(
        votersOnList: UInt64, ballotsReceived: UInt64, issuedInRoom: UInt64, issuedMobile: UInt64,
        mobileRequests: UInt64,
        cancelled: UInt64, inBoxes: UInt64, questions: [QuestionFigures]
    ) {
        self.votersOnList = votersOnList
        self.ballotsReceived = ballotsReceived
        self.issuedInRoom = issuedInRoom
        self.issuedMobile = issuedMobile
        self.mobileRequests = mobileRequests
        self.cancelled = cancelled
        self.inBoxes = inBoxes
        self.questions = questions
    }

    enum CodingKeys: String, CodingKey {
        case votersOnList = "voters_on_list", ballotsReceived = "ballots_received", issuedInRoom = "issued_in_room"
        case issuedMobile = "issued_mobile", mobileRequests = "mobile_requests", cancelled, inBoxes = "in_boxes",
            questions
    }

    public var issued: UInt64 { issuedInRoom + issuedMobile }

    /// The control relations, each with its name; an empty list means the protocol is consistent.
    public func violations(manifest: Manifest) -> [String] {
        var v: [String] = []
        if ballotsReceived != issued + cancelled {
            v.append("ballots received (\(ballotsReceived)) ≠ issued (\(issued)) + cancelled (\(cancelled))")
        }
        if inBoxes > issued { v.append("ballots in the boxes (\(inBoxes)) > ballots issued (\(issued))") }
        if issued > votersOnList { v.append("ballots issued (\(issued)) > voters on the list (\(votersOnList))") }
        if issuedMobile > mobileRequests {
            v.append(
                "mobile-box ballots (\(issuedMobile)) > written requests (\(mobileRequests)): the mobile box's ballots are to be declared invalid before the protocol is signed"
            )
        }
        if questions.count != manifest.questions.count {
            v.append("\(questions.count) questions in the protocol, the referendum has \(manifest.questions.count)")
        } else {
            for (q, f) in zip(manifest.questions, questions) {
                if f.options.count != q.options.count {
                    v.append("question \(q.id): \(f.options.count) option figures, expected \(q.options.count)")
                    continue
                }
                let sum = f.options.reduce(0, +) + f.invalid + f.notCounted
                if sum != inBoxes {
                    v.append(
                        "question \(q.id): participants (\(inBoxes)) ≠ " + q.options.map(\.id).joined(separator: " + ")
                            + " + invalid + not counted (\(sum))")
                }
            }
        }
        return v
    }
}

/// One version of a precinct's count protocol. A correction is a new version with a reason;
/// earlier versions are never overwritten and stay public.
public struct PrecinctProtocol: Codable, Equatable, Sendable {
    public var referendum: String
    public var precinct: String
    public var version: Int
    /// Why this version replaces the previous one (required from version 2 on).
    public var reason: String?
    public var figures: ProtocolFigures

    public init(referendum: String, precinct: String, version: Int, reason: String?, figures: ProtocolFigures) {
        self.referendum = referendum
        self.precinct = precinct
        self.version = version
        self.reason = reason
        self.figures = figures
    }
}

/// A protocol signed by a commission's Ed25519 key (swift-crypto). The signature covers
/// `str("DAUYS-v1") ‖ str("precinct-protocol") ‖ lp(canonical JSON of the protocol)`.
public struct SignedProtocol: Codable, Equatable, Sendable {
    /// Canonical JSON of the `PrecinctProtocol`, exactly as signed.
    public let document: String
    public let commissionKey: String
    public let signature: String

    enum CodingKeys: String, CodingKey { case document, commissionKey = "commission_key", signature }

    static func message(_ document: [UInt8]) -> [UInt8] {
        var w = ByteWriter()
        w.string("DAUYS-v1")
        w.string("precinct-protocol")
        w.lengthPrefixed(document)
        return w.bytes
    }

    public static func sign(_ p: PrecinctProtocol, key: Curve25519.Signing.PrivateKey) throws -> SignedProtocol {
        let doc = try CanonicalJSON.encode(p)
        return SignedProtocol(
            document: String(decoding: doc, as: UTF8.self), commissionKey: Hex.encode(key.publicKey.rawRepresentation),
            signature: Hex.encode(try key.signature(for: message(Array(doc)))))
    }

    init(document: String, commissionKey: String, signature: String) {
        self.document = document
        self.commissionKey = commissionKey
        self.signature = signature
    }

    /// The protocol, if the signature verifies with the key it names.
    public func verified() throws(PaperError) -> PrecinctProtocol {
        guard let k = try? Curve25519.Signing.PublicKey(rawRepresentation: Hex.decode(commissionKey)),
            let sig = try? Hex.decode(signature), k.isValidSignature(sig, for: Self.message(Array(document.utf8)))
        else {
            throw PaperError.badSignature
        }
        guard let p = try? CanonicalJSON.decode(PrecinctProtocol.self, Array(document.utf8)),
            let again = try? CanonicalJSON.encode(p), Array(again) == Array(document.utf8)
        else { throw .notCanonical }
        return p
    }
}

public enum PaperError: Error, Equatable, Sendable, CustomStringConvertible {
    case badSignature
    case notCanonical
    case unknownPrecinct(String)
    case wrongReferendum(String)
    case notAuthorized(precinct: String)
    case version(String)
    case violations(precinct: String, [String])
    case storage(String)

    public var description: String {
        switch self {
        case .badSignature: "the protocol's signature does not verify"
        case .notCanonical: "the protocol is not in canonical JSON form"
        case .unknownPrecinct(let p): "unknown precinct \(p)"
        case .wrongReferendum(let r): "the protocol is for referendum \(r)"
        case .notAuthorized(let p): "this commission key may not sign protocols of precinct \(p)"
        case .version(let s): s
        case .violations(let p, let v): "protocol of precinct \(p) is refused: " + v.joined(separator: "; ")
        case .storage(let s): "the protocols could not be stored: \(s)"
        }
    }
}
