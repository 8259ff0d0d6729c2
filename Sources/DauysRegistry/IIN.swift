import Foundation

/// Kazakhstan's individual identification number: 12 digits, YYMMDD birth date, a digit for
/// century and sex (1/2: 1800s, 3/4: 1900s, 5/6: 2000s; odd = male), four serial digits and a
/// check digit (weights 1…11, then 3…11,1,2 if the first sum mod 11 is 10; a second 10 means
/// no valid IIN has those 11 digits).
///
/// The value is personal data: it has no `description` that shows it, and errors never quote it.
public struct IIN: Hashable, Sendable, CustomStringConvertible {
    let digits: [UInt8]

    public enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
        case notTwelveDigits, badDate, badCenturyDigit, badCheckDigit
        public var description: String {
            switch self {
            case .notTwelveDigits: "IIN must be exactly 12 digits"
            case .badDate: "IIN does not start with a valid birth date (YYMMDD)"
            case .badCenturyDigit: "IIN 7th digit (century and sex) must be 1 to 6"
            case .badCheckDigit: "IIN check digit is wrong"
            }
        }
    }

    public init(_ text: String) throws(Problem) {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard t.utf8.count == 12, t.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { throw .notTwelveDigits }
        let d = t.utf8.map { $0 - 0x30 }
        guard (1...6).contains(d[6]) else { throw .badCenturyDigit }
        digits = d
        guard let bd = birthDate, Self.isRealDate(bd.year, bd.month, bd.day) else { throw .badDate }
        guard Self.checkDigit(d) == d[11] else { throw .badCheckDigit }
    }

    static func checkDigit(_ d: [UInt8]) -> UInt8? {
        let w1 = Array(1...11), w2 = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]
        var k = zip(d.prefix(11), w1).reduce(0) { $0 + Int($1.0) * $1.1 } % 11
        if k == 10 { k = zip(d.prefix(11), w2).reduce(0) { $0 + Int($1.0) * $1.1 } % 11 }
        return k == 10 ? nil : UInt8(k)
    }

    /// The birth date the IIN encodes.
    public var birthDate: (year: Int, month: Int, day: Int)? {
        let yy = Int(digits[0]) * 10 + Int(digits[1]), mm = Int(digits[2]) * 10 + Int(digits[3]),
            dd = Int(digits[4]) * 10 + Int(digits[5])
        let century: Int
        switch digits[6] {
        case 1, 2: century = 1800
        case 3, 4: century = 1900
        case 5, 6: century = 2000
        default: return nil
        }
        return (century + yy, mm, dd)
    }

    static func isRealDate(_ y: Int, _ m: Int, _ d: Int) -> Bool {
        guard (1...12).contains(m), d >= 1 else { return false }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return d <= days[m - 1]
    }

    /// The 12 digits, for sealing and keyed hashing only.
    public var text: String { String(decoding: digits.map { $0 + 0x30 }, as: UTF8.self) }
    public var description: String { "IIN(hidden)" }

    /// Builds a valid IIN from 11 digits by appending the check digit (tests, synthetic data).
    public static func completing(_ first11: String) -> IIN? {
        guard first11.utf8.count == 11 else { return nil }
        let d = first11.utf8.map { $0 - 0x30 }
        guard let c = checkDigit(d) else { return nil }
        return try? IIN(first11 + String(c))
    }
}
