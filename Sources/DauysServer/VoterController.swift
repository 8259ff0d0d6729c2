import DauysCrypto
import DauysRecord
import DauysReferendum
import DauysRegistry
import Foundation
import Hummingbird

/// Voters: sign-in with IIN and the sign-in code of the letter, then casting for the voter's
/// own region. Sign-in is unauthenticated and reads at most a small body; casting needs a
/// session, checked before the body is read.
struct VoterController<G: PrimeOrderGroup> {
    let service: ReferendumService<G>

    func addRoutes(to group: RouterGroup<DauysRequestContext>) {
        group.post("sessions", use: signIn)
        group.group("sessions/extend").add(middleware: VoterAuthenticator(sessions: service.sessions))
            .post(use: extend)
        group.group("sessions/sequence").add(middleware: VoterAuthenticator(sessions: service.sessions))
            .get(use: sequence)
        group.group("ballots").add(middleware: VoterAuthenticator(sessions: service.sessions)).post(use: cast)
        group.group("audited-ballots").add(middleware: VoterAuthenticator(sessions: service.sessions))
            .post(use: audit)
    }

    @Sendable func signIn(_ req: Request, _ ctx: DauysRequestContext) async throws -> Response {
        guard let registry = service.registry, let cipher = service.cipher else {
            throw APIError.unavailable(
                "no_registry", "voter sign-in is not configured on this server", retryAfter: 3600)
        }
        let client = DigestKey(Array("client:".utf8) + (ctx.client?.bucket ?? []))
        if case .clientLocked(let s) = try await service.signInGuard.check(client: client) {
            throw APIError(
                .tooManyRequests, "rate_limited", "too many failed sign-ins from this address; try again in \(s) s",
                headers: [.retryAfter: String(s)])
        }
        let b = try await JSON.decode(SignInBody.self, req, limit: service.configuration.smallBodyBytes)
        let iin: IIN
        do { iin = try IIN(b.iin) } catch {
            // Not 12 digits: a malformed request. 12 digits that are no valid IIN: simply wrong.
            if error == .notTwelveDigits { throw APIError.badRequest("bad_iin", error.description) }
            try await service.signInGuard.failed(iin: nil, client: client)
            service.signInFailures.increment()
            throw APIError.unauthorized("bad_credentials", "IIN or sign-in code is wrong")
        }
        let iinKey = DigestKey(cipher.index(iin))
        switch try await service.signInGuard.check(iin: iinKey, client: client) {
        case .allowed: break
        case .clientLocked(let s):
            throw APIError(
                .tooManyRequests, "rate_limited", "too many failed sign-ins from this address; try again in \(s) s",
                headers: [.retryAfter: String(s)])
        case .pairLocked(let s):
            throw APIError(
                .tooManyRequests, "locked", "too many wrong codes for this IIN from here; try again in \(s) s",
                headers: [.retryAfter: String(s)])
        case .slowedDown(let s):
            throw APIError(
                .tooManyRequests, "slowed_down", "many wrong codes were tried for this IIN; try again in \(s) s",
                headers: [.retryAfter: String(s)])
        }
        guard let (id, region, credential) = try await registry.signIn(iin: iin, code: b.code, cipher: cipher) else {
            try await service.signInGuard.failed(iin: iinKey, client: client)
            service.signInFailures.increment()
            ctx.logger.notice("voter sign-in failed")
            throw APIError.unauthorized("bad_credentials", "IIN or sign-in code is wrong")
        }
        try await service.signInGuard.succeeded(iin: iinKey, client: client)
        let token = try await service.sessions.open(voter: id, region: region, credential: credential, now: Date())
        return JSON.response(
            SessionBody(
                token: token, region: service.referendum.manifest.regions[region].id,
                expiresIn: Int(service.sessions.ttl), credential: credential.map(Hex.encode),
                nextSequence: credential.flatMap { c in service.referendum.read { $0.nextSequence(credential: c) } }),
            status: .created)
    }

    /// The booth warns before a session expires and lets the voter extend it, so no choice is
    /// lost to a time limit (WCAG 2.2.1).
    @Sendable func extend(_ req: Request, _ ctx: DauysRequestContext) async throws -> Response {
        _ = try ctx.voter()
        guard let token = req.bearerToken, let s = try await service.sessions.extend(token: token, now: Date()) else {
            throw APIError.unauthorized(
                "not_extended", "this session cannot be extended any more; sign in again (your choice is kept)")
        }
        return JSON.response(
            SessionExtendedBody(
                expiresIn: Int(service.sessions.ttl), extensionsLeft: VoterSession.maxExtensions - s.extensions))
    }

    /// The sequence number the voter's next ballot needs (record.md §5.4): the booth asks just
    /// before it encrypts, so a revote from another device follows the ballot cast there.
    @Sendable func sequence(_ req: Request, _ ctx: DauysRequestContext) async throws -> Response {
        let session = try ctx.voter()
        guard let credential = session.credential else {
            throw APIError(
                .forbidden, "no_credential",
                "the registry holds no credential for this voter; casting online is not possible — vote on paper")
        }
        guard let next = service.referendum.read({ $0.nextSequence(credential: credential) }) else {
            throw APIError(.conflict, "unknown_credential", CastError.unknownCredential.description)
        }
        return JSON.response(SequenceBody(nextSequence: next))
    }

    @Sendable func cast(_ req: Request, _ ctx: DauysRequestContext) async throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        let session = try ctx.voter()
        let b = try await JSON.decode(BallotBody.self, req, limit: service.configuration.ballotBodyBytes)
        let outcome: Result<CastReceipt, CastError>
        do {
            let bytes = try Hex.decode(b.ballot, what: "ballot")
            try Self.requireOwnCredential(bytes, session)
            switch try service.referendum.prepare(bytes, region: session.region) {
            case .duplicate(let at): outcome = await service.referendum.receipt(forBallotAt: at)
            case .verified: outcome = await service.referendum.submit(.init(bytes: bytes, region: session.region))
            }
        } catch let e as CastError {
            outcome = .failure(e)
        } catch let e as APIError {
            service.rejectCounter.increment()
            throw e
        } catch {
            service.rejectCounter.increment()
            throw APIError.badRequest("bad_encoding", "\(error)")
        }
        service.castTimer.recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - start))
        switch outcome {
        case .success(let receipt):
            service.castCounter.increment()
            return JSON.response(receipt, status: receipt.duplicate ? .ok : .created)
        case .failure(let e):
            service.rejectCounter.increment()
            throw APIError.from(e, retryAfter: service.retryAfter)
        }
    }

    /// Benaloh's challenge (record.md §5.6): the voter audits a ballot the device encrypted
    /// instead of casting it; the board publishes it with its seed and choices, and never
    /// takes it as a vote.
    @Sendable func audit(_ req: Request, _ ctx: DauysRequestContext) async throws -> Response {
        let session = try ctx.voter()
        let b = try await JSON.decode(PayloadBody.self, req, limit: service.configuration.ballotBodyBytes)
        let a: AuditedBallot
        do { a = try AuditedBallot(payload: try b.bytes()) } catch {
            throw APIError.badRequest("bad_encoding", "\(error)")
        }
        try Self.requireOwnCredential(a.ballot, session)
        let (entry, new) = try await service.referendum.postAudit(a)
        return JSON.response(
            AuditedBody(
                entry: entry, trackingCode: a.tracking.short, trackingDigest: a.tracking.hex,
                choices: a.choices(service.referendum.manifest)), status: new ? .created : .ok)
    }

    /// A session casts only ballots signed with its voter's credential (record.md §10): a bought
    /// or stolen letter code is useless without the voter's sign-in, and a sign-in alone is
    /// useless without the code.
    static func requireOwnCredential(_ ballot: [UInt8], _ session: VoterSession) throws {
        guard let mine = session.credential else {
            throw APIError(
                .forbidden, "no_credential",
                "the registry holds no credential for this voter; casting online is not possible — vote on paper")
        }
        guard let header = Ballot<G>.header(of: ballot) else { return }  // malformed: refused by the board
        guard header.credential.elementsEqual(mine) else {
            throw APIError(
                .forbidden, "wrong_credential", "this ballot is signed with a credential that is not this voter's")
        }
    }
}
