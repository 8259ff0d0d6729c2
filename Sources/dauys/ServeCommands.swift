import ArgumentParser
import DauysCrypto
import DauysPaper
import DauysReferendum
import DauysRegistry
import DauysServer
import DauysStore
import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the referendum as an HTTP service (API v1, docs/openapi.yaml); stops gracefully on SIGTERM/SIGINT.")
    @OptionGroup var d: DataOption
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port.") var port = 8080
    @Option(name: .customLong("registry-key"), help: "Registry key file for voter sign-in (default: $DAUYS_REGISTRY_KEY).") var registryKey: String?
    @Option(name: .customLong("idle-timeout"), help: "Seconds before an idle connection is closed.") var idleTimeout = 30
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error.") var logLevel = "info"

    func run() async throws {
        let prometheus = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: prometheus))
        var logger = Logger(label: "dauys")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        struct Body: GroupCommand {
            let s: Serve; let prometheus: PrometheusCollectorRegistry; let logger: Logger
            func run<G: PrimeOrderGroup>(_: G.Type) async throws {
                let dir = s.d.dir
                let ref = try dir.open(G.self)
                let hasRegistry = FileManager.default.fileExists(atPath: dir.registryPath)
                let cipher = hasRegistry ? try? RegistryCipher.load(path: s.registryKey) : nil
                if hasRegistry && cipher == nil { logger.warning("no registry key: voter sign-in is disabled") }
                let server = ReferendumServer(
                    referendum: ref, registry: hasRegistry ? try SQLiteRegistry(path: dir.registryPath) : nil, cipher: cipher,
                    officials: try OfficialRegistry.load(path: dir.path + "/officials.json"), prometheus: prometheus, logger: logger,
                    protocols: try ProtocolBook(directory: dir.path, manifest: ref.manifest))
                let app = Application(
                    router: server.router(),
                    server: .http1(configuration: .init(idleTimeout: .seconds(Int64(s.idleTimeout)))),
                    configuration: .init(address: .hostname(s.host, port: s.port), serverName: "dauys"),
                    onServerRunning: { _ in say("dauys: serving \(ref.manifest.id) on http://\(s.host):\(s.port) (phase \(ref.phase.rawValue))") },
                    logger: logger)
                try await app.runService()
            }
        }
        try await Body(s: self, prometheus: prometheus, logger: logger).dispatch(try d.dir.group())
    }
}

struct OfficialCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "official", abstract: "Officials' access tokens for the HTTP API.", subcommands: [OfficialAdd.self])
}

struct OfficialAdd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Create an official's token (shown once; only its hash is kept).")
    @OptionGroup var d: DataOption
    @Option(help: "The official's name (for the logs).") var name: String
    @Option(help: "admin, registrar or trustee-N.") var role: String
    func run() throws {
        guard let r = Role(role) else { throw CLIError("role must be admin, registrar or trustee-N") }
        print(try OfficialRegistry.add(path: d.data + "/officials.json", name: name, role: r))
    }
}
