import ArgumentParser
import DauysCrypto
import DauysRecord
import DauysReferendum
import DauysRegistry
import DauysStore
import Foundation

struct RegistryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry", abstract: "The voter registry (personal data sealed at rest).",
        subcommands: [
            RegistryKeygen.self, RegistryNewSigningKey.self, RegistryImport.self, RegistryExport.self,
            RegistryPublishCounts.self, RegistryLink.self, RegistryMarkPaper.self,
        ])
}

struct RegistryKeygen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen", abstract: "Create a registry key file (32 random bytes, hex, mode 0600).")
    @Option(help: "Where to write the key.") var out: String
    func run() throws {
        guard !FileManager.default.fileExists(atPath: out) else {
            throw CLIError("\(out) exists; keys are never overwritten")
        }
        try writeSecret(Data(Hex.encode(SecureRandom.bytes(32)).utf8), to: out)
        print("registry key written to \(out); keep it apart from the database")
    }
}

struct RegistryOptions: ParsableArguments {
    @OptionGroup var d: DataOption
    @Option(name: .customLong("registry-key"), help: "Registry key file (default: $DAUYS_REGISTRY_KEY).")
    var registryKey: String?
}

struct RegistryImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import the voter list from CSV; every row is checked, a single bad row refuses the list.")
    @OptionGroup var r: RegistryOptions
    @Argument(help: "CSV with columns iin, full_name, birth_date, region, precinct.") var csv: String
    func run() async throws {
        let cipher = try RegistryCipher.load(path: r.registryKey)
        guard let data = FileManager.default.contents(atPath: csv) else { throw CLIError("cannot read \(csv)") }
        guard let text = String(data: data, encoding: .utf8) else { throw CLIError("\(csv) is not UTF-8 text") }
        _ = try r.d.requireData()
        let manifest = try await r.d.dir.manifest()
        let (rows, problems) = VoterList.parse(csv: text, manifest: manifest)
        if !problems.isEmpty { throw RegistryError.refused(problems) }
        let n = try SQLiteRegistry(path: r.d.dir.registryPath).importVoters(rows, cipher: cipher)
        print("\(n) voters imported")
    }
}

struct CredentialsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credentials",
        abstract: "Public credentials on the board: the credential authority's signed lists, revocations, links.",
        subcommands: [CredentialsPublish.self, CredentialsRevokePaper.self, CredentialsForget.self])
}

struct CredentialsForget: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forget-links",
        abstract:
            "Destroy every voter ↔ credential link in the registry (after voting closes: the server needs them to bind sessions to credentials)."
    )
    @OptionGroup var d: DataOption
    func run() async throws {
        let n = try SQLiteRegistry(path: d.dir.registryPath).forgetCredentialLinks()
        print("\(n) links destroyed")
    }
}

struct RegistryMarkPaper: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mark-paper",
        abstract:
            "Mark the voters who received a paper ballot (CSV with an iin column, from the precinct lists); their e-votes will not count."
    )
    @OptionGroup var r: RegistryOptions
    @Argument var csv: String
    func run() throws {
        let cipher = try RegistryCipher.load(path: r.registryKey)
        guard let text = try? String(contentsOfFile: csv, encoding: .utf8) else { throw CLIError("cannot read \(csv)") }
        let records = CSV.parse(text)
        guard case .success(let header)? = records.first,
            let col = header.fields.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces).lowercased() == "iin" })
        else {
            throw CLIError("line 1: the file needs an iin column")
        }
        var iins: [IIN] = [], lines: [Int] = [], problems: [String] = []
        for rec in records.dropFirst() {
            switch rec {
            case .failure(let f): problems.append("line \(f.line): \(f.reason)")
            case .success(let row):
                guard col < row.fields.count else {
                    problems.append("line \(row.line): no iin field")
                    continue
                }
                do {
                    iins.append(try IIN(row.fields[col]))
                    lines.append(row.line)
                } catch { problems.append("line \(row.line): \(error)") }
            }
        }
        if !problems.isEmpty {
            throw CLIError(
                "the list is refused; nothing was marked:\n" + problems.map { "  \($0)" }.joined(separator: "\n"))
        }
        let (marked, unknown) = try SQLiteRegistry(path: r.d.dir.registryPath).markVotedOnPaper(iins, cipher: cipher)
        print(
            "\(marked) voters marked as voted on paper"
                + (unknown.isEmpty
                    ? "" : "; not in the registry: lines " + unknown.map { String(lines[$0]) }.joined(separator: ", ")))
    }
}

struct CredentialsRevokePaper: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke-paper-voters",
        abstract:
            "After voting closes, publish the credentials of voters who voted on paper: their e-ballots do not count.")
    @OptionGroup var d: DataOption
    @Option(name: .customLong("signing-key"), help: "The registry's signing key file (`registry new-signing-key`).")
    var signingKey: String
    func run() async throws {
        struct Body: GroupCommand {
            let d: DataOption
            let signingKey: String
            func run<G: PrimeOrderGroup>(_: G.Type) async throws {
                let reg = try SQLiteRegistry(path: d.dir.registryPath)
                let lost = try reg.paperVotersWithoutLink()
                if lost > 0 {
                    say(
                        "warning: \(lost) paper voters have no credential link any more (destroyed too early); their e-votes cannot be revoked"
                    )
                }
                let board = try await d.access(G.self)
                let state = try await board.fetchState()
                let key = try AuthorityKeyFile.load(signingKey, role: .registry)
                try key.check(state.manifest, role: .registry)
                // Per precinct, only credentials not revoked yet: a re-run publishes nothing twice.
                var byPrecinct: [String: [GroupElement<G>]] = [:]
                for (p, c) in try reg.paperVoterCredentials() where !state.isRevoked(c) {
                    byPrecinct[p, default: []].append(try GroupElement<G>(bytes: c))
                }
                let lists = try byPrecinct.sorted { $0.key < $1.key }.map {
                    try RevokedCredentials(
                        precinct: $0.key, credentials: $0.value, registry: try key.signer(), base: state.baseHash)
                }
                let n = try await board.revoke(lists)
                print(
                    "\(lists.reduce(0) { $0 + $1.credentials.count }) credentials revoked in \(n) precincts (their holders voted on paper)"
                )
            }
        }
        try await Body(d: d, signingKey: signingKey).dispatch(try await d.group())
    }
}
