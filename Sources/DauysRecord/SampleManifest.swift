import Crypto
import DauysCrypto

/// The reference case: Kazakhstan's constitutional referendum of 15 March 2026 — one yes/no
/// question in Kazakh, Russian and English, 20 regions (17 oblasts, Astana, Almaty, Shymkent),
/// the three decision rules of the referendum law (art. 31) with the two-thirds-of-regions
/// rule for constitutional changes.
extension Manifest {
    /// (id, Kazakh, Russian, English, share of the electorate in per mille — approximate)
    public static let kazakhstanRegions: [(String, String, String, String, Int)] = [
        ("abai", "Абай облысы", "Абайская область", "Abai Region", 32),
        ("akmola", "Ақмола облысы", "Акмолинская область", "Akmola Region", 38),
        ("aktobe", "Ақтөбе облысы", "Актюбинская область", "Aktobe Region", 47),
        ("almaty-region", "Алматы облысы", "Алматинская область", "Almaty Region", 76),
        ("atyrau", "Атырау облысы", "Атырауская область", "Atyrau Region", 36),
        ("east-kazakhstan", "Шығыс Қазақстан облысы", "Восточно-Казахстанская область", "East Kazakhstan Region", 40),
        ("zhambyl", "Жамбыл облысы", "Жамбылская область", "Zhambyl Region", 56),
        ("zhetysu", "Жетісу облысы", "Жетысуская область", "Zhetysu Region", 36),
        ("west-kazakhstan", "Батыс Қазақстан облысы", "Западно-Казахстанская область", "West Kazakhstan Region", 35),
        ("karaganda", "Қарағанды облысы", "Карагандинская область", "Karaganda Region", 62),
        ("kostanay", "Қостанай облысы", "Костанайская область", "Kostanay Region", 46),
        ("kyzylorda", "Қызылорда облысы", "Кызылординская область", "Kyzylorda Region", 37),
        ("mangystau", "Маңғыстау облысы", "Мангистауская область", "Mangystau Region", 37),
        ("pavlodar", "Павлодар облысы", "Павлодарская область", "Pavlodar Region", 40),
        (
            "north-kazakhstan", "Солтүстік Қазақстан облысы", "Северо-Казахстанская область", "North Kazakhstan Region",
            28
        ),
        ("turkistan", "Түркістан облысы", "Туркестанская область", "Turkistan Region", 100),
        ("ulytau", "Ұлытау облысы", "Улытауская область", "Ulytau Region", 11),
        ("astana", "Астана қаласы", "город Астана", "Astana", 74),
        ("almaty", "Алматы қаласы", "город Алматы", "Almaty", 113),
        ("shymkent", "Шымкент қаласы", "город Шымкент", "Shymkent", 61),
    ]

    public static let constitutionQuestion = Question(
        id: "constitution",
        text: LocalizedText(
            kk:
                "Сіз бұқаралық ақпарат құралдарында 2026 жылғы 12 ақпанда жарияланған Қазақстан Республикасының жаңа Конституциясының жобасын қабылдайсыз ба?",
            ru:
                "Принимаете ли Вы новую Конституцию Республики Казахстан, проект которой опубликован в средствах массовой информации 12 февраля 2026 года?",
            en:
                "Do you accept the new Constitution of the Republic of Kazakhstan, the draft of which was published in the mass media on 12 February 2026?"
        ),
        options: [
            AnswerOption(id: "yes", text: LocalizedText(kk: "Иә", ru: "Да", en: "Yes")),
            AnswerOption(id: "no", text: LocalizedText(kk: "Жоқ", ru: "Нет", en: "No")),
        ],
        minSelections: 1, maxSelections: 1,
        rules: DecisionRules(turnoutMajority: true, participantMajority: true, regionalTwoThirds: true))

    /// The reference manifest with `regions` regions (the 20 real ones first, then numbered
    /// ones), `districts` districts per region and `precincts` precincts per district.
    public static func kazakhstan2026(
        regions: Int = 20, districts: Int = 2, precincts: Int = 3,
        trustees: Int = 5, quorum: Int = 3, group: String = "P-256", privacyFloor: Int = 10,
        trusteeKeys: [Curve25519.Signing.PublicKey]? = nil, ceremonyCloses: String = "2026-03-01T18:00:00+05:00",
        credentialAuthority: Curve25519.Signing.PublicKey? = nil, registry: Curve25519.Signing.PublicKey? = nil,
        centralCommission: Curve25519.Signing.PublicKey? = nil
    ) -> Manifest {
        // Without the trustees' keys: fresh keys nobody holds — only for a manifest in which no
        // trustee will act (a sample to edit, tests of the rules or of paper protocols).
        let keys = trusteeKeys ?? (0..<trustees).map { _ in Curve25519.Signing.PrivateKey().publicKey }
        var rs: [Region] = []
        for i in 0..<regions {
            let (id, kk, ru, en): (String, String, String, String) =
                i < kazakhstanRegions.count
                ? (kazakhstanRegions[i].0, kazakhstanRegions[i].1, kazakhstanRegions[i].2, kazakhstanRegions[i].3)
                : ("region-\(i + 1)", "\(i + 1)-аймақ", "Регион \(i + 1)", "Region \(i + 1)")
            let ds = (1...districts).map { d in
                District(
                    id: "\(id).d\(d)",
                    name: LocalizedText(kk: "\(kk), \(d)-аудан", ru: "\(ru), район \(d)", en: "\(en), district \(d)"),
                    precincts: (1...precincts).map { p in
                        Precinct(
                            id: "\(id).d\(d).p\(p)",
                            name: LocalizedText("№ \(i + 1)\(String(format: "%02d", d))\(String(format: "%02d", p))"))
                    })
            }
            rs.append(Region(id: id, name: LocalizedText(kk: kk, ru: ru, en: en), districts: ds))
        }
        return Manifest(
            id: "kz-2026-constitution",
            title: LocalizedText(
                kk: "Республикалық референдум, 2026 жылғы 15 наурыз",
                ru: "Республиканский референдум 15 марта 2026 года",
                en: "Republican referendum of 15 March 2026"),
            group: group,
            questions: [constitutionQuestion],
            regions: rs,
            schedule: Schedule(
                votingDay: "2026-03-15", votingOpens: "2026-03-15T07:00:00+05:00",
                votingCloses: "2026-03-15T20:00:00+05:00"),
            trustees: TrusteeSetup(
                count: trustees, quorum: quorum, names: (1...trustees).map { "Trustee \($0)" },
                keys: keys.map { Hex.encode($0.rawRepresentation) }, ceremonyCloses: ceremonyCloses),
            eligibility: EligibilitySetup(
                credentialAuthority: Hex.encode(
                    (credentialAuthority ?? Curve25519.Signing.PrivateKey().publicKey).rawRepresentation),
                registry: Hex.encode((registry ?? Curve25519.Signing.PrivateKey().publicKey).rawRepresentation)),
            centralCommission: Hex.encode(
                (centralCommission ?? Curve25519.Signing.PrivateKey().publicKey).rawRepresentation),
            tally: TallySetup(unit: "region", privacyFloor: privacyFloor))
    }
}
