import ArgumentParser
import Crypto
import DauysCrypto
import DauysRecord
import DauysReferendum
import DauysStore
import Foundation

/// A trustee's key file (JSON, mode 0600): the trustee's signing key, then its ceremony
/// secrets and the shares it received. It never leaves the trustee; only signed public messages
/// go to the board.
struct TrusteeKeyFile: Codable {
    var index: Int
    /// The Ed25519 signing key (hex); its public half is in the manifest (`trustees.keys`).
    var signingKey: String
    var group: String?
    var referendum: String?
    var baseHash: String?
    var secrets: String?
    /// Checked shares received, by sender index.
    var received: [String: String] = [:]

    static func load(_ path: String) throws -> TrusteeKeyFile {
        guard let d = FileManager.default.contents(atPath: path) else {
            throw CLIError("cannot read trustee key file \(path)")
        }
        return try JSONDecoder().decode(TrusteeKeyFile.self, from: d)
    }
    func save(_ path: String) throws {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        try writeSecret(try e.encode(self), to: path)
    }
    func signer() throws -> Curve25519.Signing.PrivateKey {
        try Curve25519.Signing.PrivateKey(rawRepresentation: try Hex.decode(signingKey, what: "signing key"))
    }
    func trustee<G: PrimeOrderGroup>(_: G.Type) throws -> Trustee<G> {
        guard let secrets, let baseHash else {
            throw CLIError("this key file has no ceremony secrets yet: run `trustee keygen`")
        }
        return try Trustee<G>(secretBytes: try Hex.decode(secrets), election: try ElectionHash(hex: baseHash))
    }
    /// Signs a message as this trustee for the board of `state`, after checking that the
    /// manifest names this file's key for this trustee.
    func sign(
        _ kind: EntryKind, _ message: [UInt8], base: ElectionHash, manifest: Manifest
    ) throws -> SignedTrusteeMessage {
        let key = try signer()
        guard manifest.trustees.signingKey(of: index)?.rawRepresentation == key.publicKey.rawRepresentation else {
            throw CLIError("the manifest does not name this key file's signing key for trustee \(index)")
        }
        return try SignedTrusteeMessage(kind: kind, message: message, key: key, base: base)
    }
}

struct TrusteeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trustee", abstract: "A trustee's own steps, with the trustee's own key file.",
        subcommands: [
            TrusteeNewKey.self, TrusteeKeygen.self, TrusteePublishKey.self, TrusteeSendShares.self,
            TrusteeCheckShares.self, TrusteeAnswer.self,
            TrusteeDecrypt.self,
        ])
}

struct TrusteeOptions: ParsableArguments {
    @OptionGroup var d: DataOption
    @Option(help: "The trustee's key file.") var key: String
}

struct TrusteeNewKey: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new-key",
        abstract:
            "Before the manifest: create this trustee's key file with its signing key; print the public key for the manifest."
    )
    @Option(help: "The trustee's key file to create (mode 0600).") var key: String
    @Option(help: "This trustee's number, 1…n.") var index: Int
    func run() throws {
        guard !FileManager.default.fileExists(atPath: key) else {
            throw CLIError("\(key) exists; a trustee key file is never overwritten")
        }
        let k = Curve25519.Signing.PrivateKey()
        try TrusteeKeyFile(index: index, signingKey: Hex.encode(k.rawRepresentation)).save(key)
        print(Hex.encode(k.publicKey.rawRepresentation))
    }
}

struct TrusteeKeygen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Generate this trustee's ceremony keys and publish a signed commitment to the public part.")
    @OptionGroup var t: TrusteeOptions
    func run() async throws {
        struct Body: GroupCommand {
            let c: TrusteeKeygen
            func run<G: PrimeOrderGroup>(_: G.Type) async throws {
                var file = try TrusteeKeyFile.load(c.t.key)
                guard file.secrets == nil else { throw CLIError("\(c.t.key) already holds ceremony secrets") }
                let b = try await c.t.d.access(G.self)
                let s = try await b.fetchState()
                let tr = try Trustee<G>.generate(index: file.index, threshold: s.threshold, election: s.baseHash)
                let commitment = TrusteeCommitment(tr.publicKey, base: s.baseHash)
                let message = try file.sign(
                    .trusteeCommitment, commitment.payload, base: s.baseHash, manifest: s.manifest)
                // The secrets are saved only once the board accepted the commitment: a refused
                // step leaves the key file as it was.
                try await b.post([message])
                (file.group, file.referendum, file.baseHash, file.secrets) =
                    (G.name, s.manifest.id, s.baseHash.hex, Hex.encode(tr.secretBytes))
                try file.save(c.t.key)
                print("trustee \(file.index): commitment published; secrets in \(c.t.key)")
            }
        }
        try await Body(c: self).dispatch(try await t.d.group())
    }
}

struct TrusteePublishKey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish-key",
        abstract: "Once every trustee has committed: reveal this trustee's public key (it must match the commitment).")
    @OptionGroup var t: TrusteeOptions
    func run() async throws {
        struct Body: GroupCommand {
            let t: TrusteeOptions
            func run<G: PrimeOrderGroup>(_: G.Type) async throws {
                let file = try TrusteeKeyFile.load(t.key)
                let tr = try file.trustee(G.self)
                let b = try await t.d.access(G.self)
                let s = try await b.fetchState()
                let missing = (1...s.threshold.trustees).filter { s.commitments[$0] == nil }
                if !missing.isEmpty && s.trusteeKeys.isEmpty {
                    say(
                        "note: trustees \(missing.map(String.init).joined(separator: ", ")) have not committed; "
                            + "once a key is revealed they can no longer take part")
                }
                try await b.post([
                    try file.sign(.trusteeKey, tr.publicKey.payload, base: s.baseHash, manifest: s.manifest)
                ])
                print("trustee \(tr.index): public key published")
            }
        }
        try await Body(t: t).dispatch(try await t.d.group())
    }
}

struct TrusteeSendShares: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send-shares", abstract: "Encrypt and publish this trustee's shares for every other trustee.")
    @OptionGroup var t: TrusteeOptions
    func run() async throws {
        struct Body: GroupCommand {
            let t: TrusteeOptions
            func run<G: PrimeOrderGroup>(_: G.Type) async throws {
                let b = try await t.d.access(G.self)
                let r = try await b.fetchState()
                let file = try TrusteeKeyFile.load(t.key)
                let tr = try file.trustee(G.self)
                guard r.trusteeKeys.count == r.threshold.trustees else {
                    throw CLIError(
                        "\(r.trusteeKeys.count) of \(r.threshold.trustees) trustees have published keys; wait for all")
                }
                let shares = try tr.shares(for: Array(r.trusteeKeys.values), election: r.baseHash)
                try await b.post(
                    try shares.map {
                        try file.sign(.encryptedShare, $0.payload, base: r.baseHash, manifest: r.manifest)
                    })
                print("trustee \(tr.index): \(shares.count) encrypted shares published")
            }
        }
        try await Body(t: t).dispatch(try await t.d.group())
    }
}

struct TrusteeCheckShares: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-shares",
        abstract: "Open and check the shares sent to this trustee; complain about bad ones.")
    @OptionGroup var t: TrusteeOptions
    func run() async throws {
        struct Body: GroupCommand {
            let t: TrusteeOptions
            func run<G: PrimeOrderGroup>(_: G.Type) async throws {
                let b = try await t.d.access(G.self)
                let r = try await b.fetchState()
                var file = try TrusteeKeyFile.load(t.key)
                let tr = try file.trustee(G.self)
                var complained = 0
                for s in r.encryptedShares where s.to == tr.index {
                    if let v = tr.receive(s, from: r.trusteeKeys[s.from]!, election: r.baseHash) {
                        file.received[String(s.from)] = v.hex
                    } else if !r.complaints.contains(where: { $0.from == tr.index && $0.against == s.from }) {
                        let c = ShareComplaint(from: tr.index, against: s.from)
                        try await b.post([try file.sign(.complaint, c.payload, base: r.baseHash, manifest: r.manifest)])
                        complained += 1
                    }
                }
                // Answered complaints: take the revealed value if it matches the commitments.
                for rv in r.reveals where rv.to == tr.index {
                    if let pk = r.trusteeKeys[rv.from],
                        GroupElement<G>.base(rv.share) == pk.expectedShareImage(for: tr.index)
                    {
                        file.received[String(rv.from)] = rv.share.hex
                    }
                }
                try file.save(t.key)
                print("trustee \(tr.index): \(file.received.count) good shares, \(complained) complaint(s) filed")
            }
        }
        try await Body(t: t).dispatch(try await t.d.group())
    }
}

struct TrusteeAnswer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "answer", abstract: "Answer complaints against this trustee by revealing the disputed shares.")
    @OptionGroup var t: TrusteeOptions
    func run() async throws {
        struct Body: GroupCommand {
            let t: TrusteeOptions
            func run<G: PrimeOrderGroup>(_: G.Type) async throws {
                let b = try await t.d.access(G.self)
                let r = try await b.fetchState()
                let file = try TrusteeKeyFile.load(t.key)
                let tr = try file.trustee(G.self)
                let against = r.complaintsAgainst(tr.index)
                guard against < r.threshold.quorum else {
                    throw CLIError(
                        "trustee \(tr.index): \(against) complaints against this trustee reach the quorum \(r.threshold.quorum); "
                            + "it is disqualified, and answering would reveal its polynomial — nothing was revealed")
                }
                var n = 0
                for c in r.complaints
                where c.against == tr.index && !r.reveals.contains(where: { $0.from == tr.index && $0.to == c.from }) {
                    try await b.post([
                        try file.sign(
                            .shareReveal, tr.reveal(to: c.from).payload, base: r.baseHash, manifest: r.manifest)
                    ])
                    n += 1
                }
                print("trustee \(tr.index): \(n) complaint(s) answered")
            }
        }
        try await Body(t: t).dispatch(try await t.d.group())
    }
}

struct TrusteeDecrypt: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decrypt", abstract: "Publish this trustee's partial decryption of the tally, with proofs.")
    @OptionGroup var t: TrusteeOptions
    func run() async throws {
        struct Body: GroupCommand {
            let t: TrusteeOptions
            func run<G: PrimeOrderGroup>(_: G.Type) async throws {
                let b = try await t.d.access(G.self)
                let r = try await b.fetchState()
                let file = try TrusteeKeyFile.load(t.key)
                let tr = try file.trustee(G.self)
                guard let ek = r.electionKey, let tally = r.tally else {
                    throw CLIError("no encrypted tally yet (phase \(r.phase.rawValue))")
                }
                var received: [Int: Scalar<G>] = [:]
                for (k, v) in file.received { received[Int(k)!] = try Scalar<G>(hex: v) }
                let share = try tr.secretShare(received: received, qualified: Set(ek.qualified))
                guard share.verificationKey == r.verificationKey(for: tr.index) else {
                    throw CLIError(
                        "this key file does not match trustee \(tr.index)'s verification key (missing shares? run check-shares)"
                    )
                }
                let shares = tally.labelled(r.manifest).map {
                    DecryptionShare.make(keyShare: share, ciphertext: $0.1, label: $0.0, election: ek.electionHash)
                }
                let d = TrusteeDecryption(trustee: tr.index, shares: shares)
                try await b.post([try file.sign(.decryptionShares, d.payload, base: r.baseHash, manifest: r.manifest)])
                print("trustee \(tr.index): \(shares.count) decryption shares published")
            }
        }
        try await Body(t: t).dispatch(try await t.d.group())
    }
}
