import DauysCrypto
import DauysRecord
import Foundation
import NIOConcurrencyHelpers

/// Signed-in voters, in memory. A session lets its voter cast ballots for the voter's own
/// region, signed with the voter's own credential, only. A voter holds at most `perVoter`
/// sessions: opening one more closes the oldest.
public final class VoterSessions: Sendable {
    public struct Session: Sendable, Equatable {
        public let voter: Int64
        public let region: Int
        /// The encoding of the voter's public credential U, from the registry; nil if the
        /// registry has forgotten it (then the session cannot cast).
        public let credential: [UInt8]?
        public let opened: Date
        public let expires: Date
        public var extensions = 0
    }
    private struct State {
        var byToken: [DigestKey: Session] = [:]
        var byVoter: [Int64: [DigestKey]] = [:]
    }
    private let state = NIOLockedValueBox(State())
    public let ttl: TimeInterval
    public let perVoter: Int

    public init(ttl: TimeInterval = 1800, perVoter: Int = 3) {
        self.ttl = ttl
        self.perVoter = max(1, perVoter)
    }

    /// Opens a session; returns its token (shown once; kept only as a hash).
    public func open(voter: Int64, region: Int, credential: [UInt8]?, now: Date = Date()) -> String {
        let token = "v_" + Hex.encode(SecureRandom.bytes(24))
        let key = DigestKey(Array(token.utf8))
        state.withLockedValue { s in
            var mine = (s.byVoter[voter] ?? []).filter { (s.byToken[$0]?.expires ?? .distantPast) > now }
            while mine.count >= perVoter { s.byToken[mine.removeFirst()] = nil }
            mine.append(key)
            s.byVoter[voter] = mine
            s.byToken[key] = Session(
                voter: voter, region: region, credential: credential, opened: now, expires: now.addingTimeInterval(ttl))
            if s.byToken.count % 4096 == 0 {
                s.byToken = s.byToken.filter { $0.value.expires > now }
                s.byVoter = s.byVoter.compactMapValues { keys in
                    let alive = keys.filter { s.byToken[$0] != nil }
                    return alive.isEmpty ? nil : alive
                }
            }
        }
        return token
    }

    public func session(token: String, now: Date = Date()) -> Session? {
        state.withLockedValue { s in
            guard let v = s.byToken[DigestKey(Array(token.utf8))], v.expires > now else { return nil }
            return v
        }
    }

    /// Extends a live session to `ttl` from now (the booth asks before it expires, so a voter
    /// who reads slowly loses nothing); at most `maxExtensions` times. Nil if the session is
    /// unknown, expired or extended too often.
    public func extend(token: String, now: Date = Date()) -> Session? {
        state.withLockedValue { s in
            let key = DigestKey(Array(token.utf8))
            guard let v = s.byToken[key], v.expires > now, v.extensions < Self.maxExtensions else { return nil }
            let longer = Session(
                voter: v.voter, region: v.region, credential: v.credential, opened: v.opened,
                expires: now.addingTimeInterval(ttl), extensions: v.extensions + 1)
            s.byToken[key] = longer
            return longer
        }
    }
    /// A session lives at most (1 + maxExtensions) × ttl.
    public static let maxExtensions = 8

    /// Sessions the voter holds now.
    public func count(voter: Int64, now: Date = Date()) -> Int {
        state.withLockedValue { s in
            (s.byVoter[voter] ?? []).filter { (s.byToken[$0]?.expires ?? .distantPast) > now }.count
        }
    }
}

/// Limits on wrong sign-in codes (docs/architecture.md, "Abuse"). Knowing a voter's IIN must
/// not let anyone lock that voter out, and nobody may guess codes quickly:
/// - per (IIN, client): after `pairFailures` wrong codes that pair waits `pairLockout`; other
///   clients — the voter's own phone — are not affected;
/// - per IIN, all clients together: after `iinFailures` wrong codes, attempts for that IIN are
///   slowed to one per `backoffStart` seconds, doubling with each further failure up to
///   `backoffMax`; a voter is at worst asked to wait `backoffMax` and then gets through;
/// - per client, any IIN: after `clientFailures` failed sign-ins the client waits `clientLockout`.
/// IINs and clients are kept only as keyed hashes and buckets, never in clear.
public final class SignInGuard: Sendable {
    struct Counter {
        var failures = 0
        var last = Date.distantPast
    }
    private struct State {
        var pairs: [DigestKey: Counter] = [:]
        var iins: [DigestKey: Counter] = [:]
        var clients: [DigestKey: Counter] = [:]
    }
    private let state = NIOLockedValueBox(State())
    let configuration: ServerConfiguration

    public init(configuration: ServerConfiguration) { self.configuration = configuration }

    /// Why a sign-in must wait, and for how long.
    public enum Verdict: Equatable, Sendable {
        case allowed
        case clientLocked(seconds: Int)
        case pairLocked(seconds: Int)
        case slowedDown(seconds: Int)
    }

    static func key(_ iin: DigestKey, _ client: DigestKey) -> DigestKey {
        DigestKey(withUnsafeBytes(of: iin) { Array($0) } + withUnsafeBytes(of: client) { Array($0) })
    }

    /// Whether this client may try to sign in at all (before its body is read).
    public func check(client: DigestKey, now: Date = Date()) -> Verdict {
        let c = configuration
        return state.withLockedValue { s in
            if let f = s.clients[client], f.failures >= c.failuresPerClient, now < f.last + c.clientLockout {
                return .clientLocked(seconds: Int((f.last + c.clientLockout).timeIntervalSince(now).rounded(.up)))
            }
            return .allowed
        }
    }

    /// Whether this client may try this IIN now.
    public func check(iin: DigestKey, client: DigestKey, now: Date = Date()) -> Verdict {
        let c = configuration
        let clientVerdict = check(client: client, now: now)
        if clientVerdict != .allowed { return clientVerdict }
        return state.withLockedValue { s in
            if let f = s.pairs[Self.key(iin, client)], f.failures >= c.failuresPerClientAndIIN,
                now < f.last + c.pairLockout
            {
                return .pairLocked(seconds: Int((f.last + c.pairLockout).timeIntervalSince(now).rounded(.up)))
            }
            if let f = s.iins[iin], f.failures >= c.failuresPerIINBeforeBackoff {
                let wait = backoff(f.failures)
                if now < f.last + wait {
                    return .slowedDown(seconds: Int((f.last + wait).timeIntervalSince(now).rounded(.up)))
                }
            }
            return .allowed
        }
    }

    func backoff(_ failures: Int) -> TimeInterval {
        let c = configuration
        let steps = min(failures - c.failuresPerIINBeforeBackoff, 30)
        return min(c.backoffMax, c.backoffStart * pow(2, Double(steps)))
    }

    /// A wrong code (or an IIN that is not registered).
    public func failed(iin: DigestKey?, client: DigestKey, now: Date = Date()) {
        let c = configuration
        state.withLockedValue { s in
            func bump(_ f: inout Counter, window: TimeInterval) {
                if now >= f.last + window { f.failures = 0 }
                f.failures += 1
                f.last = now
            }
            bump(&s.clients[client, default: Counter()], window: c.clientLockout)
            if let iin {
                bump(&s.pairs[Self.key(iin, client), default: Counter()], window: c.pairLockout)
                bump(&s.iins[iin, default: Counter()], window: c.pairLockout)
            }
            if s.pairs.count > 1_000_000 {
                s.pairs = s.pairs.filter { now < $0.value.last + c.pairLockout }
                s.iins = s.iins.filter { now < $0.value.last + c.pairLockout }
                s.clients = s.clients.filter { now < $0.value.last + c.clientLockout }
            }
        }
    }

    /// A correct code: that IIN's counters start again.
    public func succeeded(iin: DigestKey, client: DigestKey) {
        state.withLockedValue { s in
            s.pairs[Self.key(iin, client)] = nil
            s.iins[iin] = nil
        }
    }
}
