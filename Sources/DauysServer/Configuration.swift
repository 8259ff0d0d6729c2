import Foundation

/// Everything an operator can tune in `dauys serve`: flags override the environment
/// (`DAUYS_…` variables, listed in docs/architecture.md), which overrides the defaults.
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// Seconds before an idle connection is closed.
    public var idleTimeout = 30
    public var logLevel = "info"

    /// Largest ballot request body (JSON with the hex ballot), for signed-in voters.
    public var ballotBodyBytes = 64 * 1024
    /// Largest official request body (credential lists, decryption shares), after authentication.
    public var officialBodyBytes = 64 * 1024 * 1024
    /// Largest signed paper document (a protocol or turnout report), which carries its own signature.
    public var paperBodyBytes = 256 * 1024
    /// Largest body of an unauthenticated request (sign-in).
    public var smallBodyBytes = 4 * 1024
    /// Board entries per page at most.
    public var pageSize = 1000

    /// Voter sessions: lifetime in seconds, and how many one voter may hold at once (the
    /// oldest is closed when a new one opens).
    public var sessionLifetime: TimeInterval = 1800
    public var sessionsPerVoter = 3
    /// Wrong sign-in codes for one IIN from one client before that pair waits `pairLockout`.
    public var failuresPerClientAndIIN = 5
    public var pairLockout: TimeInterval = 900
    /// Wrong codes for one IIN from all clients together before every further attempt for
    /// that IIN is slowed: one attempt per `backoffStart` seconds, doubling up to `backoffMax`.
    public var failuresPerIINBeforeBackoff = 20
    public var backoffStart: TimeInterval = 2
    public var backoffMax: TimeInterval = 60
    /// Failed sign-ins from one client (any IIN) before it is refused for `clientLockout`.
    public var failuresPerClient = 20
    public var clientLockout: TimeInterval = 600
    /// Reverse proxies whose `Forwarded` / `X-Forwarded-For` headers are believed: IP
    /// addresses or CIDR ranges. Other peers are the client themselves.
    public var trustedProxies: [String] = []
    /// Seconds a client is told to wait (`Retry-After`) when the board's storage is unavailable.
    public var retryAfterSeconds = 2
    /// While voting runs, the board posts a checkpoint at least this often (seconds) when
    /// entries arrived since the last one (record.md §9.1).
    public var checkpointSeconds = 60

    public init() {}

    /// The defaults, overridden by the `DAUYS_…` variables that are set.
    public init(environment env: [String: String]) throws {
        self.init()
        func int(_ name: String, _ v: inout Int) throws {
            guard let s = env[name] else { return }
            guard let n = Int(s), n >= 0 else {
                throw ConfigurationError("\(name) must be a whole number, not \"\(s)\"")
            }
            v = n
        }
        func seconds(_ name: String, _ v: inout TimeInterval) throws {
            guard let s = env[name] else { return }
            guard let n = Double(s), n >= 0 else {
                throw ConfigurationError("\(name) must be a number of seconds, not \"\(s)\"")
            }
            v = n
        }
        if let h = env["DAUYS_HOST"] { host = h }
        try int("DAUYS_PORT", &port)
        try int("DAUYS_IDLE_TIMEOUT", &idleTimeout)
        if let l = env["DAUYS_LOG_LEVEL"] { logLevel = l }
        try int("DAUYS_BALLOT_BODY_BYTES", &ballotBodyBytes)
        try int("DAUYS_OFFICIAL_BODY_BYTES", &officialBodyBytes)
        try int("DAUYS_PAPER_BODY_BYTES", &paperBodyBytes)
        try int("DAUYS_PAGE_SIZE", &pageSize)
        try int("DAUYS_CHECKPOINT_SECONDS", &checkpointSeconds)
        try seconds("DAUYS_SESSION_LIFETIME", &sessionLifetime)
        try int("DAUYS_SESSIONS_PER_VOTER", &sessionsPerVoter)
        try int("DAUYS_FAILURES_PER_CLIENT_AND_IIN", &failuresPerClientAndIIN)
        try seconds("DAUYS_PAIR_LOCKOUT", &pairLockout)
        try int("DAUYS_FAILURES_PER_IIN_BEFORE_BACKOFF", &failuresPerIINBeforeBackoff)
        try seconds("DAUYS_BACKOFF_MAX", &backoffMax)
        try int("DAUYS_FAILURES_PER_CLIENT", &failuresPerClient)
        try seconds("DAUYS_CLIENT_LOCKOUT", &clientLockout)
        if let t = env["DAUYS_TRUSTED_PROXIES"] {
            trustedProxies = t.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                !$0.isEmpty
            }
        }
        try validate()
    }

    /// Refuses settings that cannot work, naming the setting.
    public func validate() throws {
        guard (1...65535).contains(port) else { throw ConfigurationError("the port must be 1–65535") }
        guard sessionsPerVoter >= 1 else { throw ConfigurationError("a voter needs at least one session") }
        guard pageSize >= 1 else { throw ConfigurationError("the page size must be at least 1") }
        guard checkpointSeconds >= 1 else {
            throw ConfigurationError("DAUYS_CHECKPOINT_SECONDS must be at least 1")
        }
        for p in trustedProxies where IPRange(p) == nil {
            throw ConfigurationError("trusted proxy \"\(p)\" is not an IP address or CIDR range")
        }
    }
}

public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ s: String) { description = s }
}
