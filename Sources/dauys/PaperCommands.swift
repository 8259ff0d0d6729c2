import ArgumentParser
import Crypto
import DauysCrypto
import DauysPaper
import DauysRecord
import DauysStore
import Foundation

/// Paper precincts on the board (record.md §3.4): every commission makes its own key pair,
/// the central commission registers the public keys with their scopes, commissions sign
/// turnout reports and protocol versions, the central commission signs the official result.
struct PaperCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "paper",
        abstract: "Paper precincts: commission keys, signed turnout reports and count protocols, the official result.",
        subcommands: [
            PaperNewKey.self, PaperRegister.self, PaperSubmit.self, PaperImport.self, PaperTurnout.self,
            PaperHistory.self, PaperCertify.self, PaperExtend.self, PaperNational.self, PaperGenerate.self,
            PaperBench.self,
        ])
}

struct PaperNewKey: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new-key",
        abstract:
            "On the commission's own machine: create its signing key file (0600); print the public key to register.")
    @Option(help: "commission (a precinct or territorial commission), central-commission or witness.") var role =
        "commission"
    @Option(help: "The key file to create (mode 0600).") var key: String
    func run() throws {
        guard let r = RecordAuthority(rawValue: role), [.commission, .centralCommission, .witness].contains(r) else {
            throw CLIError("--role is commission, central-commission or witness")
        }
        print(Hex.encode(try AuthorityKeyFile.create(key, role: r).rawRepresentation))
    }
}

/// Loads a commission's key file (role "commission").
func commissionKey(_ path: String) throws -> Curve25519.Signing.PrivateKey {
    try AuthorityKeyFile.load(path, role: .commission).signer()
}

struct PaperRegister: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "register",
        abstract:
            "As the central commission: register a commission's public key for a precinct, district or region (before voting closes)."
    )
    @OptionGroup var d: DataOption
    @Option(name: .customLong("signing-key"), help: "The central commission's key file.") var signingKey: String
    @Option(help: "Precinct, district or region id the commission signs for.") var scope: String
    @Option(help: "Commission name (public).") var name: String
    @Option(name: .customLong("commission-key"), help: "The commission's public key (from `paper new-key`).")
    var commissionKey: String
    func run() async throws {
        struct Body: GroupCommand {
            let c: PaperRegister
            func run<G: PrimeOrderGroup>(_: G.Type) async throws {
                let board = try await c.d.access(G.self)
                let s = try await board.fetchState()
                let central = try AuthorityKeyFile.load(c.signingKey, role: .centralCommission)
                try central.check(s.manifest, role: .centralCommission)
                let k = try Curve25519.Signing.PublicKey(
                    rawRepresentation: try Hex.decode(c.commissionKey, what: "commission key"))
                let reg = try CommissionRegistration(
                    scope: c.scope, name: c.name, key: k, central: try central.signer(), base: s.baseHash)
                let n = try await board.registerCommissions([reg])
                print(
                    n == 0
                        ? "commission \(c.name) was already registered for \(c.scope)"
                        : "commission \(c.name) registered for \(c.scope)")
            }
        }
        try await Body(c: self).dispatch(try await d.group())
    }
}

struct PaperSubmit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Sign and post one protocol version (JSON: precinct, version, reason, figures; docs/paper.md).")
    @OptionGroup var d: DataOption
    @Option(help: "The commission's key file.") var key: String
    @Argument(help: "Protocol JSON file.") var file: String
    func run() async throws {
        struct Body: GroupCommand {
            let c: PaperSubmit
            func run<G: PrimeOrderGroup>(_: G.Type) async throws {
                let board = try await c.d.access(G.self)
                let s = try await board.fetchState()
                guard let data = FileManager.default.contents(atPath: c.file) else {
                    throw CLIError("cannot read \(c.file)")
                }
                var p: PrecinctProtocol
                do {
                    var o = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
                    o["referendum"] = o["referendum"] ?? s.manifest.id
                    p = try JSONDecoder().decode(
                        PrecinctProtocol.self, from: try JSONSerialization.data(withJSONObject: o))
                } catch { throw CLIError("\(c.file) is not a protocol (docs/paper.md): \(error)") }
                p.reason = p.version > 1 ? p.reason : nil
                let signed = try CommissionSigned(p, key: try commissionKey(c.key), base: s.baseHash)
                let n = try await board.submitProtocols([signed])
                print(
                    "protocol of precinct \(p.precinct), version \(p.version), "
                        + (n == 0 ? "was already on the board" : "is on the board"))
            }
        }
        try await Body(c: self).dispatch(try await d.group())
    }
}

struct PaperImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Sign and post protocols from CSV; every row is checked, one bad row refuses the whole file.")
    @OptionGroup var d: DataOption
    @Option(help: "The (territorial) commission's key file.") var key: String
    @Argument(help: "CSV file.") var csv: String
    func run() async throws {
        struct Body: GroupCommand {
            let c: PaperImport
            func run<G: PrimeOrderGroup>(_: G.Type) async throws {
                let name = (c.csv as NSString).lastPathComponent
                guard let data = FileManager.default.contents(atPath: c.csv) else {
                    throw CLIError("cannot read \(c.csv)")
                }
                let board = try await c.d.access(G.self)
                let s = try await board.fetchState()
                let k = try commissionKey(c.key)
                guard let scope = s.paper.scope(ofKey: Array(k.publicKey.rawRepresentation)) else {
                    throw CLIError("this commission key is not registered on the board (`paper register`)")
                }
                let text: String
                switch ProtocolCSV.text(of: data) {
                case .success(let t): text = t
                case .failure(let p): throw CLIError("\(name) line \(p.line): \(p.reason); nothing was imported")
                }
                let (protocols, problems) = ProtocolCSV.parse(text, manifest: s.manifest, paper: s.paper, scope: scope)
                if !problems.isEmpty {
                    throw CLIError(
                        "\(name) is refused; nothing was imported:\n"
                            + problems.map { "  \(name) line \($0.line): \($0.reason)" }.joined(separator: "\n"))
                }
                let n = try await board.submitProtocols(
                    try protocols.map { try CommissionSigned($0, key: k, base: s.baseHash) })
                print("\(n) protocols imported")
            }
        }
        try await Body(c: self).dispatch(try await d.group())
    }
}

struct PaperTurnout: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "turnout",
        abstract: "Sign and post a precinct's turnout report at an official time (10:00 … 20:00).")
    @OptionGroup var d: DataOption
    @Option(help: "The commission's key file.") var key: String
    @Option var precinct: String
    @Option(help: "10:00, 12:00, 14:00, 16:00, 18:00 or 20:00.") var time: String
    @Option(name: .customLong("voters-on-list")) var votersOnList: UInt64
    @Option(help: "Ballots issued so far.") var issued: UInt64
    func run() async throws {
        struct Body: GroupCommand {
            let c: PaperTurnout
            func run<G: PrimeOrderGroup>(_: G.Type) async throws {
                let board = try await c.d.access(G.self)
                let s = try await board.fetchState()
                let r = TurnoutReport(
                    precinct: c.precinct, time: c.time, votersOnList: c.votersOnList, issued: c.issued)
                try await board.submitTurnout([
                    try CommissionSigned(r, key: try commissionKey(c.key), base: s.baseHash)
                ])
                print("turnout of \(c.precinct) at \(c.time): \(c.issued) of \(c.votersOnList)")
            }
        }
        try await Body(c: self).dispatch(try await d.group())
    }
}

struct PaperHistory: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "Every version of a precinct's protocol on the board, with the reasons.")
    @OptionGroup var d: DataOption
    @Option var precinct: String
    func run() async throws {
        struct Body: GroupCommand {
            let c: PaperHistory
            func run<G: PrimeOrderGroup>(_: G.Type) async throws {
                let s = try await c.d.state(G.self)
                let e = JSONEncoder()
                e.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try e.encode(s.paper.history[c.precinct] ?? []), as: UTF8.self))
            }
        }
        try await Body(c: self).dispatch(try await d.group())
    }
}

struct PaperCertify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certify",
        abstract:
            "As the central commission: sign and publish the official result once every precinct reported and the e-votes are published."
    )
    @OptionGroup var d: DataOption
    @Option(name: .customLong("signing-key"), help: "The central commission's key file.") var signingKey: String
    @Flag(help: "Print JSON.") var json = false
    func run() async throws {
        struct Body: GroupCommand {
            let c: PaperCertify
            func run<G: PrimeOrderGroup>(_: G.Type) async throws {
                let board = try await c.d.access(G.self)
                let s = try await board.fetchState()
                let central = try AuthorityKeyFile.load(c.signingKey, role: .centralCommission)
                try central.check(s.manifest, role: .centralCommission)
                let status = OfficialStatus(manifest: s.manifest, protocols: s.paper.latest, evote: s.results)
                guard status.isComplete else {
                    throw CLIError("the official result cannot be certified yet: \(status.text)")
                }
                let r = s.computeOfficialResult()
                try await board.publishOfficialResult(
                    try SignedOfficialResult(r, central: try central.signer(), base: s.baseHash))
                print(
                    c.json
                        ? OfficialResult.json(r, status: status)
                        : ResultsTable.render(r, manifest: s.manifest, status: "official result, signed and published"))
            }
        }
        try await Body(c: self).dispatch(try await d.group())
    }
}

struct PaperExtend: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extend",
        abstract:
            "As the central commission: keep voting open later in a region or precinct, with the reason (before it closes there)."
    )
    @OptionGroup var d: DataOption
    @Option(name: .customLong("signing-key"), help: "The central commission's key file.") var signingKey: String
    @Option(help: "Region or precinct id.") var scope: String
    @Option(help: "The new closing time, ISO 8601 with its offset, e.g. 2026-03-15T21:00:00+05:00.") var closes: String
    @Option(help: "Why (public, on the board).") var reason: String
    func run() async throws {
        guard let t = ISO8601DateFormatter().date(from: closes), t.timeIntervalSince1970 > 0 else {
            throw CLIError("--closes must be an ISO 8601 time with its offset, e.g. 2026-03-15T21:00:00+05:00")
        }
        struct Body: GroupCommand {
            let c: PaperExtend
            let closes: UInt64
            func run<G: PrimeOrderGroup>(_: G.Type) async throws {
                let board = try await c.d.access(G.self)
                let s = try await board.fetchState()
                let central = try AuthorityKeyFile.load(c.signingKey, role: .centralCommission)
                try central.check(s.manifest, role: .centralCommission)
                guard let now = s.closing(scope: c.scope) else {
                    throw CLIError("\(c.scope) is not a region or precinct of this referendum")
                }
                guard closes > now else {
                    throw CLIError("voting in \(c.scope) already closes at \(BoardState<G>.instant(now))")
                }
                try await board.extendVoting(
                    try VotingExtension(
                        scope: c.scope, closes: closes, reason: c.reason, central: try central.signer(),
                        base: s.baseHash))
                print("voting in \(c.scope) now closes at \(BoardState<G>.instant(closes))")
            }
        }
        try await Body(c: self, closes: UInt64(t.timeIntervalSince1970 * 1000)).dispatch(try await d.group())
    }
}

struct PaperGenerate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate", abstract: "Write the national data set: manifest.json and protocols.csv.")
    @Option var voters = 12_500_000
    @Option var precincts = 10_400
    @Option var seed: UInt64 = 2026
    @Option(help: "Output directory.") var out: String
    func run() throws {
        let (m, ps) = NationalDataset.generate(voters: voters, precincts: precincts, seed: seed)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try e.encode(m).write(to: URL(fileURLWithPath: out + "/manifest.json"))
        var csv = ProtocolCSV.columns.joined(separator: ",") + "\n"
        for p in ps {
            let f = p.figures, q = f.questions[0]
            csv +=
                [
                    p.precinct, "\(f.votersOnList)", "\(f.ballotsReceived)", "\(f.issuedInRoom)", "\(f.issuedMobile)",
                    "\(f.mobileRequests)",
                    "\(f.cancelled)", "\(f.inBoxes)", "\(q.options[0])", "\(q.options[1])", "\(q.invalid)",
                    "\(q.notCounted)",
                ].joined(separator: ",") + "\n"
        }
        try csv.write(toFile: out + "/protocols.csv", atomically: true, encoding: .utf8)
        print("\(ps.count) precincts, \(ps.reduce(0) { $0 + $1.figures.votersOnList }) voters on the lists → \(out)")
    }
}

struct PaperBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time aggregating the national data set and computing the official result (one JSON object).")
    func run() throws {
        let (m, ps) = NationalDataset.generate()
        let dict = Dictionary(uniqueKeysWithValues: ps.map { ($0.precinct, $0) })
        var best = Double.infinity
        var result: Results?
        for _ in 0..<5 {
            let t0 = DispatchTime.now().uptimeNanoseconds
            for p in ps { precondition(p.figures.violations(manifest: m).isEmpty) }
            result = OfficialResult.compute(manifest: m, protocols: dict, evote: nil).0
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        let q = result!.questions[0]
        print(
            "{\"precincts\": \(ps.count), \"voters\": \(q.eligible), \"participants\": \(q.participants), \"check_aggregate_result_s\": \(String(format: "%.4f", best))}"
        )
    }
}

struct Report: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Write the public result pages (tables, per-precinct protocols, CSV/JSON downloads, SVG charts) and the observers' statistics report.",
        discussion:
            "With --data, from that referendum's protocols, turnout reports and e-voting results; with --national-dataset, from the generated national data set (demo)."
    )
    @Option(help: "The referendum's data directory.") var data: String?
    @Flag(name: .customLong("national-dataset"), help: "Use the generated national data set instead.")
    var nationalDataset = false
    @Option(help: "Output directory.") var out: String

    func run() async throws {
        let files: [(String, String)]
        if nationalDataset {
            let dir = NSTemporaryDirectory() + "dauys-national-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let o = try await NationalRun(eVoters: 2000, dataDir: dir, recordDir: dir + "/record", progress: say).run()
            let s = o.state!
            files = Publication.files(
                manifest: s.manifest, result: o.official!, paper: s.paper,
                status: OfficialStatus(
                    manifest: s.manifest, protocols: s.paper.latest, evote: s.results, certified: true))
        } else {
            guard let data else { throw CLIError("give --data DIR or --national-dataset") }
            let opt = try DataOption.parse(["--data", data])
            struct Body: GroupDispatch {
                let d: DataOption
                func run<G: PrimeOrderGroup>(_: G.Type) async throws -> [(String, String)] {
                    let s = try await d.state(G.self)
                    return Publication.files(
                        manifest: s.manifest, result: s.paper.official ?? s.computeOfficialResult(), paper: s.paper,
                        status: OfficialStatus(
                            manifest: s.manifest, protocols: s.paper.latest, evote: s.results,
                            certified: s.paper.official != nil))
                }
            }
            files = try await Body(d: opt).dispatch(try await opt.group())
        }
        for (path, text) in files {
            let full = out + "/" + path
            try FileManager.default.createDirectory(
                atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: full, atomically: true, encoding: .utf8)
        }
        print("\(files.count) files written to \(out) (index.html, observers.html, CSV/JSON, SVG, per-precinct pages)")
    }
}
