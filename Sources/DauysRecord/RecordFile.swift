import DauysCrypto
import Foundation

/// The election record on disk: one file, `board.bin`, holding every board entry in order:
///
///     header  = "DAUYS-RECORD-v1\n" (16 bytes)
///     entry   = u64(index) ‖ u64(time_ms) ‖ u8(kind) ‖ u32(length) ‖ payload ‖ hash (32)
///
/// It is written and read sequentially, so records of millions of ballots stream.
public enum RecordFile {
    public static let header = Array("DAUYS-RECORD-v1\n".utf8)
    public static let boardFileName = "board.bin"
}

/// Appends entries to a record file with a large write buffer.
public final class RecordWriter {
    private let handle: FileHandle
    private var buffer: [UInt8] = []

    public init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path)
        else {
            throw RecordError.io("cannot create \(path)")
        }
        handle = h
        buffer.reserveCapacity(1 << 22)
        buffer += RecordFile.header
    }

    /// Continues a record file after its first `length` bytes (the end of its last whole
    /// entry); anything after them — an entry cut short by a crash — is discarded.
    public init(continuing path: String, length: Int) throws {
        guard let h = FileHandle(forUpdatingAtPath: path) else { throw RecordError.io("cannot open \(path)") }
        try h.truncate(atOffset: UInt64(length))
        try h.seekToEnd()
        handle = h
        buffer.reserveCapacity(1 << 22)
    }

    public func append(_ e: BoardEntry) throws {
        var w = ByteWriter(capacity: 21)
        w.u64(e.index)
        w.u64(e.time)
        w.u8(e.kind.rawValue)
        w.u32(UInt32(e.payload.count))
        buffer += w.bytes
        buffer += e.payload
        buffer += e.hash
        if buffer.count >= 1 << 22 { try flush() }
    }

    public func flush() throws {
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    public func close() throws {
        try flush()
        try handle.synchronize()
        try handle.close()
    }
}

/// Reads a record file entry by entry, streaming through a buffer of about 4 MiB: memory does
/// not grow with the record (a memory-mapped file's touched pages would count in the reader's
/// resident memory, twice when the verifier reads it twice). Reads the file as it was when
/// opened. Structural problems are thrown with the byte offset; hashes are returned as stored,
/// for the verifier to recompute.
public struct RecordReader: Sequence, IteratorProtocol {
    /// The open file and the bytes read ahead; shared by copies of a reader, which are never
    /// used side by side.
    private final class Source {
        let handle: FileHandle
        var buffer: [UInt8] = []
        var start = 0
        var eof = false
        init(_ handle: FileHandle) { self.handle = handle }
        deinit { try? handle.close() }

        var available: Int { buffer.count - start }

        /// At least `need` unread bytes in the buffer, unless the file ends first (limit: the
        /// bytes of the file still to read).
        func fill(_ need: Int, limit: Int) {
            guard available < need, !eof else { return }
            buffer.removeFirst(start)
            start = 0
            while buffer.count < need && !eof {
                let want = Swift.min(Swift.max(need - buffer.count, RecordReader.chunk), limit - buffer.count)
                guard want > 0, let d = try? handle.read(upToCount: want), !d.isEmpty else {
                    eof = true
                    break
                }
                buffer.append(contentsOf: d)
            }
        }
    }
    static let chunk = 4 << 20
    private let source: Source
    private var offset: Int
    public let totalBytes: Int

    public init(path: String) throws {
        guard let h = FileHandle(forReadingAtPath: path),
            let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int
        else {
            throw RecordError.io("cannot read \(path)")
        }
        source = Source(h)
        totalBytes = size
        offset = 0
        source.fill(RecordFile.header.count, limit: size)
        guard source.available >= RecordFile.header.count,
            Array(source.buffer.prefix(RecordFile.header.count)) == RecordFile.header
        else {
            throw RecordError.format("\(path) is not a Dauys record (bad header)")
        }
        source.start = RecordFile.header.count
        offset = RecordFile.header.count
    }

    public var isAtEnd: Bool { offset >= totalBytes }
    public var bytesRead: Int { offset }

    /// The next entry, nil at the end; a malformed frame is returned as an error result.
    public mutating func next() -> Result<BoardEntry, RecordError>? {
        if offset >= totalBytes { return nil }
        let s = source
        s.fill(21, limit: totalBytes - offset)
        guard s.available >= 21 else {
            let at = offset
            offset = totalBytes
            return .failure(.format("truncated entry header at byte \(at)"))
        }
        let b = s.start
        func be64(_ i: Int) -> UInt64 { (0..<8).reduce(0) { $0 << 8 | UInt64(s.buffer[i + $1]) } }
        let index = be64(b), time = be64(b + 8)
        let kindByte = s.buffer[b + 16]
        let len = Int((0..<4).reduce(UInt32(0)) { $0 << 8 | UInt32(s.buffer[b + 17 + $1]) })
        let frame = 21 + len + 32
        guard totalBytes - offset >= frame else {
            let at = offset
            offset = totalBytes
            return .failure(.format("truncated entry \(index) at byte \(at)"))
        }
        s.fill(frame, limit: totalBytes - offset)
        guard s.available >= frame else {
            let at = offset
            offset = totalBytes
            return .failure(.format("truncated entry \(index) at byte \(at)"))
        }
        let p = s.start + 21
        let payload = Array(s.buffer[p..<(p + len)])
        let hash = Array(s.buffer[(p + len)..<(p + len + 32)])
        let at = offset
        s.start += frame
        offset += frame
        guard let kind = EntryKind(rawValue: kindByte) else {
            return .failure(.format("entry \(index) at byte \(at) has unknown kind \(kindByte)"))
        }
        return .success(BoardEntry(index: index, time: time, kind: kind, payload: payload, storedHash: hash))
    }
}

public enum RecordError: Error, CustomStringConvertible, Sendable {
    case io(String)
    case format(String)
    public var description: String {
        switch self {
        case .io(let s): "record file: \(s)"
        case .format(let s): "record format: \(s)"
        }
    }
}
