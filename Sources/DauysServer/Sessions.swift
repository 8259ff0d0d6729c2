import DauysCrypto
import DauysRecord
import Foundation
import Synchronization

/// Signed-in voters and failed sign-in attempts, in memory. A session lets its voter cast
/// ballots for the voter's own region only. After `maxFailures` wrong codes for one IIN, that
/// IIN is locked out for `lockout`. IINs are kept only as keyed hashes.
public final class VoterSessions: Sendable {
    public struct Session: Sendable { public let voter: Int64; public let region: Int; public let expires: Date }
    struct State {
        var sessions: [DigestKey: Session] = [:]
        var failures: [DigestKey: (count: Int, until: Date)] = [:]
    }
    private let state = Mutex(State())
    public let ttl: TimeInterval
    public let maxFailures: Int
    public let lockout: TimeInterval

    public init(ttl: TimeInterval = 1800, maxFailures: Int = 5, lockout: TimeInterval = 900) {
        self.ttl = ttl; self.maxFailures = maxFailures; self.lockout = lockout
    }

    /// True if this IIN (by keyed hash) is locked out now.
    public func isLocked(_ iinKey: DigestKey, now: Date = Date()) -> Bool {
        state.withLock { s in
            guard let f = s.failures[iinKey] else { return false }
            return f.count >= maxFailures && f.until > now
        }
    }

    public func recordFailure(_ iinKey: DigestKey, now: Date = Date()) {
        state.withLock { s in
            var f = s.failures[iinKey] ?? (0, now)
            if f.count >= maxFailures && f.until <= now { f = (0, now) }
            f.count += 1
            f.until = now.addingTimeInterval(lockout)
            s.failures[iinKey] = f
        }
    }

    /// Opens a session; returns its token.
    public func open(voter: Int64, region: Int, iinKey: DigestKey, now: Date = Date()) -> String {
        let token = "v_" + Hex.encode(SecureRandom.bytes(24))
        state.withLock { s in
            s.failures[iinKey] = nil
            s.sessions[DigestKey(Array(token.utf8))] = Session(voter: voter, region: region, expires: now.addingTimeInterval(ttl))
            if s.sessions.count % 4096 == 0 { s.sessions = s.sessions.filter { $0.value.expires > now } }
        }
        return token
    }

    public func session(token: String, now: Date = Date()) -> Session? {
        state.withLock { s in
            guard let v = s.sessions[DigestKey(Array(token.utf8))], v.expires > now else { return nil }
            return v
        }
    }
}
