import DauysCrypto
import DauysPaper
import DauysRecord
import DauysReferendum
import DauysRegistry
import DauysStore
import Foundation
import Hummingbird
import Logging
import Metrics
import NIOConcurrencyHelpers
import Prometheus
import ServiceLifecycle

/// What the controllers share: the referendum, the registry for sign-in, the officials'
/// tokens, sessions and sign-in limits, configuration and metrics.
public final class ReferendumService<G: PrimeOrderGroup>: Sendable {
    public let referendum: Referendum<G>
    let registry: SQLiteRegistry?
    let cipher: RegistryCipher?
    private let officialTokens: NIOLockedValueBox<(modified: Date?, registry: OfficialRegistry)>
    /// `officials.json`, read again whenever it changes (`dauys official add` while serving).
    let officialsPath: String?
    public let sessions: any SessionStore
    let signInGuard: SignInGuard
    public let configuration: ServerConfiguration
    let prometheus: PrometheusCollectorRegistry?
    let logger: Logger

    let castCounter = Counter(label: "dauys_ballots_accepted_total")
    let rejectCounter = Counter(label: "dauys_ballots_rejected_total")
    let signInFailures = Counter(label: "dauys_signin_failures_total")
    let castTimer = Timer(label: "dauys_cast_duration_seconds")

    public init(
        referendum: Referendum<G>, registry: SQLiteRegistry?, cipher: RegistryCipher?, officials: OfficialRegistry,
        officialsPath: String? = nil,
        configuration: ServerConfiguration = ServerConfiguration(),
        sessions: (any SessionStore)? = nil, counters: (any SignInCounters)? = nil,
        prometheus: PrometheusCollectorRegistry? = nil, logger: Logger = Logger(label: "dauys")
    ) {
        self.referendum = referendum
        self.registry = registry
        self.cipher = cipher
        officialTokens = NIOLockedValueBox((Self.modified(officialsPath), officials))
        self.officialsPath = officialsPath
        self.configuration = configuration
        self.sessions =
            sessions ?? VoterSessions(ttl: configuration.sessionLifetime, perVoter: configuration.sessionsPerVoter)
        signInGuard = SignInGuard(configuration: configuration, counters: counters ?? MemorySignInCounters())
        self.prometheus = prometheus
        self.logger = logger
    }

    var retryAfter: Int { configuration.retryAfterSeconds }

    /// The officials' tokens now: reloaded when the file changed since it was last read.
    func officials() -> OfficialRegistry {
        guard let path = officialsPath else { return officialTokens.withLockedValue { $0.registry } }
        let modified = Self.modified(path)
        return officialTokens.withLockedValue { current in
            if current.modified != modified, let fresh = try? OfficialRegistry.load(path: path) {
                current = (modified, fresh)
            }
            return current.registry
        }
    }

    static func modified(_ path: String?) -> Date? {
        path.flatMap { (try? FileManager.default.attributesOfItem(atPath: $0))?[.modificationDate] as? Date }
    }

}

/// The router of API v1 (docs/openapi.json): public reads, voters, the key ceremony, the
/// lifecycle and paper protocols, each a controller; errors as JSON; 405 for wrong methods.
public func buildRouter<G>(_ service: ReferendumService<G>) -> Router<DauysRequestContext> {
    let router = Router(context: DauysRequestContext.self)
    let table = RouteTable()
    router.add(
        middleware: ClientAddressMiddleware(trusted: service.configuration.trustedProxies.compactMap(IPRange.init)))
    router.add(middleware: RequestLogMiddleware())
    router.add(middleware: ErrorMiddleware(retryAfter: service.retryAfter))
    router.add(middleware: MethodNotAllowedMiddleware(table: table))
    router.add(middleware: MetricsMiddleware())
    router.get("metrics") { _, _ in
        Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
            body: .init(byteBuffer: ByteBuffer(bytes: service.prometheus?.emitToBuffer() ?? [])))
    }
    WebController().addRoutes(to: router)
    let api = router.group("api/v1")
    PublicController(service: service).addRoutes(to: api)
    PaperController(service: service).addRoutes(to: api)
    VoterController(service: service).addRoutes(to: api)
    CeremonyController(service: service).addRoutes(to: api.group("ceremony"))
    LifecycleController(service: service).addRoutes(to: api)
    table.set(router.routes.map { ("\($0.path)", "\($0.method)") })
    return router
}

/// The application `dauys serve` runs and the tests build: the router on an HTTP/1.1 server.
public func buildApplication<G>(_ service: ReferendumService<G>) -> some ApplicationProtocol {
    let c = service.configuration
    return Application(
        router: buildRouter(service),
        server: .http1(configuration: .init(idleTimeout: .seconds(Int64(c.idleTimeout)))),
        configuration: .init(address: .hostname(c.host, port: c.port), serverName: "dauys"),
        services: [CheckpointTimer(referendum: service.referendum, seconds: c.checkpointSeconds)]
            + (service.referendum.store is PostgresBoardStore
                ? [BoardFollower(referendum: service.referendum, logger: service.logger)] : []),
        onServerRunning: { _ in
            service.logger.notice(
                "serving \(service.referendum.manifest.id) on http://\(c.host):\(c.port) (phase \(service.referendum.phase.rawValue))"
            )
        },
        logger: service.logger)
}

/// Opens a data directory and builds its application. On SQLite the server is the board's one
/// writer and refuses to start if another process holds it; on PostgreSQL any number of
/// servers share the board.
public func buildApplication(
    configuration: ServerConfiguration, data: DataDirectory, registryKey: String?,
    prometheus: PrometheusCollectorRegistry? = nil, logger: Logger = Logger(label: "dauys")
) async throws -> any ApplicationProtocol {
    struct Build: GroupDispatch {
        let configuration: ServerConfiguration, data: DataDirectory, registryKey: String?
        let prometheus: PrometheusCollectorRegistry?, logger: Logger
        func run<G: PrimeOrderGroup>(_: G.Type) async throws -> any ApplicationProtocol {
            let ref = try await data.open(G.self)
            let hasRegistry = FileManager.default.fileExists(atPath: data.registryPath)
            let registry = hasRegistry ? try SQLiteRegistry(path: data.registryPath) : nil
            var cipher: RegistryCipher?
            if let registry {
                // A wrong key would tell every voter that their code is wrong: refuse to start.
                // A missing one only where voters sign in (credentials published, voting open).
                do {
                    let c = try RegistryCipher.load(path: registryKey)
                    try registry.checkKey(c)
                    cipher = c
                } catch let e as RegistryError {
                    guard case .badKey(let why) = e, ![Phase.credentialsPublished, .votingOpen].contains(ref.phase),
                        registryKey == nil, ProcessInfo.processInfo.environment["DAUYS_REGISTRY_KEY"] == nil
                    else { throw ServerStartError("voter sign-in needs the registry key: \(e)") }
                    logger.warning("no registry key: voter sign-in is disabled (\(why))")
                }
            }
            // On a PostgreSQL board, sessions and sign-in counters live beside it, shared by
            // every front end (docs/deployment.md).
            var sessions: (any SessionStore)?
            var counters: (any SignInCounters)?
            if let pg = ref.store as? PostgresBoardStore {
                sessions = try await PostgresVoterSessions.create(
                    on: pg, ttl: configuration.sessionLifetime, perVoter: configuration.sessionsPerVoter,
                    voterKey: PostgresVoterSessions.voterKey(boardKey: try data.boardKey()))
                counters = try await PostgresSignInCounters.create(on: pg)
            }
            let service = ReferendumService(
                referendum: ref, registry: registry,
                cipher: cipher,
                officials: try OfficialRegistry.load(path: data.officialsPath), officialsPath: data.officialsPath,
                configuration: configuration, sessions: sessions, counters: counters,
                prometheus: prometheus,
                logger: logger)
            return buildApplication(service)
        }
    }
    return try await Build(
        configuration: configuration, data: data, registryKey: registryKey, prometheus: prometheus, logger: logger
    )
    .dispatch(try await data.manifest().group)
}

/// One log line per request: method, path, status, duration and the client's address bucket —
/// never a token, an IIN or a body.
struct RequestLogMiddleware: RouterMiddleware {
    func handle(
        _ request: Request, context: DauysRequestContext,
        next: (Request, DauysRequestContext) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        func log(_ status: HTTPResponse.Status) {
            let ms =
                (ContinuousClock.now - start).components.attoseconds / 1_000_000_000_000_000
                + (ContinuousClock.now - start).components.seconds * 1000
            context.logger.info(
                "request",
                metadata: [
                    "method": "\(request.method)", "path": "\(request.uri.path)", "status": "\(status.code)",
                    "ms": "\(ms)",
                    "client": "\(context.client?.description ?? "-")",
                ])
        }
        do {
            let r = try await next(request, context)
            log(r.status)
            return r
        } catch let e as HTTPResponseError {
            log(e.status)
            throw e
        }
    }
}

/// record.md §9.1: while voting runs, a checkpoint at least every `seconds` when entries
/// arrived since the last one — so an observer can pin a ballot cast in a quiet hour — and one
/// more when the server stops (after the HTTP server, which the group stops first), so that
/// no ballot it acknowledged waits for the next start to be certified. A graceful stop is not
/// an error: `dauys serve` exits 0 on SIGTERM.
struct CheckpointTimer<G: PrimeOrderGroup>: Service {
    let referendum: Referendum<G>
    let seconds: Int
    func run() async throws {
        // Only the sleep throws, and only when the group stops (CancellationError).
        try? await cancelWhenGracefulShutdown {
            while true {
                try await Task.sleep(for: .seconds(seconds))
                await referendum.checkpointIfBehind()
            }
        }
        await referendum.checkpointIfBehind()
    }
}

/// On a board several front ends share (PostgreSQL), applies what the others appended a few
/// times a second, so that lookups and receipts on this front end follow the board closely and
/// its appends seldom find the board moved on.
struct BoardFollower<G: PrimeOrderGroup>: Service {
    let referendum: Referendum<G>
    let logger: Logger
    func run() async throws {
        // Only the sleep throws, and only when the group stops (CancellationError).
        try? await cancelWhenGracefulShutdown {
            var failing = false
            while true {
                try await Task.sleep(for: .milliseconds(200))
                do {
                    try await referendum.refresh()
                    if failing { logger.notice("the board is readable again") }
                    failing = false
                } catch {
                    if !failing { logger.warning("cannot follow the board: \(error)") }
                    failing = true
                }
            }
        }
    }
}

/// Why `dauys serve` will not start, in words for the operator.
public struct ServerStartError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}
