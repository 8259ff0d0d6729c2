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
import NIOCore
import Prometheus

/// The request context: Hummingbird's core context plus the client's address (for rate limits).
public struct DauysRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}

/// Limits and timeouts of the HTTP server.
public struct ServerLimits: Sendable {
    /// Largest ballot request body (JSON with the hex ballot).
    public var ballotBodyBytes = 64 * 1024
    /// Largest official request body (credential lists, decryption shares).
    public var officialBodyBytes = 64 * 1024 * 1024
    /// Largest other body (sign-in).
    public var smallBodyBytes = 4 * 1024
    /// Board entries per page at most.
    public var pageSize = 1000
    /// Failed sign-ins from one client address before it is refused for `addressLockout` seconds.
    public var signInFailuresPerAddress = 20
    public var addressLockout: TimeInterval = 600
    public init() {}
}

/// The referendum as an HTTP service (API version 1, see docs/openapi.yaml).
///
/// Roles: observers read public data without an account; voters sign in with IIN and the
/// sign-in code of their letter and cast for their own region; officials (admin, registrar,
/// trustee-i) carry a bearer token created by `dauys official add`.
public final class ReferendumServer<G: PrimeOrderGroup>: Sendable {
    public let referendum: Referendum<G>
    let registry: SQLiteRegistry?
    let cipher: RegistryCipher?
    let officials: OfficialRegistry
    public let sessions: VoterSessions
    let committer: GroupCommitter<G>
    let limits: ServerLimits
    let addressFailures: FailureLimiter
    let prometheus: PrometheusCollectorRegistry?
    let logger: Logger
    /// Paper precinct protocols and turnout reports, when the data directory has them.
    let protocols: ProtocolBook?

    let castCounter = Counter(label: "dauys_ballots_accepted_total")
    let rejectCounter = Counter(label: "dauys_ballots_rejected_total")
    let signInFailures = Counter(label: "dauys_signin_failures_total")
    let castTimer = Timer(label: "dauys_cast_duration_seconds")

    public init(referendum: Referendum<G>, registry: SQLiteRegistry?, cipher: RegistryCipher?, officials: OfficialRegistry,
                sessions: VoterSessions = VoterSessions(), limits: ServerLimits = ServerLimits(),
                prometheus: PrometheusCollectorRegistry? = nil, logger: Logger = Logger(label: "dauys"), protocols: ProtocolBook? = nil) {
        self.protocols = protocols
        self.referendum = referendum
        self.registry = registry
        self.cipher = cipher
        self.officials = officials
        self.sessions = sessions
        self.limits = limits
        addressFailures = FailureLimiter(maxFailures: limits.signInFailuresPerAddress, lockout: limits.addressLockout)
        self.prometheus = prometheus
        self.logger = logger
        committer = GroupCommitter(referendum: referendum)
    }

    // MARK: router

    public func router() -> Router<DauysRequestContext> {
        let router = Router(context: DauysRequestContext.self)
        let table = RouteTable()
        router.add(middleware: MethodNotAllowedMiddleware(table: table))
        router.add(middleware: LogRequestsMiddleware(.info))
        router.add(middleware: MetricsMiddleware())
        let api = router.group("api/v1")

        api.get("health") { _, _ in self.json(["status": "ok", "phase": self.referendum.phase.rawValue]) }
        api.get("status") { _, _ in
            self.json(StatusBody(referendum: self.referendum.manifest.id, phase: self.referendum.phase.rawValue, group: G.name,
                                 boardEntries: (try? self.referendum.store.count()) ?? 0, ballots: self.referendum.ballotCount,
                                 electionHash: self.referendum.electionKey?.electionHash.hex,
                                 publicKey: self.referendum.electionKey?.publicKey.hex, baseHash: self.referendum.baseHash.hex))
        }
        api.get("manifest") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "public, max-age=3600"],
                     body: .init(byteBuffer: ByteBuffer(bytes: self.referendum.manifestPayload)))
        }
        api.get("board") { req, _ in try self.board(req) }
        api.get("ballots/:digest") { _, ctx in
            let d = ctx.parameters.get("digest") ?? ""
            guard let (index, region) = self.referendum.lookup(trackingDigest: d) else {
                return self.error(.notFound, "not_found", "no ballot with this tracking digest is on the board")
            }
            return self.json(LookupBody(trackingDigest: d.lowercased(), entry: index, region: region))
        }
        api.get("turnout") { _, _ in self.json(self.turnout()) }
        api.get("results") { _, _ in
            guard let r = self.referendum.results else { return self.error(.notFound, "not_published", "the results are not published yet") }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: r.payload)))
        }
        api.get("record") { _, _ in self.record() }
        router.get("metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                     body: .init(byteBuffer: ByteBuffer(bytes: self.prometheus?.emitToBuffer() ?? [])))
        }

        api.get("protocols") { _, _ in
            guard let book = self.protocols else { return self.json([PrecinctProtocol]()) }
            return self.json(book.latest.values.sorted { $0.precinct < $1.precinct })
        }
        api.get("protocols/:precinct") { _, ctx in
            guard let book = self.protocols, let h = book.history[ctx.parameters.get("precinct") ?? ""] else {
                return self.error(.notFound, "not_found", "no protocol for this precinct")
            }
            return self.json(h)
        }
        api.get("paper-turnout") { _, _ in
            let reports = (try? self.protocols?.turnoutReports()) ?? []
            let c = TurnoutCurve.compute(manifest: self.referendum.manifest, reports: reports)
            return self.json(PaperTurnoutBody(times: c.times, national: c.national,
                                              regions: Dictionary(uniqueKeysWithValues: self.referendum.manifest.regions.enumerated().map { ($1.id, c.regional[$0]) })))
        }
        api.get("official-results") { _, _ in
            let (r, _) = OfficialResult.compute(manifest: self.referendum.manifest, protocols: self.protocols?.latest ?? [:], evote: self.referendum.results)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: OfficialResult.json(r))))
        }
        // Commissions submit signed documents: the Ed25519 signature of a registered commission
        // key is the authorization.
        api.post("protocols") { req, _ in try await self.paper(req) { (s: SignedProtocol, book) in
            try book.submit([s])
            return self.json(["accepted": "protocol"], status: .created)
        } }
        api.post("turnout-reports") { req, _ in try await self.paper(req) { (s: SignedTurnoutReport, book) in
            try book.submitTurnout(s)
            return self.json(["accepted": "turnout report"], status: .created)
        } }

        api.post("sessions") { req, ctx in try await self.signIn(req, from: ctx.remoteAddress) }
        api.post("ballots") { req, _ in try await self.cast(req) }

        api.post("phase") { req, _ in try await self.official(req, .admin) { (b: PhaseBody, _) in
            guard let p = Phase(rawValue: b.next) else { throw ReferendumError.invalidArtefact("unknown phase \(b.next)") }
            try self.referendum.advance(to: p)
            return self.json(["phase": p.rawValue])
        } }
        api.post("ceremony/trustee-keys") { req, _ in try await self.official(req, nil) { (b: PayloadBody, role) in
            let pk = try TrusteePublicKey<G>(payload: try b.bytes())
            try Self.requireTrustee(role, pk.index)
            try self.referendum.postTrusteeKey(pk)
            return self.json(["accepted": "trustee public key"], status: .created)
        } }
        api.post("ceremony/shares") { req, _ in try await self.official(req, nil) { (b: PayloadsBody, role) in
            let shares = try b.payloads.map { try EncryptedShare<G>(payload: try PayloadBody(payload: $0).bytes()) }
            for s in shares { try Self.requireTrustee(role, s.from) }
            try self.referendum.postShares(shares)
            return self.json(["accepted": "\(shares.count) encrypted shares"], status: .created)
        } }
        api.post("ceremony/complaints") { req, _ in try await self.official(req, nil) { (b: PayloadBody, role) in
            let c = try ShareComplaint(payload: try b.bytes())
            try Self.requireTrustee(role, c.from)
            try self.referendum.postComplaint(c)
            return self.json(["accepted": "complaint"], status: .created)
        } }
        api.post("ceremony/reveals") { req, _ in try await self.official(req, nil) { (b: PayloadBody, role) in
            let r = try ShareReveal<G>(payload: try b.bytes())
            try Self.requireTrustee(role, r.from)
            try self.referendum.postReveal(r)
            return self.json(["accepted": "reveal"], status: .created)
        } }
        api.post("ceremony/finish") { req, _ in try await self.official(req, .admin) { (_: EmptyBody, _) in
            let ek = try self.referendum.finishKeyCeremony()
            return self.json(["election_hash": ek.electionHash.hex, "public_key": ek.publicKey.hex], status: .created)
        } }
        api.post("credentials") { req, _ in try await self.official(req, .registrar) { (b: CredentialsBody, _) in
            guard let r = self.referendum.manifest.regions.firstIndex(where: { $0.id == b.region }) else {
                throw ReferendumError.invalidArtefact("unknown region \(b.region)")
            }
            let creds = try b.credentials.map { try GroupElement<G>(hex: $0, what: "credential") }
            try self.referendum.publishCredentials(region: r, credentials: creds)
            return self.json(["accepted": "\(creds.count) credentials"], status: .created)
        } }
        api.post("tally") { req, _ in try await self.official(req, .admin) { (_: EmptyBody, _) in
            let t = try await self.referendum.computeTally()
            return self.json(["units": t.units.map(\.id).joined(separator: ",")], status: .created)
        } }
        api.post("decryptions") { req, _ in try await self.official(req, nil) { (b: PayloadBody, role) in
            let d = try TrusteeDecryption<G>(payload: try b.bytes())
            try Self.requireTrustee(role, d.trustee)
            try self.referendum.postDecryption(d)
            return self.json(["accepted": "\(d.shares.count) decryption shares"], status: .created)
        } }
        api.post("results") { req, _ in try await self.official(req, .admin) { (_: EmptyBody, _) in
            let r = try self.referendum.publishResults()
            return Response(status: .created, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: r.payload)))
        } }
        table.set(router.routes.map { ("\($0.path)", "\($0.method)") })
        return router
    }

    // MARK: handlers

    func board(_ req: Request) throws -> Response {
        let q = req.uri.queryParameters
        guard let f = Int64(q.get("from") ?? "0"), f >= 0 else { return error(.badRequest, "bad_query", "from must be an integer from 0 to 2^63 − 1") }
        let from = UInt64(f)
        guard let limit = Int(q.get("limit") ?? "100"), limit >= 1, limit <= limits.pageSize else {
            return error(.badRequest, "bad_query", "limit must be between 1 and \(limits.pageSize)")
        }
        let entries = try referendum.store.entries(from: from, limit: limit)
        let body = BoardPage(entries: entries.map {
            BoardPage.Entry(index: $0.index, time: $0.time, kind: $0.kind.rawValue, kindName: "\($0.kind)",
                            payload: Data($0.payload).base64EncodedString(), hash: $0.hashHex)
        }, next: from + UInt64(entries.count))
        var r = json(body)
        // A full page never changes again: entries are append-only.
        r.headers[.cacheControl] = entries.count == limit ? "public, max-age=31536000, immutable" : "no-cache"
        return r
    }

    func turnout() -> TurnoutBody {
        let m = referendum.manifest
        let counted = referendum.countedPerRegion()
        let hours = referendum.castsByRegionHour
        return TurnoutBody(regions: m.regions.enumerated().map { i, r in
            TurnoutBody.Region(id: r.id, eligible: referendum.eligible[i], voted: counted[i],
                               ballotsByHour: Dictionary(uniqueKeysWithValues: (hours[i] ?? [:]).map { (String(format: "%02d", $0.key), $0.value) }))
        }, eligible: referendum.eligible.reduce(0, +), voted: counted.reduce(0, +))
    }

    func record() -> Response {
        let store = referendum.store
        let body = ResponseBody { writer in
            var buf = ByteBuffer(bytes: RecordFile.header)
            var i: UInt64 = 0
            while true {
                let page = try store.entries(from: i, limit: 2048)
                if page.isEmpty { break }
                for e in page {
                    var w = ByteWriter(capacity: 21)
                    w.u64(e.index); w.u64(e.time); w.u8(e.kind.rawValue); w.u32(UInt32(e.payload.count))
                    buf.writeBytes(w.bytes); buf.writeBytes(e.payload); buf.writeBytes(e.hash)
                }
                try await writer.write(buf)
                buf = ByteBuffer()
                i += UInt64(page.count)
            }
            if buf.readableBytes > 0 { try await writer.write(buf) }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "application/octet-stream",
                                               .contentDisposition: "attachment; filename=\"board.bin\""], body: body)
    }

    func signIn(_ req: Request, from address: SocketAddress?) async throws -> Response {
        guard let registry, let cipher else { return error(.serviceUnavailable, "no_registry", "voter sign-in is not configured on this server") }
        // Rate limit per client address (any IIN), on top of the per-IIN lock-out.
        let addressKey = DigestKey(Array("address:\(address?.ipAddress ?? "unknown")".utf8))
        if addressFailures.isLocked(addressKey) {
            return error(.tooManyRequests, "rate_limited", "too many failed sign-ins from this address; try again later")
        }
        let b: SignInBody
        switch try await decode(SignInBody.self, req, limit: limits.smallBodyBytes) {
        case .value(let v): b = v
        case .error(let r): return r
        }
        let iin: IIN
        do { iin = try IIN(b.iin) } catch {
            // Not 12 digits: a malformed request. 12 digits that are no valid IIN: simply wrong.
            if error == .notTwelveDigits { return self.error(.badRequest, "bad_iin", error.description) }
            addressFailures.recordFailure(addressKey)
            signInFailures.increment()
            return self.error(.unauthorized, "bad_credentials", "IIN or sign-in code is wrong")
        }
        let key = DigestKey(cipher.index(iin))
        if sessions.isLocked(key) {
            return error(.tooManyRequests, "locked", "too many wrong codes for this IIN; try again later")
        }
        guard let (id, region) = try registry.signIn(iin: iin, code: b.code, cipher: cipher) else {
            sessions.recordFailure(key)
            addressFailures.recordFailure(addressKey)
            signInFailures.increment()
            logger.notice("voter sign-in failed")
            return error(.unauthorized, "bad_credentials", "IIN or sign-in code is wrong")
        }
        let token = sessions.open(voter: id, region: region, iinKey: key)
        return json(SessionBody(token: token, region: referendum.manifest.regions[region].id, expiresIn: Int(sessions.ttl)), status: .created)
    }

    func cast(_ req: Request) async throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        guard let token = bearer(req) else { return error(.unauthorized, "no_session", "sign in first: Authorization: Bearer <session token>") }
        guard let session = sessions.session(token: token) else { return error(.unauthorized, "bad_session", "the session is unknown or expired; sign in again") }
        let b: BallotBody
        switch try await decode(BallotBody.self, req, limit: limits.ballotBodyBytes) {
        case .value(let v): b = v
        case .error(let r): return r
        }
        let bytes: [UInt8]
        do { bytes = try Hex.decode(b.ballot, what: "ballot") } catch { rejectCounter.increment(); return self.error(.badRequest, "bad_encoding", error.description) }
        let outcome: Result<CastReceipt, CastError>
        do {
            switch try referendum.prepare(bytes) {
            case .duplicate(let receipt):
                outcome = referendum.region(of: try GroupElement<G>(bytes: bytes[33..<(33 + G.elementByteCount)])) == session.region
                    ? .success(receipt) : .failure(.wrongRegion)
            case .verified(let ballot):
                outcome = await committer.submit(bytes, ballot, region: session.region)
            }
        } catch let e as CastError {
            outcome = .failure(e)
        }
        castTimer.recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - start))
        switch outcome {
        case .success(let receipt):
            castCounter.increment()
            return json(receipt, status: receipt.duplicate ? .ok : .created)
        case .failure(let e):
            rejectCounter.increment()
            return castError(e)
        }
    }

    func castError(_ e: CastError) -> Response {
        switch e {
        case .votingNotOpen: error(.conflict, "voting_not_open", e.description)
        case .tooLarge: error(.contentTooLarge, "too_large", e.description)
        case .malformed: error(.badRequest, "malformed_ballot", e.description)
        case .wrongElection: error(.unprocessableContent, "wrong_election", e.description)
        case .unknownCredential: error(.unprocessableContent, "unknown_credential", e.description)
        case .wrongRegion: error(.forbidden, "wrong_region", e.description)
        case .invalidProof: error(.unprocessableContent, "invalid_proof", e.description)
        }
    }

    /// Authenticates an official, checks the role (nil: any trustee), decodes the body, maps
    /// lifecycle errors to 409/422.
    func official<B: Decodable>(_ req: Request, _ role: Role?, _ body: (B, Role) async throws -> Response) async throws -> Response {
        guard let token = bearer(req), let who = officials.official(token: token) else {
            return error(.unauthorized, "no_official", "an official's token is required")
        }
        if let role, who.role != role { return error(.forbidden, "wrong_role", "this needs the \(role) role; you are \(who.role)") }
        if role == nil, case .trustee = who.role {} else if role == nil {
            return error(.forbidden, "wrong_role", "this needs a trustee role; you are \(who.role)")
        }
        let b: B
        switch try await decode(B.self, req, limit: limits.officialBodyBytes) {
        case .value(let v): b = v
        case .error(let r): return r
        }
        do {
            let r = try await body(b, who.role)
            logger.info("official action", metadata: ["official": "\(who.name)", "role": "\(who.role)", "path": "\(req.uri.path)"])
            return r
        } catch let e as ReferendumError {
            switch e {
            case .wrongPhase, .precondition: return error(.conflict, "conflict", e.description)
            case .invalidArtefact, .notFound: return error(.unprocessableContent, "invalid", e.description)
            }
        } catch let e as RoleError {
            return error(.forbidden, "wrong_role", e.message)
        } catch let e as DauysCrypto.CryptoError {
            return error(.unprocessableContent, "invalid", e.description)
        }
    }

    func paper<B: Decodable>(_ req: Request, _ body: (B, ProtocolBook) throws -> Response) async throws -> Response {
        guard let book = protocols else { return error(.serviceUnavailable, "no_paper", "paper protocols are not kept by this server") }
        let b: B
        switch try await decode(B.self, req, limit: limits.officialBodyBytes) {
        case .value(let v): b = v
        case .error(let r): return r
        }
        do { return try body(b, book) } catch let e as PaperError {
            switch e {
            case .badSignature: return error(.unauthorized, "bad_signature", e.description)
            case .notAuthorized: return error(.forbidden, "not_authorized", e.description)
            case .version: return error(.conflict, "version", e.description)
            case .storage: return error(.serviceUnavailable, "storage", e.description)
            default: return error(.unprocessableContent, "invalid", e.description)
            }
        }
    }

    struct RoleError: Error { let message: String }
    static func requireTrustee(_ role: Role, _ index: Int) throws {
        guard role == .trustee(index) else { throw RoleError(message: "a trustee may only act as itself (you are \(role), this is trustee-\(index))") }
    }

    // MARK: helpers

    func bearer(_ req: Request) -> String? {
        guard let h = req.headers[.authorization], h.hasPrefix("Bearer ") else { return nil }
        return String(h.dropFirst(7)).trimmingCharacters(in: .whitespaces)
    }

    func decode<T: Decodable>(_ t: T.Type, _ req: Request, limit: Int) async throws -> Decoded<T> {
        let buffer: ByteBuffer
        do { buffer = try await req.body.collect(upTo: limit) } catch {
            return .error(self.error(.contentTooLarge, "too_large", "request body larger than \(limit) bytes"))
        }
        if T.self == EmptyBody.self { return .value(EmptyBody() as! T) }
        do { return .value(try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))) } catch {
            return .error(self.error(.badRequest, "bad_json", "the body is not the expected JSON: \(Self.describe(error))"))
        }
    }

    enum Decoded<T> { case value(T), error(Response) }

    static func describe(_ e: Error) -> String {
        switch e {
        case DecodingError.keyNotFound(let k, _): "missing field \"\(k.stringValue)\""
        case DecodingError.typeMismatch(_, let c): "wrong type at \(c.codingPath.map(\.stringValue).joined(separator: "."))"
        case DecodingError.valueNotFound(_, let c): "null at \(c.codingPath.map(\.stringValue).joined(separator: "."))"
        case DecodingError.dataCorrupted: "malformed JSON"
        default: "unreadable"
        }
    }

    func json<T: Encodable>(_ v: T, status: HTTPResponse.Status = .ok) -> Response {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        let data = (try? e.encode(v)) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    func error(_ status: HTTPResponse.Status, _ code: String, _ message: String) -> Response {
        json(ErrorBody(error: .init(code: code, message: message)), status: status)
    }
}
