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
        commandName: "send-shares",
        abstract: "Encrypt and publish this trustee's shares for every other trustee with a published key.")
    @OptionGroup var t: TrusteeOptions
    @Flag(help: "Go on although trustees that committed have not published their keys (they can then take no part).")
    var closeKeys = false
    func run() async throws {
        struct Body: GroupCommand {
            let c: TrusteeSendShares
            func run<G: PrimeOrderGroup>(_: G.Type) async throws {
                let b = try await c.t.d.access(G.self)
                let r = try await b.fetchState()
                let file = try TrusteeKeyFile.load(c.t.key)
                let tr = try file.trustee(G.self)
                let waiting = r.commitments.keys.filter { r.trusteeKeys[$0] == nil }.sorted()
                if !waiting.isEmpty && !r.keysClosed && !c.closeKeys {
                    throw CLIError(
                        "trustees \(list(waiting)) committed but have not published their keys: wait for them, or pass "
                            + "--close-keys to go on without them (the first share closes key publication)")
                }
                // A re-run after a crash sends only what is not on the board yet.
                let shares = try tr.shares(for: Array(r.trusteeKeys.values), election: r.baseHash)
                    .filter { r.share(from: tr.index, to: $0.to) == nil }
                try await b.post(
                    try shares.map {
                        try file.sign(.encryptedShare, $0.payload, base: r.baseHash, manifest: r.manifest)
                    })
                print("trustee \(tr.index): \(shares.count) encrypted shares published")
            }
        }
        try await Body(c: self).dispatch(try await t.d.group())
    }
}

/// "1, 2, 3"
func list(_ xs: [Int]) -> String { xs.map(String.init).joined(separator: ", ") }

struct TrusteeCheckShares: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-shares",
        abstract:
            "Open and check the shares sent to this trustee; complain about bad or missing ones, acknowledge the rest.")
    @OptionGroup var t: TrusteeOptions
    @Flag(help: "Complain about shares that have not arrived (the dealer must then reveal them or be disqualified).")
    var complainMissing = false
    func run() async throws {
        struct Body: GroupCommand {
            let c: TrusteeCheckShares
            func run<G: PrimeOrderGroup>(_: G.Type) async throws {
                let b = try await c.t.d.access(G.self)
                let r = try await b.fetchState()
                var file = try TrusteeKeyFile.load(c.t.key)
                let tr = try file.trustee(G.self)
                let check = r.checkShares(as: tr)
                if let done = r.acknowledgements[tr.index] {
                    // Already checked (the key file may have missed the result in a crash).
                    for i in done.dealers { if let v = check.received[i] { file.received[String(i)] = v.hex } }
                    try file.save(c.t.key)
                    print("trustee \(tr.index): shares already checked and acknowledged (\(done.dealers.count) good)")
                    return
                }
                guard r.trusteeKeys[tr.index] != nil else {
                    throw CLIError("trustee \(tr.index) has no published key: it takes no part in this ceremony")
                }
                if !check.missing.isEmpty && !c.complainMissing {
                    throw CLIError(
                        "no share yet from trustees \(list(check.missing)): run again once they have sent theirs, or "
                            + "with --complain-missing to complain (they must then reveal it publicly or be disqualified)"
                    )
                }
                for (i, v) in check.received { file.received[String(i)] = v.hex }
                try file.save(c.t.key)
                let key = try file.signer()
                guard r.manifest.trustees.signingKey(of: tr.index)?.rawRepresentation == key.publicKey.rawRepresentation
                else {
                    throw CLIError("the manifest does not name this key file's signing key for trustee \(tr.index)")
                }
                try await b.post(try check.messages(key: key, base: r.baseHash))
                let bad = check.complaints.filter { $0.evidence != nil }.map(\.against)
                print(
                    "trustee \(tr.index): \(check.received.count) good shares acknowledged"
                        + (bad.isEmpty ? "" : "; bad shares from trustees \(list(bad)) (proved on the board)")
                        + (check.missing.isEmpty ? "" : "; missing shares from trustees \(list(check.missing))"))
            }
        }
        try await Body(c: self).dispatch(try await t.d.group())
    }
}

struct TrusteeAnswer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "answer",
        abstract:
            "Answer complaints about missing shares by revealing those shares (never more than the quorum allows).")
    @OptionGroup var t: TrusteeOptions
    func run() async throws {
        struct Body: GroupCommand {
            let t: TrusteeOptions
            func run<G: PrimeOrderGroup>(_: G.Type) async throws {
                let b = try await t.d.access(G.self)
                let r = try await b.fetchState()
                let file = try TrusteeKeyFile.load(t.key)
                let tr = try file.trustee(G.self)
                let against = r.complaints.filter { $0.against == tr.index }
                guard against.count < r.threshold.quorum else {
                    throw CLIError(
                        "trustee \(tr.index): \(against.count) complaints against this trustee reach the quorum \(r.threshold.quorum); "
                            + "it is disqualified, and answering would reveal its polynomial — nothing was revealed")
                }
                let proved = against.filter { $0.evidence != nil }.map(\.from)
                guard proved.isEmpty else {
                    throw CLIError(
                        "trustee \(tr.index): the board holds proof that its shares to trustees \(list(proved)) are bad; "
                            + "it is disqualified — nothing was revealed")
                }
                let open = against.filter { c in !r.reveals.contains { $0.from == tr.index && $0.to == c.from } }
                try await b.post(
                    try open.map {
                        try file.sign(
                            .shareReveal, tr.reveal(to: $0.from).payload, base: r.baseHash, manifest: r.manifest)
                    })
                print("trustee \(tr.index): \(open.count) complaint(s) answered")
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
                var received = r.revealedShares(to: tr)
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
