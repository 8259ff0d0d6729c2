import DauysCrypto
import DauysRecord
import Foundation
import Synchronization

/// Counts failures per key (an IIN's keyed hash, a client address): after `maxFailures`
/// failures, each less than `lockout` after the previous one, the key is locked for `lockout`.
public final class FailureLimiter: Sendable {
    private let failures = Mutex<[DigestKey: (count: Int, until: Date)]>([:])
    public let maxFailures: Int
    public let lockout: TimeInterval

    public init(maxFailures: Int, lockout: TimeInterval) { self.maxFailures = maxFailures; self.lockout = lockout }

    public func isLocked(_ key: DigestKey, now: Date = Date()) -> Bool {
        failures.withLock { f in
            guard let e = f[key] else { return false }
            return e.count >= maxFailures && e.until > now
        }
    }

    public func recordFailure(_ key: DigestKey, now: Date = Date()) {
        failures.withLock { f in
            var e = f[key] ?? (0, now)
            if e.until <= now { e = (0, now) }
            e.count += 1
            e.until = now.addingTimeInterval(lockout)
            f[key] = e
            if f.count > 1_000_000 { f = f.filter { $0.value.until > now } }
        }
    }

    public func reset(_ key: DigestKey) { _ = failures.withLock { $0.removeValue(forKey: key) } }
}

/// Signed-in voters, in memory. A session lets its voter cast ballots for the voter's own
/// region only. After `maxFailures` wrong codes for one IIN, that IIN is locked out for
/// `lockout`. IINs are kept only as keyed hashes.
public final class VoterSessions: Sendable {
    public struct Session: Sendable { public let voter: Int64; public let region: Int; public let expires: Date }
    private let sessions = Mutex<[DigestKey: Session]>([:])
    private let iinFailures: FailureLimiter
    public let ttl: TimeInterval

    public init(ttl: TimeInterval = 1800, maxFailures: Int = 5, lockout: TimeInterval = 900) {
        self.ttl = ttl
        iinFailures = FailureLimiter(maxFailures: maxFailures, lockout: lockout)
    }

    /// True if this IIN (by keyed hash) is locked out now.
    public func isLocked(_ iinKey: DigestKey, now: Date = Date()) -> Bool { iinFailures.isLocked(iinKey, now: now) }
    public func recordFailure(_ iinKey: DigestKey, now: Date = Date()) { iinFailures.recordFailure(iinKey, now: now) }

    /// Opens a session; returns its token.
    public func open(voter: Int64, region: Int, iinKey: DigestKey, now: Date = Date()) -> String {
        let token = "v_" + Hex.encode(SecureRandom.bytes(24))
        iinFailures.reset(iinKey)
        sessions.withLock { s in
            s[DigestKey(Array(token.utf8))] = Session(voter: voter, region: region, expires: now.addingTimeInterval(ttl))
            if s.count % 4096 == 0 { s = s.filter { $0.value.expires > now } }
        }
        return token
    }

    public func session(token: String, now: Date = Date()) -> Session? {
        sessions.withLock { s in
            guard let v = s[DigestKey(Array(token.utf8))], v.expires > now else { return nil }
            return v
        }
    }
}
