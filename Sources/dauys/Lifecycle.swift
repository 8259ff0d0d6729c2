import ArgumentParser
import Crypto
import DauysCrypto
import DauysPaper
import DauysRecord
import DauysReferendum
import DauysRegistry
import DauysStore
import Foundation

struct Init: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a referendum: board, board key and manifest (phase setup).")
    @OptionGroup var d: DataOption
    @Option(help: "Manifest JSON file (see `dauys manifest-sample`).") var manifest: String
    @Flag(
        help:
            "A rehearsal: date the board's entries inside the manifest's schedule, whatever the day (record.md §5.5).")
    var rehearsal = false

    func run() async throws {
        guard let text = FileManager.default.contents(atPath: manifest) else {
            throw CLIError("cannot read \(manifest)")
        }
        let m: Manifest
        do { m = try JSONDecoder().decode(Manifest.self, from: text) } catch {
            throw CLIError("the manifest is not valid JSON for a Dauys manifest: \(error)")
        }
        try m.validate()
        let data = try d.requireData()
        try FileManager.default.createDirectory(
            atPath: data, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        guard await !d.dir.hasBoard() else { throw CLIError("\(data) already holds a referendum") }
        struct Body: GroupCommand {
            let m: Manifest
            let dir: DataDirectory
            let rehearsal: Bool
            func run<G: PrimeOrderGroup>(_: G.Type) async throws {
                let clock: BoardClock = rehearsal ? try dir.markRehearsal(m.schedule) : .wall
                let r = try await Referendum<G>.create(
                    store: try await dir.boardStore(), manifest: m, boardKey: try dir.createBoardKey(), clock: clock)
                print("referendum \(m.id) created; base hash \(r.baseHash.hex)")
            }
        }
        try await Body(m: m, dir: d.dir, rehearsal: rehearsal).dispatch(m.group)
    }
}

struct ManifestSample: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "manifest-sample", abstract: "Print the reference manifest (Kazakhstan, 15 March 2026).")
    @Option var regions = 20
    @Option var trustees = 5
    @Option var quorum = 3
    @Option(name: .customLong("privacy-floor")) var privacyFloor = 10
    @Option(
        name: .customLong("trustee-key"),
        help:
            "Each trustee's public signing key, in trustee order (printed by `dauys trustee new-key`); one per trustee."
    )
    var trusteeKeys: [String] = []
    @Option(
        name: .customLong("credential-authority-key"),
        help: "The credential authority's public signing key (printed by `dauys ca new-key`).")
    var caKey: String
    @Option(
        name: .customLong("registry-signing-key"),
        help: "The registry's public signing key (printed by `dauys registry new-signing-key`).")
    var registryKey: String
    @Option(
        name: .customLong("central-commission-key"),
        help:
            "The central commission's public signing key (printed by `dauys paper new-key --role central-commission`).")
    var centralKey: String
    func run() throws {
        guard trusteeKeys.count == trustees else {
            throw CLIError(
                "give each of the \(trustees) trustees' signing keys with --trustee-key (each trustee runs `dauys trustee new-key`)"
            )
        }
        let keys = try trusteeKeys.map {
            try Curve25519.Signing.PublicKey(rawRepresentation: try Hex.decode($0, what: "trustee signing key"))
        }
        func key(_ hex: String, _ what: String) throws -> Curve25519.Signing.PublicKey {
            try Curve25519.Signing.PublicKey(rawRepresentation: try Hex.decode(hex, what: what))
        }
        let m = Manifest.kazakhstan2026(
            regions: regions, trustees: trustees, quorum: quorum, privacyFloor: privacyFloor, trusteeKeys: keys,
            credentialAuthority: try key(caKey, "credential authority key"),
            registry: try key(registryKey, "registry signing key"),
            centralCommission: try key(centralKey, "central commission key"))
        try m.validate()
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try e.encode(m), as: UTF8.self))
    }
}

struct PhaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "phase", abstract: "Move the referendum to its next phase (checks the current one is complete).")
    @OptionGroup var d: DataOption
    @Argument(help: "key-ceremony, credentials-published, voting-open, closed, tallied, decrypted or published")
    var next: String

    func run() async throws {
        guard let p = Phase(rawValue: next) else { throw CLIError("unknown phase \(next)") }
        struct Body: GroupCommand {
            let d: DataOption
            let p: Phase
            func run<G: PrimeOrderGroup>(_: G.Type) async throws {
                try await d.access(G.self).advance(to: p)
                print("phase: \(p.rawValue)")
            }
        }
        try await Body(d: d, p: p).dispatch(try await d.group())
    }
}

struct CeremonyFinish: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ceremony-finish", abstract: "Resolve complaints, publish the joint election key.")
    @OptionGroup var d: DataOption
    func run() async throws {
        struct Body: GroupCommand {
            let d: DataOption
            func run<G: PrimeOrderGroup>(_: G.Type) async throws {
                let ek = try await d.access(G.self).finishKeyCeremony()
                print(
                    "election key published; qualified trustees \(ek.qualified.map(String.init).joined(separator: ", ")); election hash \(ek.electionHash.hex)"
                )
            }
        }
        try await Body(d: d).dispatch(try await d.group())
    }
}

struct Tally: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add up the counted ballots (last per credential) and publish the encrypted tally.")
    @OptionGroup var d: DataOption
    func run() async throws {
        struct Body: GroupCommand {
            let d: DataOption
            func run<G: PrimeOrderGroup>(_: G.Type) async throws {
                let t = try await d.access(G.self).computeTally()
                print(
                    "encrypted tally published: \(t.units.map { "\($0.id) (\($0.ballots))" }.joined(separator: ", "))")
            }
        }
        try await Body(d: d).dispatch(try await d.group())
    }
}

struct ResultsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "results",
        abstract:
            "The official result: paper protocols and e-votes per region, the law's rules (or --publish the e-vote results)."
    )
    @OptionGroup var d: DataOption
    @Flag(help: "Compute and publish the e-voting results on the board (phase decrypted → published).") var publish =
        false
    @Flag(help: "Print JSON.") var json = false
    func run() async throws {
        struct Body: GroupCommand {
            let d: DataOption
            let publish: Bool
            let json: Bool
            func run<G: PrimeOrderGroup>(_: G.Type) async throws {
                if publish {
                    let b = try await d.access(G.self)
                    let res = try await b.publishResults()
                    let m = try await b.fetchState().manifest
                    print(json ? String(decoding: res.payload, as: UTF8.self) : ResultsTable.render(res, manifest: m))
                    return
                }
                let s = try await d.state(G.self)
                let official = s.paper.official ?? s.computeOfficialResult()
                let status = OfficialStatus(
                    manifest: s.manifest, protocols: s.paper.latest, evote: s.results,
                    certified: s.paper.official != nil)
                print(
                    json
                        ? OfficialResult.json(official, status: status)
                        : ResultsTable.render(official, manifest: s.manifest, status: status.text))
            }
        }
        try await Body(d: d, publish: publish, json: json).dispatch(try await d.group())
    }
}

struct RecordCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record", abstract: "The public election record.", subcommands: [RecordExport.self])
}

struct RecordExport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the complete public record (board.bin, manifest.json, results.json) to a directory.")
    @OptionGroup var d: DataOption
    @Argument(help: "Output directory.") var directory: String
    func run() async throws {
        struct Body: GroupCommand {
            let dir: DataDirectory
            let out: String
            func run<G: PrimeOrderGroup>(_: G.Type) async throws {
                let r = try await dir.open(G.self, writer: false)
                try await r.exportRecord(to: out)
                print("record written to \(out): \(r.read { $0.count }) entries")
            }
        }
        _ = try d.requireData()
        try await Body(dir: d.dir, out: directory).dispatch(try await d.group())
    }
}

/// The server's answer to an audited ballot: its entry.
struct AuditAnswer: Decodable { let entry: UInt64 }

struct Vote: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Encrypt, sign and cast a ballot with a credential code (or audit one).")
    @OptionGroup var d: DataOption
    @Option(help: "The credential code from the voter's letter.") var credential: String
    @Option(help: "The chosen option id for each question, in order (e.g. yes).") var choice: [String]
    @Flag(
        help:
            "Benaloh's challenge: encrypt, show the tracking code, then audit instead of casting — the ballot is posted with its seed and never counted."
    )
    var audit = false
    @Option(help: "With --server: the voter's IIN, to sign in.") var iin: String?
    @Option(name: .customLong("sign-in-code"), help: "With --server: the sign-in code from the voter's letter.")
    var signInCode: String?
    @Option(help: "Where to keep the board's signed receipt (default: receipt-<tracking code>.json here).")
    var receipt: String?

    func run() async throws {
        struct Body: GroupCommand {
            let v: Vote
            func run<G: PrimeOrderGroup>(_: G.Type) async throws {
                let remote = v.d.remote
                let ref: Referendum<G>? = remote == nil ? try await v.d.access(G.self) as? Referendum<G> : nil
                let manifest: Manifest, base: ElectionHash, ctx: BallotContext<G>
                let state: BoardState<G>
                if let ref {
                    guard let c = ref.ballotContext else { throw CLIError("the key ceremony is not finished") }
                    (manifest, base, ctx, state) = (ref.manifest, ref.baseHash, c, ref.state)
                } else {
                    let s: BoardState<G> = try await RemoteBoard<G>(server: remote!).fetchState()
                    guard let c = s.ballotContext else { throw CLIError("the key ceremony is not finished") }
                    (manifest, base, ctx, state) = (s.manifest, s.baseHash, c, s)
                }
                guard v.choice.count == manifest.questions.count else {
                    throw CLIError("give one --choice per question (\(manifest.questions.count))")
                }
                var selections: [[Int]] = []
                for (q, c) in zip(manifest.questions, v.choice) {
                    guard let i = q.options.firstIndex(where: { $0.id == c }) else {
                        throw CLIError("question \(q.id) has no option \"\(c)\"")
                    }
                    selections.append(q.options.indices.map { $0 == i ? 1 : 0 })
                }
                let cred = try VoterCredential(typed: v.credential).keyPair(G.self, base: base)
                let seed = BallotSeed.random()
                // The credential's next ballot on the board as read just now (record.md §5.4).
                guard let sequence = state.nextSequence(credential: cred.publicKey.bytes) else {
                    throw CLIError("this credential is not on the published lists")
                }
                let ballot = try ctx.encrypt(selections: selections, credential: cred, sequence: sequence, seed: seed)
                // The device shows the tracking code before the voter decides to cast or audit.
                print("tracking code \(ballot.trackingCode.short)")
                func signIn() async throws -> String {
                    guard let iin = v.iin, let code = v.signInCode else {
                        throw CLIError("with --server, give --iin and --sign-in-code to sign in")
                    }
                    return try JSONDecoder().decode(
                        SessionAnswer.self, from: Data(try await remote!.post("sessions", ["iin": iin, "code": code]))
                    ).token
                }
                if v.audit {
                    try ctx.audit(ballot, seed: seed, selections: selections)
                    let audited = AuditedBallot(ballot: ballot.bytes, seed: seed, selections: selections)
                    let entry: UInt64
                    if let ref {
                        entry = try await ref.postAudit(audited).entry
                    } else {
                        entry = try JSONDecoder().decode(
                            AuditAnswer.self,
                            from: Data(
                                try await remote!.post(
                                    "audited-ballots", ["payload": Hex.encode(audited.payload)],
                                    bearer: try await signIn()))
                        ).entry
                    }
                    print(
                        """
                        audited, not cast: the ballot encrypts \(audited.choices(manifest).joined(separator: "; ")); \
                        it is on the board as entry \(entry) with its seed, and can never be cast
                        anyone can check it: `dauys audit-ballot --entry \(entry) --server URL` (or --record DIR)
                        """)
                    return
                }
                let receipt: CastReceipt
                if let ref {
                    do { receipt = try await ref.cast(ballot.bytes) } catch {
                        throw CLIError("ballot refused: \(error)")
                    }
                } else {
                    let session = try await signIn()
                    receipt = try JSONDecoder().decode(
                        CastReceipt.self,
                        from: Data(
                            try await remote!.post("ballots", ["ballot": Hex.encode(ballot.bytes)], bearer: session)))
                }
                let path = v.receipt ?? "receipt-\(receipt.trackingCode).json"
                let enc = JSONEncoder()
                enc.outputFormatting = [.prettyPrinted, .sortedKeys]
                try enc.encode(receipt.signed).write(to: URL(fileURLWithPath: path))
                print(
                    """
                    ballot cast; tracking code \(receipt.trackingCode) (entry \(receipt.entryIndex), region \(receipt.region))
                    tracking digest \(receipt.trackingDigest)
                    the board's signed receipt is saved in \(path): `dauys receipt check \(path) --server URL` \
                    (or --record DIR) proves the ballot is on the board, or that it was dropped
                    """)
            }
        }
        try await Body(v: self).dispatch(try await d.group())
    }
}
