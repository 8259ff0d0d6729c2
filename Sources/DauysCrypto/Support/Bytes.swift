/// Hexadecimal text for byte strings: lowercase on output, either case accepted on input.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    public static func encode<B: Sequence>(_ bytes: B) -> String where B.Element == UInt8 {
        var out = [UInt8]()
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes hex text; `what` names the value in the error message.
    public static func decode(_ text: String, what: String = "value") throws(CryptoError) -> [UInt8] {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else {
            throw .invalidEncoding("\(what): hex text has an odd number of digits")
        }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count / 2)
        var i = 0
        while i < utf8.count {
            guard let hi = nibble(utf8[i]), let lo = nibble(utf8[i + 1]) else {
                throw .invalidEncoding("\(what): not a hexadecimal digit at position \(i)")
            }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x61...0x66: return c - 0x61 + 10
        case 0x41...0x46: return c - 0x41 + 10
        default: return nil
        }
    }
}

/// Builds canonical binary encodings: big-endian integers, fixed-length group values,
/// length-prefixed byte strings.
public struct ByteWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    public mutating func u8(_ v: UInt8) { bytes.append(v) }
    public mutating func u16(_ v: UInt16) {
        bytes.append(UInt8(v >> 8))
        bytes.append(UInt8(v & 0xff))
    }
    public mutating func u32(_ v: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8((v >> UInt32(shift)) & 0xff)) }
    }
    public mutating func u64(_ v: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8((v >> UInt64(shift)) & 0xff)) }
    }
    /// Raw bytes whose length the reader knows in advance (group elements, scalars, hashes).
    public mutating func fixed<B: Sequence>(_ b: B) where B.Element == UInt8 { bytes.append(contentsOf: b) }
    /// Variable-length bytes, preceded by their length as a 32-bit big-endian integer.
    public mutating func lengthPrefixed<B: Collection>(_ b: B) where B.Element == UInt8 {
        u32(UInt32(b.count))
        bytes.append(contentsOf: b)
    }
    public mutating func string(_ s: String) { lengthPrefixed(Array(s.utf8)) }
}

/// Reads a canonical binary encoding, failing with a typed error naming the field.
public struct ByteReader {
    private let bytes: [UInt8]
    public private(set) var offset: Int = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var remaining: Int { bytes.count - offset }

    public mutating func fixed(_ count: Int, _ what: String) throws(CryptoError) -> ArraySlice<UInt8> {
        guard count >= 0, remaining >= count else {
            throw .invalidEncoding("\(what): truncated (need \(count) bytes at offset \(offset), have \(remaining))")
        }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }
    public mutating func u8(_ what: String) throws(CryptoError) -> UInt8 { try fixed(1, what).first! }
    public mutating func u16(_ what: String) throws(CryptoError) -> UInt16 {
        let s = try fixed(2, what)
        return UInt16(s[s.startIndex]) << 8 | UInt16(s[s.startIndex + 1])
    }
    public mutating func u32(_ what: String) throws(CryptoError) -> UInt32 {
        try fixed(4, what).reduce(0) { $0 << 8 | UInt32($1) }
    }
    public mutating func u64(_ what: String) throws(CryptoError) -> UInt64 {
        try fixed(8, what).reduce(0) { $0 << 8 | UInt64($1) }
    }
    public mutating func lengthPrefixed(_ what: String, max: Int = 1 << 20) throws(CryptoError) -> ArraySlice<UInt8> {
        let n = Int(try u32(what))
        guard n <= max else { throw .invalidEncoding("\(what): length \(n) exceeds the limit \(max)") }
        return try fixed(n, what)
    }
    public mutating func string(_ what: String) throws(CryptoError) -> String {
        let b = try lengthPrefixed(what)
        guard let s = String(validating: b, as: UTF8.self) else { throw .invalidEncoding("\(what): not UTF-8") }
        return s
    }
    /// Canonical encodings have no trailing bytes.
    public func finish(_ what: String) throws(CryptoError) {
        guard remaining == 0 else { throw .invalidEncoding("\(what): \(remaining) unexpected trailing bytes") }
    }
}

/// Compares two byte strings in time independent of where they differ.
public func constantTimeEquals<A: Collection, B: Collection>(_ a: A, _ b: B) -> Bool
where A.Element == UInt8, B.Element == UInt8 {
    guard a.count == b.count else { return false }
    var diff: UInt8 = 0
    for (x, y) in zip(a, b) { diff |= x ^ y }
    return diff == 0
}
