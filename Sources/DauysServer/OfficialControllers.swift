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
        for (path, kind, what) in [
            ("commitments", EntryKind.trusteeCommitment, "commitment"),
            ("trustee-keys", .trusteeKey, "trustee public key"),
            ("complaints", .complaint, "complaint"),
            ("acknowledgements", .shareAcknowledgement, "acknowledgement"),
            ("reveals", .shareReveal, "reveal"),
        ] {
            g.post(RouterPath(path)) { req, ctx in
                try await postSigned([try await payload(req)], kind, ctx)
                return accepted(ctx, req, what)
            }
        }
        g.post("shares") { req, ctx in
            let b = try await JSON.decode(PayloadsBody.self, req, limit: service.configuration.officialBodyBytes)
            try await postSigned(try b.payloads.map { try Hex.decode($0, what: "payload") }, .encryptedShare, ctx)
            return accepted(ctx, req, "\(b.payloads.count) encrypted shares")
        }
        g.post("finish") { req, ctx in
            _ = try ctx.official(.admin)
            let ek = try await referendum.finishKeyCeremony()
            service.logger.info("official action", metadata: ["role": "admin", "path": "\(req.uri.path)"])
            return JSON.response(
                ["election_hash": ek.electionHash.hex, "public_key": ek.publicKey.hex], status: .created)
        }
    }

    /// Trustee messages: signed by their sender (checked by the board against the manifest)
    /// and posted with that very trustee's token.
    func postSigned(_ payloads: [[UInt8]], _ kind: EntryKind, _ ctx: DauysRequestContext) async throws {
        let messages = try payloads.map { try SignedTrusteeMessage(kind: kind, payload: $0) }
        for m in messages { try trustee(ctx, try m.sender(G.self)) }
        try await referendum.post(messages)
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

    /// 201 with what was accepted and, for batches, how many entries were new (`new`: a re-run
    /// of an interrupted step posts nothing twice).
    func accepted(_ ctx: DauysRequestContext, _ req: Request, _ what: String, new: Int? = nil) -> Response {
        if case .official(let name, let role) = ctx.identity {
            service.logger.info(
                "official action", metadata: ["official": "\(name)", "role": "\(role)", "path": "\(req.uri.path)"])
        }
        return JSON.response(AcceptedBody(accepted: what, new: new), status: .created)
    }
}

/// Phases, credentials, revocations, tally, decryption and results: officials only.
struct LifecycleController<G: PrimeOrderGroup> {
    let service: ReferendumService<G>
    var referendum: Referendum<G> { service.referendum }

    /// The entries of a `{"payloads": [hex, …]}` body, each decoded (record.md §3).
    func batch<T>(_ req: Request, _ decode: ([UInt8]) throws(CryptoError) -> T) async throws -> [T] {
        let b = try await JSON.decode(PayloadsBody.self, req, limit: service.configuration.officialBodyBytes)
        return try b.payloads.map { h throws in try decode(try Hex.decode(h, what: "payload")) }
    }

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
        // Lists signed by the credential authority and counts signed by the registry; the
        // registrar's token only lets it hand them over (record.md §3.3).
        g.post("credentials") { req, ctx in
            _ = try ctx.official(.registrar)
            let n = try await referendum.publishCredentials(try await batch(req, CredentialList<G>.init(payload:)))
            return ceremony.accepted(ctx, req, "\(n) credential lists", new: n)
        }
        g.post("eligible-counts") { req, ctx in
            _ = try ctx.official(.registrar)
            try await referendum.publishEligibleCounts(try EligibleCounts(payload: try await ceremony.payload(req)))
            return ceremony.accepted(ctx, req, "eligible counts")
        }
        g.post("revocations") { req, ctx in
            _ = try ctx.official(.registrar)
            let n = try await referendum.revoke(try await batch(req, RevokedCredentials<G>.init(payload:)))
            return ceremony.accepted(ctx, req, "\(n) revocations", new: n)
        }
        // Commission keys and the official result: signed by the central commission (its key is
        // in the manifest), handed over by an administrator (record.md §3.4).
        g.post("commissions") { req, ctx in
            _ = try ctx.official(.admin)
            let n = try await referendum.registerCommissions(
                try await batch(req, CommissionRegistration.init(payload:)))
            return ceremony.accepted(ctx, req, "\(n) commission keys", new: n)
        }
        g.post("official-result") { req, ctx in
            _ = try ctx.official(.admin)
            try await referendum.publishOfficialResult(
                try SignedOfficialResult(payload: try await ceremony.payload(req)))
            return ceremony.accepted(ctx, req, "official result")
        }
        g.post("voting-extensions") { req, ctx in
            _ = try ctx.official(.admin)
            try await referendum.extendVoting(try VotingExtension(payload: try await ceremony.payload(req)))
            return ceremony.accepted(ctx, req, "voting extension")
        }
        g.post("tally") { req, ctx in
            _ = try ctx.official(.admin)
            let t = try await referendum.computeTally()
            _ = ceremony.accepted(ctx, req, "tally")
            return JSON.response(["units": t.units.map(\.id).joined(separator: ",")], status: .created)
        }
        g.post("decryptions") { req, ctx in
            try await ceremony.postSigned([try await ceremony.payload(req)], .decryptionShares, ctx)
            return ceremony.accepted(ctx, req, "decryption shares")
        }
        g.post("results") { req, ctx in
            _ = try ctx.official(.admin)
            let r = try await referendum.publishResults()
            _ = ceremony.accepted(ctx, req, "results")
            return JSON.raw(r.payload, status: .created)
        }
    }
}

/// What an official's write was: its description and, for batches, how many entries were new.
struct AcceptedBody: Encodable {
    let accepted: String
    let new: Int?
}
