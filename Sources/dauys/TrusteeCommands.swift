import ArgumentParser
import DauysCrypto
import DauysRecord
import DauysReferendum
import Foundation

/// A trustee's key file (JSON, mode 0600): the trustee's secrets and the shares received.
/// It never leaves the trustee; only public messages go to the board.
struct TrusteeKeyFile: Codable {
    var index: Int
    var group: String
    var referendum: String
    var baseHash: String
    var secrets: String
    /// Checked shares received, by sender index.
    var received: [String: String] = [:]
    /// This trustee's share of the election key, once the ceremony is finished.
    var keyShare: String?

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
    func trustee<G: PrimeOrderGroup>(_: G.Type) throws -> Trustee<G> {
        try Trustee<G>(secretBytes: try Hex.decode(secrets), election: try ElectionHash(hex: baseHash))
    }
}

struct TrusteeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trustee", abstract: "A trustee's own steps, with the trustee's own key file.",
        subcommands: [
            TrusteeKeygen.self, TrusteeSendShares.self, TrusteeCheckShares.self, TrusteeAnswer.self,
            TrusteeDecrypt.self,
        ])
}

struct TrusteeOptions: ParsableArguments {
    @OptionGroup var d: DataOption
    @Option(help: "The trustee's key file.") var key: String
}

struct TrusteeKeygen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen", abstract: "Generate this trustee's keys and publish the public part.")
    @OptionGroup var t: TrusteeOptions
    @Option(help: "This trustee's number, 1…n.") var index: Int
    func run() async throws {
        struct Body: GroupCommand {
            let c: TrusteeKeygen
            func run<G: PrimeOrderGroup>(_: G.Type) async throws {
                guard !FileManager.default.fileExists(atPath: c.t.key) else {
                    throw CLIError("\(c.t.key) exists; a trustee key file is never overwritten")
                }
                let b = try await c.t.d.access(G.self)
                let s = try await b.fetchState()
                let tr = try Trustee<G>.generate(index: c.index, threshold: s.threshold, election: s.baseHash)
                let file = TrusteeKeyFile(
                    index: c.index, group: G.name, referendum: s.manifest.id, baseHash: s.baseHash.hex,
                    secrets: Hex.encode(tr.secretBytes))
                // The key file is written only once the board accepted the public key: a refused
                // step leaves no stray key file.
                try await b.postTrusteeKey(tr.publicKey)
                try file.save(c.t.key)
                print("trustee \(c.index): public key published; secrets in \(c.t.key)")
            }
        }
        try await Body(c: self).dispatch(try await t.d.group())
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
                let tr = try TrusteeKeyFile.load(t.key).trustee(G.self)
                guard r.trusteeKeys.count == r.threshold.trustees else {
                    throw CLIError(
                        "\(r.trusteeKeys.count) of \(r.threshold.trustees) trustees have published keys; wait for all")
                }
                let shares = try tr.shares(for: Array(r.trusteeKeys.values), election: r.baseHash)
                try await b.postShares(shares)
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
                        try await b.postComplaint(ShareComplaint(from: tr.index, against: s.from))
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
                let tr = try TrusteeKeyFile.load(t.key).trustee(G.self)
                var n = 0
                for c in r.complaints
                where c.against == tr.index && !r.reveals.contains(where: { $0.from == tr.index && $0.to == c.from }) {
                    try await b.postReveal(tr.reveal(to: c.from))
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
                try await b.postDecryption(TrusteeDecryption(trustee: tr.index, shares: shares))
                print("trustee \(tr.index): \(shares.count) decryption shares published")
            }
        }
        try await Body(t: t).dispatch(try await t.d.group())
    }
}
