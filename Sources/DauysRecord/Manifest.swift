import Crypto
import DauysCrypto
import Foundation

/// Text in the three languages of the referendum: Kazakh, Russian, English.
public struct LocalizedText: Codable, Hashable, Sendable {
    public var kk: String
    public var ru: String
    public var en: String
    public init(kk: String, ru: String, en: String) {
        self.kk = kk
        self.ru = ru
        self.en = en
    }
    public init(_ all: String) { self.init(kk: all, ru: all, en: all) }
    var isComplete: Bool { ![kk, ru, en].contains { $0.trimmingCharacters(in: .whitespaces).isEmpty } }
}

/// The decision rules of the referendum law (art. 31), each switchable per question.
public struct DecisionRules: Codable, Hashable, Sendable {
    /// Valid only if more than half of the eligible voters took part.
    public var turnoutMajority: Bool
    /// Adopted only if more than half of the participants voted for the first option ("yes").
    public var participantMajority: Bool
    /// Constitutional changes: that majority in at least two thirds of the regions.
    public var regionalTwoThirds: Bool

    public init(turnoutMajority: Bool = true, participantMajority: Bool = true, regionalTwoThirds: Bool = false) {
        self.turnoutMajority = turnoutMajority
        self.participantMajority = participantMajority
        self.regionalTwoThirds = regionalTwoThirds
    }
    enum CodingKeys: String, CodingKey {
        case turnoutMajority = "turnout_majority", participantMajority = "participant_majority", regionalTwoThirds =
            "regional_two_thirds"
    }
}

public struct AnswerOption: Codable, Hashable, Sendable {
    public var id: String
    public var text: LocalizedText
    public init(id: String, text: LocalizedText) {
        self.id = id
        self.text = text
    }
}

public struct Question: Codable, Hashable, Sendable {
    public var id: String
    public var text: LocalizedText
    /// The first option is the one the decision rules count as "for" (yes).
    public var options: [AnswerOption]
    public var minSelections: Int
    public var maxSelections: Int
    public var rules: DecisionRules

    public init(
        id: String, text: LocalizedText, options: [AnswerOption], minSelections: Int = 1, maxSelections: Int = 1,
        rules: DecisionRules
    ) {
        self.id = id
        self.text = text
        self.options = options
        self.minSelections = minSelections
        self.maxSelections = maxSelections
        self.rules = rules
    }
    enum CodingKeys: String, CodingKey {
        case id, text, options, rules
        case minSelections = "min_selections", maxSelections = "max_selections"
    }
}

public struct Precinct: Codable, Hashable, Sendable {
    public var id: String
    public var name: LocalizedText
    public init(id: String, name: LocalizedText) {
        self.id = id
        self.name = name
    }
}

public struct District: Codable, Hashable, Sendable {
    public var id: String
    public var name: LocalizedText
    public var precincts: [Precinct]
    public init(id: String, name: LocalizedText, precincts: [Precinct]) {
        self.id = id
        self.name = name
        self.precincts = precincts
    }
}

public struct Region: Codable, Hashable, Sendable {
    public var id: String
    public var name: LocalizedText
    public var districts: [District]
    public init(id: String, name: LocalizedText, districts: [District]) {
        self.id = id
        self.name = name
        self.districts = districts
    }
}

public struct Schedule: Codable, Hashable, Sendable {
    /// Voting day, YYYY-MM-DD (age is computed on this day).
    public var votingDay: String
    /// ISO 8601 instants with offset, e.g. "2026-03-15T07:00:00+05:00".
    public var votingOpens: String
    public var votingCloses: String
    public init(votingDay: String, votingOpens: String, votingCloses: String) {
        self.votingDay = votingDay
        self.votingOpens = votingOpens
        self.votingCloses = votingCloses
    }
    enum CodingKeys: String, CodingKey {
        case votingDay = "voting_day", votingOpens = "voting_opens", votingCloses = "voting_closes"
    }

    /// `voting_opens` and `voting_closes` in ms since 1970 (board entry time); nil if invalid.
    public var window: (opens: UInt64, closes: UInt64)? {
        let f = ISO8601DateFormatter()
        guard let o = f.date(from: votingOpens), let c = f.date(from: votingCloses), o.timeIntervalSince1970 >= 0,
            o < c
        else { return nil }
        return (UInt64(o.timeIntervalSince1970 * 1000), UInt64(c.timeIntervalSince1970 * 1000))
    }
}

public struct TrusteeSetup: Codable, Hashable, Sendable {
    public var count: Int
    public var quorum: Int
    public var names: [String]
    /// Each trustee's Ed25519 public signing key (hex), trustee i at position i − 1. Every
    /// message of trustee i on the board is signed with the matching private key, which only
    /// the trustee holds (record.md §3.1): published here, by the commission, before the
    /// ceremony, so that nobody who runs the board can write in a trustee's name.
    public var keys: [String]
    /// ISO 8601 instant with offset: until then the election key may be fixed only when the
    /// ceremony is complete — every trustee checked its shares, every complaint about a
    /// missing share answered — so that no one trustee can hold the ceremony up beyond it, and
    /// nobody decides by choosing when to stop who qualifies (record.md §5).
    public var ceremonyCloses: String

    public init(count: Int, quorum: Int, names: [String], keys: [String], ceremonyCloses: String) {
        self.count = count
        self.quorum = quorum
        self.names = names
        self.keys = keys
        self.ceremonyCloses = ceremonyCloses
    }
    enum CodingKeys: String, CodingKey { case count, quorum, names, keys, ceremonyCloses = "ceremony_closes" }

    /// `ceremony_closes` in milliseconds since 1970 (board entry time), if it is valid.
    public var ceremonyClosesMs: UInt64? {
        ISO8601DateFormatter().date(from: ceremonyCloses).flatMap {
            $0.timeIntervalSince1970 >= 0 ? UInt64($0.timeIntervalSince1970 * 1000) : nil
        }
    }

    /// Trustee i's signing key (1-based), if the manifest names a valid one.
    public func signingKey(of trustee: Int) -> Curve25519.Signing.PublicKey? {
        guard keys.indices.contains(trustee - 1), let raw = try? Hex.decode(keys[trustee - 1], what: "trustee key")
        else {
            return nil
        }
        return try? Curve25519.Signing.PublicKey(rawRepresentation: raw)
    }
}

/// Who answers for eligibility (record.md §3.3): the Ed25519 public keys (hex) of the
/// credential authority, which signs every credential list, and of the registry, which signs
/// the number of eligible voters per precinct. Neither key belongs to the board operator, so
/// the board can neither add a credential nor change a count without the record showing it.
public struct EligibilitySetup: Codable, Hashable, Sendable {
    public var credentialAuthority: String
    public var registry: String
    public init(credentialAuthority: String, registry: String) {
        self.credentialAuthority = credentialAuthority
        self.registry = registry
    }
    enum CodingKeys: String, CodingKey { case credentialAuthority = "credential_authority", registry }

    public var credentialAuthorityKey: Curve25519.Signing.PublicKey? { Self.key(credentialAuthority) }
    public var registryKey: Curve25519.Signing.PublicKey? { Self.key(registry) }
    static func key(_ hex: String) -> Curve25519.Signing.PublicKey? {
        guard let raw = try? Hex.decode(hex, what: "key") else { return nil }
        return try? Curve25519.Signing.PublicKey(rawRepresentation: raw)
    }
}

/// Where ballots are added up before decryption.
public struct TallySetup: Codable, Hashable, Sendable {
    /// "region": one encrypted tally per region; "national": one for the country.
    public var unit: String
    /// A unit with fewer counted ballots than this is not decrypted on its own: it is folded
    /// together with other small regions (see docs/record.md), so no small group's votes show.
    public var privacyFloor: Int
    public init(unit: String = "region", privacyFloor: Int = 10) {
        self.unit = unit
        self.privacyFloor = privacyFloor
    }
    enum CodingKeys: String, CodingKey { case unit, privacyFloor = "privacy_floor" }
}

/// The definition of one referendum. Published as the first entry after the board genesis;
/// its exact bytes are hashed into every proof.
public struct Manifest: Codable, Hashable, Sendable {
    public var id: String
    public var title: LocalizedText
    /// "P-256" (default) or an ElectionGuard group name.
    public var group: String
    public var questions: [Question]
    public var regions: [Region]
    public var schedule: Schedule
    public var trustees: TrusteeSetup
    public var eligibility: EligibilitySetup
    /// The central election commission's Ed25519 public key (hex): it registers the commissions'
    /// keys and signs the official result (record.md §3.4).
    public var centralCommission: String
    public var tally: TallySetup
    /// Ed25519 public keys (hex) of the observers accredited to cosign checkpoints (record.md
    /// §9.4); absent when there are none.
    public var witnesses: [String]?

    enum CodingKeys: String, CodingKey {
        case id, title, group, questions, regions, schedule, trustees, eligibility
        case centralCommission = "central_commission", tally, witnesses
    }

    /// The witnesses' keys (record.md §9.4), those that are valid.
    public var witnessKeys: [Curve25519.Signing.PublicKey] { (witnesses ?? []).compactMap(EligibilitySetup.key) }

    /// The central commission's key, if the manifest's is a valid one.
    public var centralCommissionKey: Curve25519.Signing.PublicKey? { EligibilitySetup.key(centralCommission) }

    public init(
        id: String, title: LocalizedText, group: String = "P-256", questions: [Question], regions: [Region],
        schedule: Schedule, trustees: TrusteeSetup, eligibility: EligibilitySetup, centralCommission: String,
        tally: TallySetup = TallySetup()
    ) {
        self.id = id
        self.title = title
        self.group = group
        self.questions = questions
        self.regions = regions
        self.schedule = schedule
        self.trustees = trustees
        self.eligibility = eligibility
        self.centralCommission = centralCommission
        self.tally = tally
    }

    /// The ballot shape of the questions, for the crypto core.
    public func ballotShape() throws -> BallotShape {
        try BallotShape(
            questions: questions.map {
                try QuestionShape(
                    options: $0.options.count, minSelections: $0.minSelections, maxSelections: $0.maxSelections)
            })
    }

    public var threshold: TrusteeThreshold {
        get throws { try TrusteeThreshold(trustees: trustees.count, quorum: trustees.quorum) }
    }

    /// Region index of every precinct id.
    public func precinctRegions() -> [String: Int] {
        var out: [String: Int] = [:]
        for (ri, r) in regions.enumerated() { for d in r.districts { for p in d.precincts { out[p.id] = ri } } }
        return out
    }

    /// Refuses a manifest that breaks its own invariants; every problem is listed.
    public func validate() throws(ManifestError) {
        var problems: [String] = []
        let idPattern = #"^[a-z0-9][a-z0-9._-]{0,63}$"#
        func checkId(_ s: String, _ what: String) {
            if s.range(of: idPattern, options: .regularExpression) == nil {
                problems.append("\(what) id \"\(s)\" must be 1–64 characters of a–z, 0–9, '.', '_' or '-'")
            }
        }
        checkId(id, "referendum")
        if !title.isComplete { problems.append("the title needs Kazakh, Russian and English text") }
        if !["P-256", "modp4096-eg1", "modp4096-eg2"].contains(group) { problems.append("unknown group \"\(group)\"") }
        if questions.isEmpty { problems.append("at least one question is needed") }
        var qids = Set<String>()
        for q in questions {
            checkId(q.id, "question")
            if !qids.insert(q.id).inserted { problems.append("question id \"\(q.id)\" is used twice") }
            if !q.text.isComplete { problems.append("question \(q.id) needs Kazakh, Russian and English text") }
            if q.options.count < 2 { problems.append("question \(q.id) needs at least two options") }
            var oids = Set<String>()
            for o in q.options {
                checkId(o.id, "option")
                if !oids.insert(o.id).inserted {
                    problems.append("option id \"\(o.id)\" is used twice in question \(q.id)")
                }
                if !o.text.isComplete {
                    problems.append("option \(o.id) of question \(q.id) needs text in all three languages")
                }
            }
            if !(0 <= q.minSelections && q.minSelections <= q.maxSelections && q.maxSelections <= q.options.count
                && q.maxSelections >= 1)
            {
                problems.append("question \(q.id): selections must satisfy 0 ≤ min ≤ max ≤ options, max ≥ 1")
            }
        }
        if regions.isEmpty { problems.append("at least one region is needed") }
        var rids = Set<String>(), dids = Set<String>(), pids = Set<String>()
        for r in regions {
            checkId(r.id, "region")
            if !rids.insert(r.id).inserted { problems.append("region id \"\(r.id)\" is used twice") }
            if !r.name.isComplete { problems.append("region \(r.id) needs a name in all three languages") }
            if r.districts.isEmpty { problems.append("region \(r.id) has no district") }
            for d in r.districts {
                checkId(d.id, "district")
                if !dids.insert(d.id).inserted { problems.append("district id \"\(d.id)\" is used twice") }
                if d.precincts.isEmpty { problems.append("district \(d.id) has no precinct") }
                for p in d.precincts {
                    checkId(p.id, "precinct")
                    if !pids.insert(p.id).inserted { problems.append("precinct id \"\(p.id)\" is used twice") }
                }
            }
        }
        if regions.count > 65535 { problems.append("too many regions") }
        let f = ISO8601DateFormatter()
        if let o = f.date(from: schedule.votingOpens), let c = f.date(from: schedule.votingCloses) {
            if o >= c { problems.append("voting must open before it closes") }
            if let k = f.date(from: trustees.ceremonyCloses) {
                if k >= o { problems.append("trustees: ceremony_closes must come before voting opens") }
            } else {
                problems.append("trustees: ceremony_closes must be an ISO 8601 time with an offset")
            }
        } else {
            problems.append("voting_opens and voting_closes must be ISO 8601 times with an offset")
        }
        if Self.parseDay(schedule.votingDay) == nil { problems.append("voting_day must be a date YYYY-MM-DD") }
        if !(1 <= trustees.quorum && trustees.quorum <= trustees.count && trustees.count <= 255) {
            problems.append("trustees: need 1 ≤ quorum ≤ count ≤ 255")
        }
        if eligibility.credentialAuthorityKey == nil || eligibility.registryKey == nil {
            problems.append(
                "eligibility: the credential authority and the registry each need an Ed25519 public key (64 hex digits)"
            )
        } else if eligibility.credentialAuthority.lowercased() == eligibility.registry.lowercased() {
            problems.append("eligibility: the credential authority and the registry must have different keys")
        }
        if centralCommissionKey != nil {
            let others = [eligibility.credentialAuthority, eligibility.registry] + trustees.keys
            if others.contains(where: { $0.lowercased() == centralCommission.lowercased() }) {
                problems.append("central_commission: its key must differ from the eligibility and trustee keys")
            }
        } else {
            problems.append("central_commission: an Ed25519 public key (64 hex digits) is needed")
        }
        if let ws = witnesses {
            if ws.isEmpty || ws.count > 100 { problems.append("witnesses: give 1 to 100 keys, or leave the field out") }
            if ws.contains(where: { EligibilitySetup.key($0) == nil || $0 != $0.lowercased() }) {
                problems.append("witnesses: each must be an Ed25519 public key (64 lower-case hex digits)")
            }
            if Set(ws).count != ws.count { problems.append("witnesses: a key is listed twice") }
        }
        if trustees.keys.count != trustees.count {
            problems.append("trustees: \(trustees.count) signing keys expected, \(trustees.keys.count) given")
        } else if (0..<trustees.count).contains(where: { trustees.signingKey(of: $0 + 1) == nil }) {
            problems.append("trustees: every signing key must be 64 hex digits of an Ed25519 public key")
        } else if Set(trustees.keys.map { $0.lowercased() }).count != trustees.keys.count {
            problems.append("trustees: two trustees have the same signing key")
        }
        if trustees.names.count != trustees.count {
            problems.append("trustees: \(trustees.count) expected, \(trustees.names.count) names given")
        }
        if tally.unit == "national", let q = questions.first(where: { $0.rules.regionalTwoThirds }) {
            problems.append(
                "question \(q.id): the two-thirds-of-regions rule needs each region's own figures; a national tally unit hides them (record.md §8)"
            )
        }
        if !["region", "national"].contains(tally.unit) {
            problems.append("tally unit must be \"region\" or \"national\"")
        }
        if tally.privacyFloor < 0 { problems.append("privacy floor cannot be negative") }
        if !problems.isEmpty { throw ManifestError(problems: problems) }
    }

    /// (year, month, day) of a YYYY-MM-DD string.
    public static func parseDay(_ s: String) -> (Int, Int, Int)? {
        let parts = s.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, s.count == 10, (1...12).contains(parts[1]), (1...31).contains(parts[2]) else {
            return nil
        }
        return (parts[0], parts[1], parts[2])
    }

    /// The canonical JSON bytes (sorted keys, no insignificant white space).
    public func canonicalJSON() -> [UInt8] { Array(try! CanonicalJSON.encode(self)) }
}

public struct ManifestError: Error, CustomStringConvertible, Sendable {
    public let problems: [String]
    public var description: String {
        "the manifest is refused:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}

/// JSON with sorted keys and no white space: one text for one value.
public enum CanonicalJSON {
    public static func encode<T: Encodable>(_ v: T) throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try e.encode(v)
    }
    public static func decode<T: Decodable>(_ t: T.Type, _ data: some Collection<UInt8>) throws -> T {
        try JSONDecoder().decode(t, from: Data(data))
    }
}
