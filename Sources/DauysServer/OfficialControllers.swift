import DauysCrypto
import DauysRecord
import DauysReferendum
import Foundation
import Hummingbird

/// The key ceremony over HTTP: each trustee posts its own messages with its own token.
struct CeremonyController<G: PrimeOrderGroup> {
    let service: ReferendumService<G>
    var referendum: Referendum<G> { service.referendum }

    func addRoutes(to group: RouterGroup<DauysRequestContext>) {
        let g = group.group().add(middleware: OfficialAuthenticator(officials: service.officials))
        g.post("trustee-keys") { req, ctx in
            let pk = try TrusteePublicKey<G>(payload: try await payload(req))
            try trustee(ctx, pk.index)
            try await referendum.postTrusteeKey(pk)
            return accepted(ctx, req, "trustee public key")
        }
        g.post("shares") { req, ctx in
            let b = try await JSON.decode(PayloadsBody.self, req, limit: service.configuration.officialBodyBytes)
            let shares = try b.payloads.map { try EncryptedShare<G>(payload: try Hex.decode($0, what: "payload")) }
            for s in shares { try trustee(ctx, s.from) }
            try await referendum.postShares(shares)
            return accepted(ctx, req, "\(shares.count) encrypted shares")
        }
        g.post("complaints") { req, ctx in
            let c = try ShareComplaint(payload: try await payload(req))
            try trustee(ctx, c.from)
            try await referendum.postComplaint(c)
            return accepted(ctx, req, "complaint")
        }
        g.post("reveals") { req, ctx in
            let r = try ShareReveal<G>(payload: try await payload(req))
            try trustee(ctx, r.from)
            try await referendum.postReveal(r)
            return accepted(ctx, req, "reveal")
        }
        g.post("finish") { req, ctx in
            _ = try ctx.official(.admin)
            let ek = try await referendum.finishKeyCeremony()
            service.logger.info("official action", metadata: ["role": "admin", "path": "\(req.uri.path)"])
            return JSON.response(
                ["election_hash": ek.electionHash.hex, "public_key": ek.publicKey.hex], status: .created)
        }
    }

    func payload(_ req: Request) async throws -> [UInt8] {
        try Hex.decode(
            try await JSON.decode(PayloadBody.self, req, limit: service.configuration.officialBodyBytes).payload,
            what: "payload")
    }

    /// A trustee acts only as itself.
    func trustee(_ ctx: DauysRequestContext, _ index: Int) throws {
        let (_, role) = try ctx.official(nil)
        guard role == .trustee(index) else {
            throw APIError(
                .forbidden, "wrong_role", "a trustee may only act as itself (you are \(role), this is trustee-\(index))"
            )
        }
    }

    func accepted(_ ctx: DauysRequestContext, _ req: Request, _ what: String) -> Response {
        if case .official(let name, let role) = ctx.identity {
            service.logger.info(
                "official action", metadata: ["official": "\(name)", "role": "\(role)", "path": "\(req.uri.path)"])
        }
        return JSON.response(["accepted": what], status: .created)
    }
}

/// Phases, credentials, revocations, tally, decryption and results: officials only.
struct LifecycleController<G: PrimeOrderGroup> {
    let service: ReferendumService<G>
    var referendum: Referendum<G> { service.referendum }

    func addRoutes(to group: RouterGroup<DauysRequestContext>) {
        let g = group.group().add(middleware: OfficialAuthenticator(officials: service.officials))
        let ceremony = CeremonyController(service: service)
        g.post("phase") { req, ctx in
            _ = try ctx.official(.admin)
            let b = try await JSON.decode(PhaseBody.self, req, limit: service.configuration.smallBodyBytes)
            guard let p = Phase(rawValue: b.next) else {
                throw APIError(.unprocessableContent, "invalid", "unknown phase \(b.next)")
            }
            try await referendum.advance(to: p)
            _ = ceremony.accepted(ctx, req, "phase")
            return JSON.response(["phase": p.rawValue])
        }
        g.post("credentials") { req, ctx in
            _ = try ctx.official(.registrar)
            let b = try await JSON.decode(CredentialsBody.self, req, limit: service.configuration.officialBodyBytes)
            guard let r = referendum.manifest.regions.firstIndex(where: { $0.id == b.region }) else {
                throw APIError(.unprocessableContent, "invalid", "unknown region \(b.region)")
            }
            let creds = try b.credentials.map { try GroupElement<G>(hex: $0, what: "credential") }
            try await referendum.publishCredentials(region: r, credentials: creds)
            return ceremony.accepted(ctx, req, "\(creds.count) credentials")
        }
        g.post("revocations") { req, ctx in
            _ = try ctx.official(.registrar)
            let b = try await JSON.decode(RevocationsBody.self, req, limit: service.configuration.officialBodyBytes)
            let creds = try b.credentials.map { try GroupElement<G>(hex: $0, what: "credential") }
            try await referendum.revoke(credentials: creds)
            return ceremony.accepted(ctx, req, "\(creds.count) revoked credentials")
        }
        g.post("tally") { req, ctx in
            _ = try ctx.official(.admin)
            let t = try await referendum.computeTally()
            _ = ceremony.accepted(ctx, req, "tally")
            return JSON.response(["units": t.units.map(\.id).joined(separator: ",")], status: .created)
        }
        g.post("decryptions") { req, ctx in
            let d = try TrusteeDecryption<G>(payload: try await ceremony.payload(req))
            try ceremony.trustee(ctx, d.trustee)
            try await referendum.postDecryption(d)
            return ceremony.accepted(ctx, req, "\(d.shares.count) decryption shares")
        }
        g.post("results") { req, ctx in
            _ = try ctx.official(.admin)
            let r = try await referendum.publishResults()
            _ = ceremony.accepted(ctx, req, "results")
            return JSON.raw(r.payload, status: .created)
        }
    }
}
