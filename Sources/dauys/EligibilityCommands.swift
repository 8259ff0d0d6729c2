import ArgumentParser
import Crypto
import DauysCrypto
import DauysRecord
import DauysReferendum
import DauysRegistry
import DauysStore
import Foundation

/// The signing key file of an eligibility authority (JSON, mode 0600): the credential
/// authority's (with the secret its codes are derived from) or the registry's. Only the public
/// key leaves it, into the manifest (record.md §3.3).
struct AuthorityKeyFile: Codable {
    var role: String
    var signingKey: String
    var secret: String?

    static func create(_ path: String, role: RecordAuthority) throws -> Curve25519.Signing.PublicKey {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw CLIError("\(path) exists; a signing key file is never overwritten")
        }
        let k = Curve25519.Signing.PrivateKey()
        let f = AuthorityKeyFile(
            role: role.rawValue, signingKey: Hex.encode(k.rawRepresentation),
            secret: role == .credentialAuthority ? Hex.encode(SecureRandom.bytes(32)) : nil)
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        try writeSecret(try e.encode(f), to: path)
        return k.publicKey
    }

    static func load(_ path: String, role: RecordAuthority) throws -> AuthorityKeyFile {
        guard let d = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read key file \(path)") }
        let f = try JSONDecoder().decode(AuthorityKeyFile.self, from: d)
        guard f.role == role.rawValue else { throw CLIError("\(path) is a \(f.role) key, not a \(role.rawValue) key") }
        return f
    }

    func signer() throws -> Curve25519.Signing.PrivateKey {
        try Curve25519.Signing.PrivateKey(rawRepresentation: try Hex.decode(signingKey, what: "signing key"))
    }

    func authority() throws -> CredentialAuthority {
        guard let secret else { throw CLIError("this key file holds no credential authority secret") }
        return try CredentialAuthority(signingKey: try signer(), secret: try Hex.decode(secret, what: "secret"))
    }

    /// Refuses a key that is not the one the manifest names for this role.
    func check(_ m: Manifest, role: RecordAuthority) throws {
        let mine = Hex.encode(try signer().publicKey.rawRepresentation)
        let named: String
        switch role {
        case .credentialAuthority: named = m.eligibility.credentialAuthority
        case .registry: named = m.eligibility.registry
        case .centralCommission: named = m.centralCommission
        case .commission: return  // registered on the board, not named in the manifest
        case .witness:
            guard m.witnesses?.contains(mine) == true else {
                throw CLIError("the manifest does not name this key file's key among its witnesses")
            }
            return
        }
        guard mine == named.lowercased() else {
            throw CLIError("the manifest does not name this key file's key as the \(role.rawValue)'s")
        }
    }
}

struct CredentialAuthorityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ca",
        abstract: "The credential authority, on its own machine with its own files; it never opens the board.",
        subcommands: [CANewKey.self, CAIssue.self, CALetters.self])
}

struct CANewKey: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new-key",
        abstract: "Before the manifest: create the credential authority's key file; print its public key.")
    @Option(help: "The key file to create (mode 0600).") var key: String
    func run() throws {
        print(Hex.encode(try AuthorityKeyFile.create(key, role: .credentialAuthority).rawRepresentation))
    }
}

struct RegistryNewSigningKey: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new-signing-key",
        abstract: "Before the manifest: create the registry's signing key file; print its public key.")
    @Option(help: "The key file to create (mode 0600).") var key: String
    func run() throws { print(Hex.encode(try AuthorityKeyFile.create(key, role: .registry).rawRepresentation)) }
}

// MARK: - hand-over files (record.md §3.3)

/// What the registry hands the credential authority: registry numbers with region and
/// precinct, for one election (h₀). No name, no IIN.
struct VoterExport: Codable {
    var election: String
    /// The registry's X25519 public key (hex): the authority seals the links to it.
    var sealingKey: String
    var voters: [CredentialAuthority.Voter]
    enum CodingKeys: String, CodingKey { case election, sealingKey = "sealing_key", voters }

    static func load(_ path: String) throws -> VoterExport {
        guard let d = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read \(path)") }
        do { return try JSONDecoder().decode(VoterExport.self, from: d) } catch {
            throw CLIError("\(path) is not a voter export of `dauys registry export`: \(error)")
        }
    }
}

/// The links as they travel from the authority to the registry: HPKE-sealed (RFC 9180, base
/// mode, X25519 / HKDF-SHA256 / ChaCha20-Poly1305) to the registry's key from the voter
/// export, with info = "DAUYS-v1 credential links" ‖ h₀ (record.md §3.3). Whoever carries or
/// stores the file learns nothing from it.
struct SealedLinks: Codable {
    var election: String
    var suite = "HPKE-X25519-SHA256-ChaCha20Poly1305"
    var encapsulated: String
    var ciphertext: String

    static func info(_ election: String) -> Data { Data("DAUYS-v1 credential links".utf8) + Data(election.utf8) }

    static func seal(_ links: CredentialLinks, to hex: String) throws -> SealedLinks {
        let key: Curve25519.KeyAgreement.PublicKey
        do {
            key = try Curve25519.KeyAgreement.PublicKey(rawRepresentation: try Hex.decode(hex, what: "sealing key"))
        } catch { throw CLIError("the voter export's sealing_key is not an X25519 public key") }
        let (enc, ct) = try RegistryCipher.sealLinks(
            try JSONEncoder().encode(links), to: key, info: info(links.election))
        return SealedLinks(election: links.election, encapsulated: Hex.encode(enc), ciphertext: Hex.encode(ct))
    }

    static func open(_ path: String, cipher: RegistryCipher) throws -> CredentialLinks {
        guard let d = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read \(path)") }
        guard let f = try? JSONDecoder().decode(SealedLinks.self, from: d) else {
            throw CLIError("\(path) is not a sealed link file of `dauys ca issue`")
        }
        let plain: Data
        do {
            plain = try cipher.openLinks(
                encapsulated: Data(try Hex.decode(f.encapsulated)), ciphertext: Data(try Hex.decode(f.ciphertext)),
                info: info(f.election))
        } catch {
            throw CLIError("\(path) does not open with this registry's key: sealed to another registry, or changed")
        }
        let links: CredentialLinks
        do { links = try JSONDecoder().decode(CredentialLinks.self, from: plain) } catch {
            throw CLIError("\(path) holds no link list: \(error)")
        }
        guard links.election == f.election else { throw CLIError("\(path): the election inside differs") }
        return links
    }
}

/// What the credential authority hands back to the registry: each voter's public credential.
struct CredentialLinks: Codable {
    var election: String
    var links: [Link]
    struct Link: Codable {
        var voter: Int64
        var credential: String
    }

    static func load(_ path: String) throws -> CredentialLinks {
        guard let d = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read \(path)") }
        do { return try JSONDecoder().decode(CredentialLinks.self, from: d) } catch {
            throw CLIError("\(path) is not a link file of `dauys ca issue`: \(error)")
        }
    }
}

/// The signed lists for the board, in the body format of `POST /api/v1/credentials`.
struct CredentialListsFile: Codable {
    var payloads: [String]

    static func load(_ path: String) throws -> CredentialListsFile {
        guard let d = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read \(path)") }
        do { return try JSONDecoder().decode(CredentialListsFile.self, from: d) } catch {
            throw CLIError("\(path) is not a credential list file of `dauys ca issue`: \(error)")
        }
    }
}

func writeJSON(_ value: some Encodable, to path: String, secret: Bool) throws {
    let e = JSONEncoder()
    e.outputFormatting = [.prettyPrinted, .sortedKeys]
    let data = try e.encode(value)
    if secret {
        try writeSecret(data, to: path)
    } else {
        guard FileManager.default.createFile(atPath: path, contents: data) else {
            throw CLIError("cannot write \(path)")
        }
    }
}

/// A manifest file as the credential authority receives it, and its election's h₀.
func loadManifest(_ path: String) throws -> (Manifest, ElectionHash) {
    guard let text = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read \(path)") }
    let m: Manifest
    do { m = try JSONDecoder().decode(Manifest.self, from: text) } catch {
        throw CLIError("\(path) is not a Dauys manifest: \(error)")
    }
    try m.validate()
    return (m, RecordContext.baseHash(manifestPayload: m.canonicalJSON(), group: m.group))
}

// MARK: - the registry's side

extension RegistryOptions {
    /// The registry of `--data`, opened with its key (refused if the key's check value differs).
    func open() throws -> (SQLiteRegistry, RegistryCipher) {
        let cipher = try RegistryCipher.load(path: registryKey)
        _ = try d.requireData()
        let reg = try SQLiteRegistry(path: d.dir.registryPath)
        try reg.checkKey(cipher)
        return (reg, cipher)
    }
}

struct RegistryExport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract:
            "Write the voter export for the credential authority: registry number, region and precinct of every voter (no personal data)."
    )
    @OptionGroup var r: RegistryOptions
    @Option(help: "The file to write (mode 0600).") var out: String
    func run() async throws {
        struct Body: GroupCommand {
            let c: RegistryExport
            func run<G: PrimeOrderGroup>(_: G.Type) async throws {
                let (reg, cipher) = try c.r.open()
                let voters = try reg.allVoters()
                guard !voters.isEmpty else { throw CLIError("the registry holds no voter") }
                let state = try await c.r.d.access(G.self).fetchState()
                try writeJSON(
                    VoterExport(
                        election: state.baseHash.hex, sealingKey: Hex.encode(cipher.linkSealingKey.rawRepresentation),
                        voters: voters), to: c.out, secret: true)
                print("\(voters.count) voters exported to \(c.out)")
            }
        }
        try await Body(c: self).dispatch(try await r.d.group())
    }
}

struct RegistryPublishCounts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish-counts",
        abstract:
            "Publish the number of eligible voters of every precinct, signed with the registry's key (before the credential lists)."
    )
    @OptionGroup var r: RegistryOptions
    @Option(name: .customLong("signing-key"), help: "The registry's signing key file (`registry new-signing-key`).")
    var signingKey: String
    func run() async throws {
        struct Body: GroupCommand {
            let c: RegistryPublishCounts
            func run<G: PrimeOrderGroup>(_: G.Type) async throws {
                let (reg, _) = try c.r.open()
                let board = try await c.r.d.access(G.self)
                let state = try await board.fetchState()
                let key = try AuthorityKeyFile.load(c.signingKey, role: .registry)
                try key.check(state.manifest, role: .registry)
                var perPrecinct: [String: UInt64] = [:]
                for v in try reg.allVoters() { perPrecinct[v.precinct, default: 0] += 1 }
                let counts = try EligibleCounts(
                    counts: state.manifest.precinctsInOrder.map {
                        .init(precinct: $0.precinct, count: perPrecinct[$0.precinct] ?? 0)
                    }, registry: try key.signer(), base: state.baseHash)
                try await board.publishEligibleCounts(counts)
                print(
                    "eligible voters published: \(perPrecinct.values.reduce(0, +)) in \(counts.counts.count) precincts")
            }
        }
        try await Body(c: self).dispatch(try await r.d.group())
    }
}

struct RegistryLink: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "link",
        abstract:
            "Keep each voter's public credential from the authority's link file (once it is on the board), and write the sign-in letters."
    )
    @OptionGroup var r: RegistryOptions
    @Argument(help: "The sealed link file written by `dauys ca issue` (links.sealed).") var links: String
    @Option(help: "Directory for the sign-in letters (one file per voter).") var letters: String
    @Flag(
        name: .customLong("forget-links"),
        help:
            "Destroy the voter ↔ credential links afterwards (then voters can vote only with `dauys vote`, not signed in)."
    )
    var forgetLinks = false
    func run() async throws {
        struct Body: GroupCommand {
            let c: RegistryLink
            func run<G: PrimeOrderGroup>(_: G.Type) async throws {
                let (reg, cipher) = try c.r.open()
                let state = try await c.r.d.access(G.self).fetchState()
                let file = try SealedLinks.open(c.links, cipher: cipher)
                guard file.election == state.baseHash.hex else {
                    throw CLIError("\(c.links) is for another election (h₀ \(file.election.prefix(16))…)")
                }
                var byVoter: [Int64: GroupElement<G>] = [:]
                for l in file.links {
                    guard byVoter[l.voter] == nil else { throw CLIError("\(c.links): voter \(l.voter) appears twice") }
                    do {
                        byVoter[l.voter] = try GroupElement<G>(bytes: try Hex.decode(l.credential, what: "credential"))
                    } catch {
                        throw CLIError("\(c.links): voter \(l.voter): \(error)")
                    }
                }
                // Every pending voter's credential must be on the board, in the voter's region:
                // nothing is written otherwise (record.md §3.3).
                let pending = try reg.votersWithoutCredential()
                var missing: [Int64] = []
                for v in pending {
                    guard let u = byVoter[v.id], state.region(ofCredential: u.bytes) == v.region else {
                        missing.append(v.id)
                        continue
                    }
                }
                guard missing.isEmpty else {
                    throw CLIError(
                        "\(missing.count) voters have no published credential in their region (first: registry number \(missing[0])); nothing was written"
                    )
                }
                var links: [(Int64, [UInt8])] = []
                var signIn: [Int64: [UInt8]] = [:]
                for v in pending {
                    let signInCode = CredentialLetter.newSignInCode()
                    signIn[v.id] = cipher.signInHash(signInCode)
                    let person = try cipher.open(v.sealed, voterID: v.id)
                    let dir = c.letters + "/" + state.manifest.regions[v.region].id + "/" + v.precinct
                    try FileManager.default.createDirectory(
                        atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                    try writeSecret(
                        Data(
                            CredentialLetter.signInText(
                                manifest: state.manifest, fullName: person.fullName, precinct: v.precinct,
                                signInCode: signInCode
                            ).utf8),
                        to: dir + "/voter-\(v.id).txt")
                    links.append((v.id, byVoter[v.id]!.bytes))
                }
                // One transaction: killed before it, a re-run writes the letters again with new
                // sign-in codes (the old ones were never recorded).
                try reg.recordIssued(links, signIn: signIn)
                if c.forgetLinks { _ = try reg.forgetCredentialLinks() }
                print(
                    "\(pending.count) voters linked to their published credentials; sign-in letters in \(c.letters)"
                        + (c.forgetLinks ? "; links destroyed" : ""))
            }
        }
        try await Body(c: self).dispatch(try await r.d.group())
    }
}

// MARK: - the credential authority's side (never opens the board)

struct CAIssue: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "issue",
        abstract:
            "From the registry's voter export: the signed credential lists for the board and the link file for the registry. Deterministic: a re-run gives the same credentials."
    )
    @Option(help: "The credential authority's key file (`dauys ca new-key`).") var key: String
    @Option(help: "The referendum's manifest (public).") var manifest: String
    @Option(help: "The registry's voter export (`dauys registry export`).") var voters: String
    @Option(help: "Directory for credentials.json (to the board) and links.sealed (to the registry).") var out: String
    func run() async throws {
        let (m, base) = try loadManifest(manifest)
        let file = try AuthorityKeyFile.load(key, role: .credentialAuthority)
        try file.check(m, role: .credentialAuthority)
        let export = try VoterExport.load(voters)
        guard export.election == base.hex else {
            throw CLIError("\(voters) is for another election than \(manifest) (h₀ differs)")
        }
        var seen = Set<Int64>()
        for v in export.voters where !seen.insert(v.id).inserted {
            throw CLIError("\(voters): registry number \(v.id) appears twice")
        }
        let ca = try file.authority()
        struct Body: GroupDispatch {
            let ca: CredentialAuthority
            let m: Manifest
            let base: ElectionHash
            let voters: [CredentialAuthority.Voter]
            func run<G: PrimeOrderGroup>(_: G.Type) async throws -> (CredentialListsFile, CredentialLinks) {
                let lists = try ca.lists(G.self, voters: voters, manifest: m, base: base)
                let links = voters.map {
                    CredentialLinks.Link(
                        voter: $0.id, credential: ca.credential(G.self, voter: $0.id, base: base).hex)
                }
                return (
                    CredentialListsFile(payloads: lists.map { Hex.encode($0.payload) }),
                    CredentialLinks(election: base.hex, links: links)
                )
            }
        }
        let (lists, links) = try await Body(ca: ca, m: m, base: base, voters: export.voters).dispatch(m.group)
        try FileManager.default.createDirectory(
            atPath: out, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try writeJSON(lists, to: out + "/credentials.json", secret: false)
        try writeJSON(try SealedLinks.seal(links, to: export.sealingKey), to: out + "/links.sealed", secret: true)
        print(
            "\(export.voters.count) credentials in \(lists.payloads.count) signed lists: \(out)/credentials.json for the board, \(out)/links.sealed (sealed to the registry's key) for the registry"
        )
    }
}

struct CALetters: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "letters",
        abstract:
            "Write the credential letters, only for credentials the public board shows in the voter's region (read from --server or a record export)."
    )
    @Option(help: "The credential authority's key file.") var key: String
    @Option(help: "The registry's voter export.") var voters: String
    @Option(help: "A running server to read the public board from.") var server: String?
    @Option(help: "Or a public record export (`dauys record export`).") var record: String?
    @Option(help: "Directory for the letters (one file per voter, mode 0600).") var letters: String
    func run() async throws {
        guard (server == nil) != (record == nil) else {
            throw CLIError("give the public board with exactly one of --server URL or --record DIR")
        }
        let file = try AuthorityKeyFile.load(key, role: .credentialAuthority)
        let export = try VoterExport.load(voters)
        struct Body: GroupCommand {
            let c: CALetters
            let file: AuthorityKeyFile
            let export: VoterExport
            func run<G: PrimeOrderGroup>(_: G.Type) async throws {
                let state: BoardState<G> =
                    if let s = c.server {
                        try await RemoteBoard<G>(server: RemoteServer(base: s, token: nil)).fetchState()
                    } else {
                        try publicState(G.self, record: c.record!)
                    }
                try file.check(state.manifest, role: .credentialAuthority)
                guard export.election == state.baseHash.hex else {
                    throw CLIError("\(c.voters) is for another election than the board's")
                }
                let ca = try file.authority()
                var written = 0, unpublished = 0
                for v in export.voters {
                    let code = ca.code(voter: v.id, base: state.baseHash)
                    let u = code.keyPair(G.self, base: state.baseHash).publicKey
                    guard state.region(ofCredential: u.bytes) == v.region else {
                        unpublished += 1
                        continue
                    }
                    let dir = c.letters + "/" + state.manifest.regions[v.region].id + "/" + v.precinct
                    try FileManager.default.createDirectory(
                        atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                    try writeSecret(
                        Data(
                            CredentialLetter.credentialText(
                                manifest: state.manifest, voter: v.id, precinct: v.precinct, code: code.printed
                            ).utf8),
                        to: dir + "/voter-\(v.id).txt")
                    written += 1
                }
                print(
                    "\(written) credential letters in \(c.letters)"
                        + (unpublished > 0 ? "; \(unpublished) credentials not on the board: no letter" : ""))
                if unpublished > 0 { throw ExitCode(3) }
            }
        }
        let group: String =
            if let s = server {
                try await RemoteServer(base: s, token: nil).manifest().group
            } else {
                try loadManifest(record! + "/manifest.json").0.group
            }
        try await Body(c: self, file: file, export: export).dispatch(group)
    }
}

/// The board state of a public record export, checked rule by rule as the verifier does.
func publicState<G: PrimeOrderGroup>(_: G.Type, record: String) throws -> BoardState<G> {
    var r = try RecordReader(path: record + "/board.bin")
    var entries: [BoardEntry] = []
    while let n = r.next() { entries.append(try n.get()) }
    do throws(BoardViolation) { return try BoardState<G>.replay(entries) } catch {
        throw CLIError("\(record) breaks a rule of the board: \(error.message) (check: \(error.check.rawValue))")
    }
}

struct CredentialsPublish: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract:
            "Post the credential authority's signed lists (credentials.json of `dauys ca issue`); lists already on the board are skipped."
    )
    @OptionGroup var d: DataOption
    @Argument(help: "credentials.json from the credential authority.") var lists: String
    func run() async throws {
        struct Body: GroupCommand {
            let c: CredentialsPublish
            func run<G: PrimeOrderGroup>(_: G.Type) async throws {
                let file = try CredentialListsFile.load(c.lists)
                let lists = try file.payloads.enumerated().map { i, hex in
                    do { return try CredentialList<G>(payload: try Hex.decode(hex, what: "list")) } catch {
                        throw CLIError("\(c.lists): list \(i + 1): \(error)")
                    }
                }
                let n = try await c.d.access(G.self).publishCredentials(lists)
                print("\(n) of \(lists.count) credential lists published (the others were on the board already)")
            }
        }
        try await Body(c: self).dispatch(try await d.group())
    }
}
