import DauysCrypto
import DauysRecord
import Foundation
import NIOConcurrencyHelpers

/// A signed-in voter: may cast ballots for the voter's own region, signed with the voter's own
/// credential, only.
public struct VoterSession: Sendable, Equatable {
    public let region: Int
    /// The encoding of the voter's public credential U, from the registry; nil if the
    /// registry has forgotten it (then the session cannot cast).
    public let credential: [UInt8]?
    public let opened: Date
    public let expires: Date
    public var extensions = 0

    public init(region: Int, credential: [UInt8]?, opened: Date, expires: Date, extensions: Int = 0) {
        self.region = region
        self.credential = credential
        self.opened = opened
        self.expires = expires
        self.extensions = extensions
    }

    /// A session lives at most (1 + maxExtensions) × ttl.
    public static let maxExtensions = 8
}

/// Where signed-in voters' sessions are kept: in this process (`VoterSessions`, one front end)
/// or in PostgreSQL (`PostgresVoterSessions`, so that any front end serves any voter,
/// docs/deployment.md). A voter holds at most `perVoter` sessions: opening one more closes the
/// oldest. Tokens are kept only as hashes.
public protocol SessionStore: Sendable {
    var ttl: TimeInterval { get }
    /// Opens a session; returns its token (shown once).
    func open(voter: Int64, region: Int, credential: [UInt8]?, now: Date) async throws -> String
    /// The live session with this token, if any.
    func session(token: String, now: Date) async throws -> VoterSession?
    /// Extends a live session to `ttl` from now (the booth asks before it expires, so a voter
    /// who reads slowly loses nothing); at most `VoterSession.maxExtensions` times. Nil if the
    /// session is unknown, expired or extended too often.
    func extend(token: String, now: Date) async throws -> VoterSession?
}

/// Signed-in voters, in memory: for one front end.
public final class VoterSessions: SessionStore {
    public typealias Session = VoterSession
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

    public func open(voter: Int64, region: Int, credential: [UInt8]?, now: Date = Date()) -> String {
        let token = "v_" + Hex.encode(SecureRandom.bytes(24))
        let key = DigestKey(Array(token.utf8))
        state.withLockedValue { s in
            var mine = (s.byVoter[voter] ?? []).filter { (s.byToken[$0]?.expires ?? .distantPast) > now }
            while mine.count >= perVoter { s.byToken[mine.removeFirst()] = nil }
            mine.append(key)
            s.byVoter[voter] = mine
            s.byToken[key] = Session(
                region: region, credential: credential, opened: now, expires: now.addingTimeInterval(ttl))
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

    public func extend(token: String, now: Date = Date()) -> Session? {
        state.withLockedValue { s in
            let key = DigestKey(Array(token.utf8))
            guard let v = s.byToken[key], v.expires > now, v.extensions < Self.maxExtensions else { return nil }
            let longer = Session(
                region: v.region, credential: v.credential, opened: v.opened,
                expires: now.addingTimeInterval(ttl), extensions: v.extensions + 1)
            s.byToken[key] = longer
            return longer
        }
    }
    public static var maxExtensions: Int { VoterSession.maxExtensions }

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
    let counters: any SignInCounters
    let configuration: ServerConfiguration

    public init(configuration: ServerConfiguration, counters: any SignInCounters = MemorySignInCounters()) {
        self.configuration = configuration
        self.counters = counters
    }

    /// Why a sign-in must wait, and for how long.
    public enum Verdict: Equatable, Sendable {
        case allowed
        case clientLocked(seconds: Int)
        case pairLocked(seconds: Int)
        case slowedDown(seconds: Int)
    }

    static func pair(_ iin: DigestKey, _ client: DigestKey) -> CounterKey {
        CounterKey(.pair, DigestKey(iin.bytes + client.bytes))
    }

    /// Whether this client may try to sign in at all (before its body is read).
    public func check(client: DigestKey, now: Date = Date()) async throws -> Verdict {
        let c = configuration
        if let f = try await counters.counters([CounterKey(.client, client)])[0], f.failures >= c.failuresPerClient,
            now < f.last + c.clientLockout
        {
            return .clientLocked(seconds: Int((f.last + c.clientLockout).timeIntervalSince(now).rounded(.up)))
        }
        return .allowed
    }

    /// Whether this client may try this IIN now.
    public func check(iin: DigestKey, client: DigestKey, now: Date = Date()) async throws -> Verdict {
        let c = configuration
        let found = try await counters.counters([
            CounterKey(.client, client), Self.pair(iin, client), CounterKey(.iin, iin),
        ])
        if let f = found[0], f.failures >= c.failuresPerClient, now < f.last + c.clientLockout {
            return .clientLocked(seconds: Int((f.last + c.clientLockout).timeIntervalSince(now).rounded(.up)))
        }
        if let f = found[1], f.failures >= c.failuresPerClientAndIIN, now < f.last + c.pairLockout {
            return .pairLocked(seconds: Int((f.last + c.pairLockout).timeIntervalSince(now).rounded(.up)))
        }
        if let f = found[2], f.failures >= c.failuresPerIINBeforeBackoff {
            let wait = backoff(f.failures)
            if now < f.last + wait {
                return .slowedDown(seconds: Int((f.last + wait).timeIntervalSince(now).rounded(.up)))
            }
        }
        return .allowed
    }

    func backoff(_ failures: Int) -> TimeInterval {
        let c = configuration
        let steps = min(failures - c.failuresPerIINBeforeBackoff, 30)
        return min(c.backoffMax, c.backoffStart * pow(2, Double(steps)))
    }

    /// A wrong code (or an IIN that is not registered).
    public func failed(iin: DigestKey?, client: DigestKey, now: Date = Date()) async throws {
        let c = configuration
        var keys = [(CounterKey(.client, client), c.clientLockout)]
        if let iin { keys += [(Self.pair(iin, client), c.pairLockout), (CounterKey(.iin, iin), c.pairLockout)] }
        try await counters.bump(keys, now: now)
    }

    /// A correct code: that IIN's counters start again.
    public func succeeded(iin: DigestKey, client: DigestKey) async throws {
        try await counters.clear([Self.pair(iin, client), CounterKey(.iin, iin)])
    }
}

/// What a sign-in counter counts: failures from one client (address bucket), from one client
/// for one IIN, or for one IIN from all clients. The key is a hash, never an IIN or an address.
public struct CounterKey: Hashable, Sendable {
    public enum Kind: Int16, Sendable { case client = 1, pair = 2, iin = 3 }
    public let kind: Kind
    public let key: DigestKey
    public init(_ kind: Kind, _ key: DigestKey) {
        self.kind = kind
        self.key = key
    }
}

/// Failures counted against one key.
public struct SignInCounter: Sendable, Equatable {
    public var failures: Int
    public var last: Date
    public init(failures: Int, last: Date) {
        self.failures = failures
        self.last = last
    }
}

/// Where the sign-in counters live: in this process, or in PostgreSQL so that all front ends
/// count together (an attacker gains nothing by spreading guesses over front ends).
public protocol SignInCounters: Sendable {
    /// The counters of these keys, in order (nil where none).
    func counters(_ keys: [CounterKey]) async throws -> [SignInCounter?]
    /// One more failure on each key; a counter whose last failure is `window` or longer ago
    /// starts again from one.
    func bump(_ keys: [(CounterKey, window: TimeInterval)], now: Date) async throws
    /// Forgets these counters.
    func clear(_ keys: [CounterKey]) async throws
}

/// Sign-in counters in memory: for one front end.
public final class MemorySignInCounters: SignInCounters {
    private struct Entry {
        var counter: SignInCounter
        var window: TimeInterval
    }
    private let state = NIOLockedValueBox([CounterKey: Entry]())

    public init() {}

    public func counters(_ keys: [CounterKey]) -> [SignInCounter?] {
        state.withLockedValue { s in keys.map { s[$0]?.counter } }
    }

    public func bump(_ keys: [(CounterKey, window: TimeInterval)], now: Date) {
        state.withLockedValue { s in
            for (k, window) in keys {
                var e = s[k] ?? Entry(counter: SignInCounter(failures: 0, last: .distantPast), window: window)
                if now >= e.counter.last + window { e.counter.failures = 0 }
                e.counter.failures += 1
                e.counter.last = now
                e.window = window
                s[k] = e
            }
            if s.count > 3_000_000 { s = s.filter { now < $0.value.counter.last + $0.value.window } }
        }
    }

    public func clear(_ keys: [CounterKey]) {
        state.withLockedValue { s in for k in keys { s[k] = nil } }
    }
}
