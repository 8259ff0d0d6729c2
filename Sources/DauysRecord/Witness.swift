import Crypto
import DauysCrypto
import Foundation

/// A witness's cosignature of a checkpoint (entry kind 23, record.md §9.4): an observer who
/// verified the board up to the checkpoint's entry signs (entry, hash). The board cannot
/// later show anyone a history without that entry, or with another hash, without the
/// witness's signature giving it away — the transparency-log idea of Certificate
/// Transparency's gossip and sigsum's witnesses, applied to a referendum.
///
///     message = witness key (32) ‖ u64(up_to) ‖ hash_{up_to} (32)
///     payload = message ‖ σ, σ = Ed25519 over RecordAuthority.witness's authority message
public struct WitnessCosignature: Sendable, Equatable {
    public let witness: Curve25519.Signing.PublicKey
    public let upTo: UInt64
    public let hash: [UInt8]
    public let payload: [UInt8]

    public static func == (a: Self, b: Self) -> Bool { a.payload == b.payload }

    public init(upTo: UInt64, hash: [UInt8], key: Curve25519.Signing.PrivateKey, base: ElectionHash) throws {
        precondition(hash.count == 32)
        witness = key.publicKey
        self.upTo = upTo
        self.hash = hash
        var w = ByteWriter(capacity: 72)
        w.fixed(key.publicKey.rawRepresentation)
        w.u64(upTo)
        w.fixed(hash)
        payload = try RecordAuthority.witness.sign(kind: .witnessCosignature, message: w.bytes, key: key, base: base)
    }

    public init(payload: [UInt8]) throws(DauysCrypto.CryptoError) {
        guard payload.count == 32 + 8 + 32 + 64 else {
            throw .invalidEncoding("witness cosignature: 136 bytes expected, \(payload.count) found")
        }
        var r = ByteReader(Array(payload.prefix(72)))
        let k = try r.fixed(32, "witness key")
        upTo = try r.u64("checkpoint entry")
        hash = Array(try r.fixed(32, "entry hash"))
        try r.finish("witness cosignature")
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: k) else {
            throw .invalidEncoding("witness cosignature: not an Ed25519 public key")
        }
        witness = key
        self.payload = payload
    }

    /// Whether σ verifies under the witness key the message names.
    public func isSigned(base: ElectionHash) -> Bool {
        RecordAuthority.witness.verifies(kind: .witnessCosignature, payload: payload, key: witness, base: base)
    }

    public var witnessHex: String { Hex.encode(witness.rawRepresentation) }
}

extension BoardState {
    /// record.md §9.4: a witness of the manifest cosigns a checkpoint on the board, once.
    mutating func applyCosignature(_ e: BoardEntry) throws(BoardViolation) {
        let c: WitnessCosignature
        do { c = try WitnessCosignature(payload: e.payload) } catch {
            throw BoardViolation(.witnesses, "witness cosignature at \(e.index): \(error)")
        }
        guard manifest.witnesses?.contains(c.witnessHex) == true else {
            throw BoardViolation(.witnesses, "entry \(e.index): the key is not a witness of the manifest")
        }
        guard c.isSigned(base: baseHash) else {
            throw BoardViolation(.witnesses, "entry \(e.index): the witness's signature does not verify")
        }
        guard checkpointHashes[c.upTo] == c.hash else {
            throw BoardViolation(
                .witnesses, "entry \(e.index) cosigns entry \(c.upTo), which no checkpoint on the board certifies so")
        }
        guard cosigned[c.witnessHex]?.contains(c.upTo) != true else {
            throw BoardViolation(.witnesses, "entry \(e.index): this witness already cosigned entry \(c.upTo)")
        }
        cosigned[c.witnessHex, default: []].insert(c.upTo)
    }

    /// Whether this witness cosigned the board up to the close of voting — or, before the
    /// close, any checkpoint (`dauys verify --witness`, record.md §9.4).
    public func witnessed(by key: [UInt8]) -> Bool {
        guard let mine = cosigned[Hex.encode(key)], let latest = mine.max() else { return false }
        guard let closed = closedAt else { return true }
        return latest >= closed
    }
}
