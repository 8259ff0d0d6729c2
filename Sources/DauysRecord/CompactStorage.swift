/// Storage for the board state's national-sized tables (issue 14): millions of credentials and
/// ballots in flat memory, proportional to what is stored and never copied whole.
///
/// Two properties matter. Memory: a table of 12.5 million 32-byte keys must not cost several
/// times that in hash-table overhead. Copies: the lifecycle applies entries to a copy of the
/// state and publishes the copy (Referendum.append); with one contiguous buffer per table,
/// the first write to the copy duplicates the whole table — for every commit. Chunks of 4,096
/// elements make that first write duplicate one chunk.

/// A growable array kept in chunks of 4,096 elements: appending never moves what is there,
/// and a copy shares every chunk until one is written.
public struct ChunkedArray<Element: Sendable>: Sendable {
    static var shift: Int { 12 }
    static var chunkSize: Int { 1 << shift }
    private var chunks: [[Element]] = []
    public private(set) var count = 0

    public init() {}

    /// `count` copies of `value`.
    public init(repeating value: Element, count: Int) {
        precondition(count >= 0)
        chunks = stride(from: 0, to: count, by: Self.chunkSize).map {
            [Element](repeating: value, count: min(Self.chunkSize, count - $0))
        }
        self.count = count
    }

    public subscript(i: Int) -> Element {
        get { chunks[i >> Self.shift][i & (Self.chunkSize - 1)] }
        set { chunks[i >> Self.shift][i & (Self.chunkSize - 1)] = newValue }
    }

    public mutating func append(_ e: Element) {
        if count & (Self.chunkSize - 1) == 0 {
            var c: [Element] = []
            c.reserveCapacity(Self.chunkSize)
            chunks.append(c)
        }
        chunks[chunks.count - 1].append(e)
        count += 1
    }
}

/// An insert-only map for the board's large tables (credentials, ballots by tracking digest,
/// short codes): open addressing with linear probing over slots that hold ordinals into flat
/// key and value arrays. At 12.5 million keys
/// about 32 + 4/0.7 bytes per key plus the value, against about twice that and one contiguous
/// buffer for a Swift `Dictionary`. Probing starts at the key's `hashValue`, which Swift seeds
/// per process, so keys ground to collide (a voter choosing ballots whose tracking digests
/// share their low bits) do not cluster.
public struct CompactMap<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private var keys = ChunkedArray<Key>()
    private var values = ChunkedArray<Value>()
    /// 0: empty; otherwise ordinal + 1.
    private var slots = ChunkedArray<UInt32>(repeating: 0, count: 1 << 12)
    private var mask = (1 << 12) - 1

    public init() {}

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.count == 0 }

    /// The slot where `key` is, or the empty slot where it would go.
    private func slot(of key: Key) -> (slot: Int, ordinal: Int?) {
        var i = key.hashValue & mask
        while true {
            let s = slots[i]
            if s == 0 { return (i, nil) }
            if keys[Int(s - 1)] == key { return (i, Int(s - 1)) }
            i = (i + 1) & mask
        }
    }

    /// The value stored for `key`. Setting replaces it or adds the key; keys are never removed.
    public subscript(key: Key) -> Value? {
        get { slot(of: key).ordinal.map { values[$0] } }
        set {
            guard let newValue else { preconditionFailure("CompactMap keeps every key it was given") }
            let (s, ordinal) = slot(of: key)
            if let ordinal {
                values[ordinal] = newValue
                return
            }
            precondition(keys.count < Int(UInt32.max) - 1, "CompactMap holds at most 2^32 − 2 keys")
            keys.append(key)
            values.append(newValue)
            slots[s] = UInt32(keys.count)
            if keys.count * 10 > (mask + 1) * 7 { grow() }
        }
    }

    /// Doubles the slots and places every key again (load stays ≤ 0.7).
    private mutating func grow() {
        let size = (mask + 1) * 2
        slots = ChunkedArray(repeating: 0, count: size)
        mask = size - 1
        for o in 0..<keys.count {
            var i = keys[o].hashValue & mask
            while slots[i] != 0 { i = (i + 1) & mask }
            slots[i] = UInt32(o + 1)
        }
    }

    /// Every key and value, in the order the keys were added.
    public func forEach(_ body: (Key, Value) throws -> Void) rethrows {
        for o in 0..<keys.count { try body(keys[o], values[o]) }
    }
}

/// A set of board entry indices as a bitmap: the counted ballots of a national board in about
/// one megabyte instead of a hash set of 9 million integers.
public struct EntrySet: Sendable {
    private var words: [UInt64]
    public private(set) var count = 0

    /// An empty set, with room for indices below `bound` (it grows past it if it must: a
    /// tampered record's entries need not come in order).
    public init(bound: UInt64) { words = [UInt64](repeating: 0, count: Int((bound + 63) / 64)) }

    public func contains(_ i: UInt64) -> Bool {
        let w = Int(i / 64)
        return w < words.count && words[w] & (1 << (i % 64)) != 0
    }

    public mutating func insert(_ i: UInt64) {
        let w = Int(i / 64), bit: UInt64 = 1 << (i % 64)
        if w >= words.count { words += [UInt64](repeating: 0, count: w + 1 - words.count) }
        if words[w] & bit == 0 {
            words[w] |= bit
            count += 1
        }
    }
}
