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
        abstract:
            "Run the referendum as an HTTP service (API v1, docs/openapi.json); stops gracefully on SIGTERM/SIGINT.",
        discussion:
            "Settings come from these flags, then from DAUYS_… environment variables (docs/architecture.md), then defaults."
    )
    @OptionGroup var d: DataOption
    @Option(help: "Address to listen on (default 127.0.0.1, $DAUYS_HOST).") var host: String?
    @Option(help: "Port (default 8080, $DAUYS_PORT).") var port: Int?
    @Option(
        name: .customLong("registry-key"), help: "Registry key file for voter sign-in (default: $DAUYS_REGISTRY_KEY).")
    var registryKey: String?
    @Option(name: .customLong("idle-timeout"), help: "Seconds before an idle connection is closed.") var idleTimeout:
        Int?
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error.") var logLevel: String?
    @Option(
        name: .customLong("trusted-proxy"),
        help: "A reverse proxy (IP or CIDR) whose Forwarded/X-Forwarded-For is believed; repeatable.")
    var trustedProxy: [String] = []

    func run() async throws {
        var c = try ServerConfiguration(environment: ProcessInfo.processInfo.environment)
        if let host { c.host = host }
        if let port { c.port = port }
        if let idleTimeout { c.idleTimeout = idleTimeout }
        if let logLevel { c.logLevel = logLevel }
        if !trustedProxy.isEmpty { c.trustedProxies = trustedProxy }
        try c.validate()
        let prometheus = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: prometheus))
        var logger = Logger(label: "dauys")
        logger.logLevel = Logger.Level(rawValue: c.logLevel) ?? .info
        _ = try d.requireData()
        let app: any ApplicationProtocol
        do {
            app = try await buildApplication(
                configuration: c, data: d.dir, registryKey: registryKey, prometheus: prometheus, logger: logger)
        } catch StoreError.locked(let why) {
            throw CLIError("\(why): another server already serves this board")
        }
        try await app.runService()
    }
}

struct OfficialCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "official", abstract: "Officials' access tokens for the HTTP API.", subcommands: [OfficialAdd.self]
    )
}

struct OfficialAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Create an official's token (shown once; only its hash is kept).")
    @OptionGroup var d: DataOption
    @Option(help: "The official's name (for the logs).") var name: String
    @Option(help: "admin, registrar or trustee-N.") var role: String
    func run() throws {
        guard let r = Role(role) else { throw CLIError("role must be admin, registrar or trustee-N") }
        _ = try d.requireData()
        print(try OfficialRegistry.add(path: d.dir.officialsPath, name: name, role: r))
    }
}
