import ArgumentParser
import Crypto
import DauysCrypto
import DauysPaper
import DauysRecord
import DauysStore
import Foundation

struct PaperCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "paper",
        abstract: "Paper precincts: commission keys, signed count protocols, corrections, the national data set.",
        subcommands: [
            PaperCommission.self, PaperSubmit.self, PaperImport.self, PaperTurnout.self, PaperHistory.self,
            PaperGenerate.self, PaperBench.self,
        ])
}

/// Loads the manifest of the referendum in a data directory and its protocol book.
func protocolBook(_ d: DataOption) async throws -> ProtocolBook {
    let data = try d.requireData()
    return try ProtocolBook(directory: data, manifest: try await d.dir.manifest())
}

struct PaperCommission: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "commission",
        abstract: "Register a commission's signing key (a precinct, or a district or region for bulk entry).")
    @OptionGroup var d: DataOption
    @Option(help: "Precinct, district or region id the key may sign for.") var scope: String
    @Option(help: "Commission name.") var name: String
    @Option(name: .customLong("key-out"), help: "Where to write the private key (mode 0600).") var keyOut: String
    func run() async throws {
        guard !FileManager.default.fileExists(atPath: keyOut) else {
            throw CLIError("\(keyOut) exists; keys are never overwritten")
        }
        let board = try await d.holdBoard()
        defer { withExtendedLifetime(board) {} }
        let k = try await protocolBook(d).addCommission(name: name, scope: scope)
        try writeSecret(k.rawRepresentation, to: keyOut)
        print("commission \(name) registered for \(scope); public key \(Hex.encode(k.publicKey.rawRepresentation))")
    }
}

func loadCommissionKey(_ path: String) throws -> Curve25519.Signing.PrivateKey {
    guard let d = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read \(path)") }
    return try Curve25519.Signing.PrivateKey(rawRepresentation: d)
}

struct PaperSubmit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit", abstract: "Sign and submit one protocol (JSON: precinct, version, reason, figures).")
    @OptionGroup var d: DataOption
    @Option(help: "The commission's private key file.") var key: String
    @Argument(help: "Protocol JSON file.") var file: String
    func run() async throws {
        let board = try await d.holdBoard()  // the paper files are part of the board's data directory
        defer { withExtendedLifetime(board) {} }
        let book = try await protocolBook(d)
        guard let data = FileManager.default.contents(atPath: file) else { throw CLIError("cannot read \(file)") }
        var p = try JSONDecoder().decode(PrecinctProtocol.self, from: data)
        p.referendum = book.manifest.id
        try book.submit([try SignedProtocol.sign(p, key: try loadCommissionKey(key))])
        print("protocol of precinct \(p.precinct), version \(p.version), accepted")
    }
}

struct PaperImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import protocols from CSV; every row is checked, one bad row refuses the file.")
    @OptionGroup var d: DataOption
    @Option(help: "The (territorial) commission's private key file.") var key: String
    @Argument(help: "CSV file.") var csv: String
    func run() async throws {
        let board = try await d.holdBoard()  // the paper files are part of the board's data directory
        defer { withExtendedLifetime(board) {} }
        let book = try await protocolBook(d)
        guard let text = try? String(contentsOfFile: csv, encoding: .utf8) else {
            throw CLIError("cannot read \(csv) as UTF-8")
        }
        let (protocols, problems) = ProtocolCSV.parse(text, book: book)
        if !problems.isEmpty {
            throw CLIError(
                "the protocol file is refused; nothing was imported:\n"
                    + problems.map { "  \($0)" }.joined(separator: "\n"))
        }
        let k = try loadCommissionKey(key)
        try book.submit(try protocols.map { try SignedProtocol.sign($0, key: k) })
        print("\(protocols.count) protocols imported")
    }
}

struct PaperHistory: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "Every version of a precinct's protocol, with the reasons for corrections.")
    @OptionGroup var d: DataOption
    @Option var precinct: String
    func run() async throws {
        let book = try await protocolBook(d)
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        print(String(decoding: try e.encode(book.history[precinct] ?? []), as: UTF8.self))
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

struct PaperTurnout: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "turnout",
        abstract: "Sign and submit a precinct's turnout report at an official time (10:00 … 20:00).")
    @OptionGroup var d: DataOption
    @Option(help: "The commission's private key file.") var key: String
    @Option var precinct: String
    @Option(help: "10:00, 12:00, 14:00, 16:00, 18:00 or 20:00.") var time: String
    @Option(name: .customLong("voters-on-list")) var votersOnList: UInt64
    @Option(help: "Ballots issued so far.") var issued: UInt64
    func run() async throws {
        let board = try await d.holdBoard()  // the paper files are part of the board's data directory
        defer { withExtendedLifetime(board) {} }
        let book = try await protocolBook(d)
        try book.submitTurnout(
            try SignedTurnoutReport.sign(
                TurnoutReport(precinct: precinct, time: time, votersOnList: votersOnList, issued: issued),
                key: try loadCommissionKey(key)))
        print("turnout of \(precinct) at \(time): \(issued) of \(votersOnList)")
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
            let (m, ps) = NationalDataset.generate()
            let dir = NSTemporaryDirectory() + "dauys-national-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let book = try ProtocolBook(directory: dir, manifest: m)
            var keys: [String: Curve25519.Signing.PrivateKey] = [:]
            for r in m.regions {
                keys[r.id] = try book.addCommission(name: "Territorial commission \(r.id)", scope: r.id)
            }
            try book.submit(
                try ps.map { try SignedProtocol.sign($0, key: keys[m.regions[book.region(of: $0.precinct)!].id]!) })
            let (result, _) = OfficialResult.compute(manifest: m, protocols: book.latest, evote: nil)
            files = Publication.files(
                manifest: m, result: result, book: book, turnout: NationalDataset.turnout(for: ps),
                status: OfficialStatus(manifest: m, protocols: book.latest, evote: nil))
        } else {
            guard let data else { throw CLIError("give --data DIR or --national-dataset") }
            let opt = try DataOption.parse(["--data", data])
            struct Body: GroupDispatch {
                let d: DataOption
                func run<G: PrimeOrderGroup>(_: G.Type) async throws -> [(String, String)] {
                    let r = try await d.dir.open(G.self, writer: false)
                    let book = try await protocolBook(d)
                    let (result, _) = OfficialResult.compute(
                        manifest: r.manifest, protocols: book.latest, evote: r.results)
                    return Publication.files(
                        manifest: r.manifest, result: result, book: book, turnout: try book.turnoutReports(),
                        status: OfficialStatus(manifest: r.manifest, protocols: book.latest, evote: r.results))
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
