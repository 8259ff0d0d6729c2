import Crypto
import DauysRecord
import Foundation

/// One voter as imported from the commission's list. Holds personal data: it is sealed
/// before storage and never printed.
public struct VoterRow: Sendable {
    public let line: Int
    public let iin: IIN
    public let fullName: String
    public let birthDate: String
    public let region: Int
    public let precinct: String
}

/// A refused row: its line number and the reason, never the personal data itself.
public struct ImportProblem: Sendable, Equatable, CustomStringConvertible {
    public let line: Int
    public let reason: String
    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }
    public var description: String { "line \(line): \(reason)" }
}

/// Reads and checks a voter list in CSV with the header `iin,full_name,birth_date,region,precinct`
/// (any column order). Every row is checked; the list is accepted only if every row is good.
public enum VoterList {
    public static let columns = ["iin", "full_name", "birth_date", "region", "precinct"]

    public static func parse(csv: String, manifest: Manifest) -> (rows: [VoterRow], problems: [ImportProblem]) {
        var rows: [VoterRow] = [], problems: [ImportProblem] = []
        let records = CSV.parse(csv)
        guard let first = records.first else { return ([], [ImportProblem(line: 1, reason: "the file is empty")]) }
        guard case .success(let header) = first else {
            return ([], [ImportProblem(line: 1, reason: "the header cannot be read")])
        }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        var col: [String: Int] = [:]
        for (i, n) in names.enumerated() { col[n] = i }
        let missing = columns.filter { col[$0] == nil }
        guard missing.isEmpty else {
            return (
                [], [ImportProblem(line: header.line, reason: "missing column(s): \(missing.joined(separator: ", "))")]
            )
        }
        let precinctRegion = manifest.precinctRegions()
        let regionIndex = Dictionary(uniqueKeysWithValues: manifest.regions.enumerated().map { ($1.id, $0) })
        guard let day = Manifest.parseDay(manifest.schedule.votingDay) else {
            return ([], [ImportProblem(line: 0, reason: "the manifest has no valid voting day")])
        }
        var seen: [IIN: Int] = [:]
        for rec in records.dropFirst() {
            let r: CSV.Record
            switch rec {
            case .failure(let f):
                problems.append(ImportProblem(line: f.line, reason: f.reason))
                continue
            case .success(let v): r = v
            }
            guard r.fields.count == names.count else {
                problems.append(
                    ImportProblem(line: r.line, reason: "\(r.fields.count) fields, the header has \(names.count)"))
                continue
            }
            func f(_ n: String) -> String { r.fields[col[n]!].trimmingCharacters(in: .whitespaces) }
            var reasons: [String] = []
            var iin: IIN? = nil
            do { iin = try IIN(f("iin")) } catch { reasons.append(error.description) }
            let name = f("full_name")
            if name.isEmpty {
                reasons.append("full name is empty")
            } else if name.count > 200 {
                reasons.append("full name is longer than 200 characters")
            }
            let bd = f("birth_date")
            let parsed = Manifest.parseDay(bd)
            if parsed == nil { reasons.append("birth date must be YYYY-MM-DD") }
            if let i = iin, let p = parsed, let ib = i.birthDate, (ib.year, ib.month, ib.day) != p {
                reasons.append("birth date does not match the IIN")
            }
            if let p = parsed, (p.0 + 18, p.1, p.2) > (day.0, day.1, day.2) {
                reasons.append("voter is under 18 on voting day")
            }
            let pr = f("precinct"), rg = f("region")
            let rIndex = regionIndex[rg]
            if rIndex == nil { reasons.append("unknown region \"\(rg.prefix(40))\"") }
            if let pRegion = precinctRegion[pr] {
                if let ri = rIndex, ri != pRegion { reasons.append("precinct \(pr) is not in region \(rg)") }
            } else {
                reasons.append("unknown precinct \"\(pr.prefix(40))\"")
            }
            if let i = iin {
                if let earlier = seen[i] { reasons.append("same IIN as line \(earlier)") } else { seen[i] = r.line }
            }
            if reasons.isEmpty, let i = iin, let ri = rIndex {
                rows.append(VoterRow(line: r.line, iin: i, fullName: name, birthDate: bd, region: ri, precinct: pr))
            } else {
                problems.append(ImportProblem(line: r.line, reason: reasons.joined(separator: "; ")))
            }
        }
        if rows.isEmpty && problems.isEmpty { problems.append(ImportProblem(line: 1, reason: "the list has no voter")) }
        return (rows, problems)
    }
}

/// Encryption of personal data at rest. The 32-byte master key lives outside the database
/// (a key file or the DAUYS_REGISTRY_KEY environment variable). From it, HKDF-SHA256 derives
/// an AES-256-GCM key that seals each voter's record and an HMAC-SHA256 key that indexes the
/// IIN, so the database can find a voter by IIN without holding any IIN in clear.
public struct RegistryCipher: Sendable {
    let sealKey: SymmetricKey
    let indexKey: SymmetricKey
    /// The registry's X25519 key for what others seal to it (the credential authority's
    /// voter → credential links): HKDF of the registry key, so there is no other file to keep.
    let linkKey: Curve25519.KeyAgreement.PrivateKey

    public init(masterKey: [UInt8]) throws {
        guard masterKey.count == 32 else { throw RegistryError.badKey("the registry key must be 32 bytes") }
        let m = SymmetricKey(data: masterKey)
        sealKey = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: m, info: Array("dauys registry seal v1".utf8), outputByteCount: 32)
        indexKey = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: m, info: Array("dauys registry iin index v1".utf8), outputByteCount: 32)
        linkKey = try Curve25519.KeyAgreement.PrivateKey(
            rawRepresentation: HKDF<SHA256>.deriveKey(
                inputKeyMaterial: m, info: Array("dauys registry link sealing v1".utf8), outputByteCount: 32
            ).withUnsafeBytes { Data($0) })
    }

    /// The public key the credential authority seals the links to (in the voter export).
    public var linkSealingKey: Curve25519.KeyAgreement.PublicKey { linkKey.publicKey }

    /// HPKE (RFC 9180, base mode, X25519 / HKDF-SHA256 / ChaCha20-Poly1305) of `plaintext` to
    /// `recipient`, bound to `info`: returns the encapsulated key and the ciphertext.
    public static func sealLinks(
        _ plaintext: Data, to recipient: Curve25519.KeyAgreement.PublicKey, info: Data
    ) throws -> (encapsulated: Data, ciphertext: Data) {
        var sender = try HPKE.Sender(recipientKey: recipient, ciphersuite: .Curve25519_SHA256_ChachaPoly, info: info)
        return (sender.encapsulatedKey, try sender.seal(plaintext))
    }

    /// Opens what `sealLinks` sealed to this registry; throws if it was sealed to another key,
    /// for another `info`, or changed.
    public func openLinks(encapsulated: Data, ciphertext: Data, info: Data) throws -> Data {
        var r = try HPKE.Recipient(
            privateKey: linkKey, ciphersuite: .Curve25519_SHA256_ChachaPoly, info: info, encapsulatedKey: encapsulated)
        return try r.open(ciphertext)
    }

    /// Reads a key file (32 raw bytes or 64 hexadecimal characters) or, if `path` is nil, the
    /// environment variable DAUYS_REGISTRY_KEY (hexadecimal).
    public static func load(path: String?) throws -> RegistryCipher {
        var raw: [UInt8]
        if let path {
            guard let d = FileManager.default.contents(atPath: path) else {
                throw RegistryError.badKey("cannot read the registry key file")
            }
            raw = Array(d)
            if raw.count != 32 {
                let t = String(decoding: raw, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                raw = (try? hexBytes(t)) ?? []
            }
        } else if let env = ProcessInfo.processInfo.environment["DAUYS_REGISTRY_KEY"] {
            raw = (try? hexBytes(env.trimmingCharacters(in: .whitespacesAndNewlines))) ?? []
        } else {
            throw RegistryError.badKey("no registry key: give --registry-key FILE or set DAUYS_REGISTRY_KEY")
        }
        return try RegistryCipher(masterKey: raw)
    }

    static func hexBytes(_ t: String) throws -> [UInt8] {
        guard t.count == 64 else { throw RegistryError.badKey("registry key must be 64 hex digits") }
        var out: [UInt8] = []
        var i = t.startIndex
        while i < t.endIndex {
            let j = t.index(i, offsetBy: 2)
            guard let b = UInt8(t[i..<j], radix: 16) else {
                throw RegistryError.badKey("registry key is not hexadecimal")
            }
            out.append(b)
            i = j
        }
        return out
    }

    /// Keyed hash of a voter's sign-in code (codes are compared as typed: upper case, no dashes).
    public func signInHash(_ code: String) -> [UInt8] {
        let normalized = code.uppercased().filter { $0 != "-" && !$0.isWhitespace }
        return Array(HMAC<SHA256>.authenticationCode(for: Array("signin:\(normalized)".utf8), using: indexKey))
    }

    /// A key check value: HMAC(index key, "dauys registry key check v1"), 16 bytes. The
    /// registry stores it on first use, so a wrong key is refused at once rather than making
    /// every voter's code look wrong.
    public var keyCheckValue: [UInt8] {
        Array(
            HMAC<SHA256>.authenticationCode(for: Array("dauys registry key check v1".utf8), using: indexKey).prefix(16))
    }

    public func index(_ iin: IIN) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array(iin.text.utf8), using: indexKey))
    }

    public func seal(_ row: VoterRow, voterID: Int64) throws -> [UInt8] {
        let plain = try JSONSerialization.data(
            withJSONObject: ["iin": row.iin.text, "full_name": row.fullName, "birth_date": row.birthDate],
            options: [.sortedKeys])
        return Array(try AES.GCM.seal(plain, using: sealKey, authenticating: Self.aad(voterID)).combined!)
    }

    public func open(_ sealed: [UInt8], voterID: Int64) throws -> (iin: String, fullName: String, birthDate: String) {
        do {
            let plain = try AES.GCM.open(
                try AES.GCM.SealedBox(combined: sealed), using: sealKey, authenticating: Self.aad(voterID))
            let o = try JSONSerialization.jsonObject(with: plain) as! [String: String]
            return (o["iin"]!, o["full_name"]!, o["birth_date"]!)
        } catch { throw RegistryError.badKey("a voter record does not open with this registry key") }
    }

    static func aad(_ id: Int64) -> [UInt8] { Array("dauys voter \(id)".utf8) }
}

public enum RegistryError: Error, CustomStringConvertible, Sendable {
    case badKey(String)
    case refused([ImportProblem])
    case other(String)
    public var description: String {
        switch self {
        case .badKey(let s): s
        case .refused(let p):
            "the voter list is refused; nothing was imported:\n" + p.map { "  \($0)" }.joined(separator: "\n")
        case .other(let s): s
        }
    }
}

/// The letter that carries a voter's credential, in Kazakh and Russian.
public enum CredentialLetter {
    /// A 10-character sign-in code (Crockford base32, 50 bits) for the voting website.
    public static func newSignInCode() -> String {
        let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
        var rng = SystemRandomNumberGenerator()
        let c = (0..<10).map { _ in alphabet[Int(rng.next() & 31)] }
        return String(c[0..<5]) + "-" + String(c[5..<10])
    }

    public static func text(
        manifest: Manifest, fullName: String, precinct: String, code: String, signInCode: String? = nil
    ) -> String {
        """
        \(manifest.title.kk)
        \(manifest.title.ru)

        Құрметті / Уважаемый(ая) \(fullName)
        Учаске / Участок: \(precinct)

        Электрондық дауыс беру коды / Код для электронного голосования:

            \(code)
        \(signInCode.map { "\nСайтқа кіру коды (ЖСН-мен бірге) / Код входа на сайт (вместе с ИИН): \($0)\n" } ?? "")
        Бұл кодты ешкімге бермеңіз және көрсетпеңіз. Қайта дауыс беруге болады: соңғы бюллетень есептеледі.
        Никому не передавайте и не показывайте этот код. Можно проголосовать повторно: учитывается последний бюллетень.
        Дауыс беру / Голосование: \(manifest.schedule.votingOpens) — \(manifest.schedule.votingCloses)
        """
    }

    /// The credential authority's letter: the credential code only, addressed by registry
    /// number and precinct (the authority never learns names; the printing house joins it with
    /// the registry's sign-in letter in one envelope).
    public static func credentialText(manifest: Manifest, voter: Int64, precinct: String, code: String) -> String {
        """
        \(manifest.title.kk)
        \(manifest.title.ru)

        Сайлаушы / Избиратель № \(voter)
        Учаске / Участок: \(precinct)

        Электрондық дауыс беру коды / Код для электронного голосования:

            \(code)

        Бұл кодты ешкімге бермеңіз және көрсетпеңіз. Қайта дауыс беруге болады: соңғы бюллетень есептеледі.
        Никому не передавайте и не показывайте этот код. Можно проголосовать повторно: учитывается последний бюллетень.
        Дауыс беру / Голосование: \(manifest.schedule.votingOpens) — \(manifest.schedule.votingCloses)
        """
    }

    /// The registry's letter: the sign-in code for the voting website, with the voter's name.
    public static func signInText(manifest: Manifest, fullName: String, precinct: String, signInCode: String) -> String
    {
        """
        \(manifest.title.kk)
        \(manifest.title.ru)

        Құрметті / Уважаемый(ая) \(fullName)
        Учаске / Участок: \(precinct)

        Сайтқа кіру коды (ЖСН-мен бірге) / Код входа на сайт (вместе с ИИН):

            \(signInCode)

        Дауыс беру коды бөлек хатта / Код для голосования — в отдельном письме.
        """
    }
}
