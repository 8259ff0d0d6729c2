import DauysCrypto
import DauysPaper
import DauysRecord
import DauysReferendum
import Foundation
import Hummingbird

/// What anyone may read without an account: status, manifest, board pages, ballot look-up,
/// live turnout, results, the record, paper protocols and the official result.
struct PublicController<G: PrimeOrderGroup> {
    let service: ReferendumService<G>
    var referendum: Referendum<G> { service.referendum }

    func addRoutes(to group: RouterGroup<DauysRequestContext>) {
        group.get("health") { _, _ in JSON.response(["status": "ok", "phase": referendum.phase.rawValue]) }
        group.get("status", use: status)
        group.get("manifest") { _, _ in
            JSON.raw(referendum.manifestPayload, headers: [.cacheControl: "public, max-age=3600"])
        }
        group.get("board", use: board)
        // The latest signed checkpoint, for observers to pin (record.md §9.1).
        group.get("checkpoint") { _, _ in
            guard let c = referendum.read({ s in s.lastCheckpoint.map { PinnedCheckpoint($0, boardKey: s.boardKey) } })
            else { throw APIError.notFound("not_found", "the board holds no checkpoint yet") }
            var r = JSON.response(c)
            r.headers[.cacheControl] = "no-cache"
            return r
        }
        // A witness of the manifest cosigns a checkpoint it verified (record.md §9.4): the
        // signature is the witness's credential, the board's rules the only gate.
        group.post("witness-cosignatures", use: cosign)
        group.get("ballots/:digest", use: lookup)
        group.get("turnout", use: turnout)
        group.get("results") { _, _ in
            guard let r = referendum.results else {
                throw APIError.notFound("not_published", "the results are not published yet")
            }
            return JSON.raw(r.payload)
        }
        group.get("record", use: record)
    }

    /// 403 for a key that is not a witness or a signature that does not verify (who is
    /// asking), 409 for a cosignature the board cannot take now (no such checkpoint).
    @Sendable func cosign(_ req: Request, _ ctx: DauysRequestContext) async throws -> Response {
        let body = try await JSON.decode(PayloadBody.self, req, limit: 4096)
        let bytes: [UInt8]
        do { bytes = try body.bytes() } catch { throw APIError.badRequest("bad_encoding", "\(error)") }
        guard bytes.count == 136 else {
            throw APIError.badRequest("bad_encoding", "a witness cosignature is 136 bytes, not \(bytes.count)")
        }
        guard let c = try? WitnessCosignature(payload: bytes),
            referendum.manifest.witnesses?.contains(c.witnessHex) == true
        else { throw APIError(.forbidden, "not_a_witness", "the key is not a witness of the manifest") }
        guard c.isSigned(base: referendum.baseHash) else {
            throw APIError(.forbidden, "bad_signature", "the witness's signature does not verify")
        }
        let new: Bool
        do { new = try await referendum.cosign(c) } catch ReferendumError.refused(let v) {
            throw APIError(.conflict, "no_checkpoint", v.message)
        }
        return JSON.response(
            ["witness": c.witnessHex, "up_to": String(c.upTo), "new": String(new)], status: new ? .created : .ok)
    }

    @Sendable func status(_ req: Request, _ ctx: DauysRequestContext) async throws -> Response {
        let s = referendum.read { s in
            StatusBody(
                referendum: s.manifest.id, phase: s.phase.rawValue, group: G.name, boardEntries: s.count,
                ballots: s.ballotCount,
                electionHash: s.electionKey?.electionHash.hex, publicKey: s.electionKey?.publicKey.hex,
                baseHash: s.baseHash.hex)
        }
        return JSON.response(s)
    }

    @Sendable func board(_ req: Request, _ ctx: DauysRequestContext) async throws -> Response {
        let q = req.uri.queryParameters
        guard let f = Int64(q.get("from") ?? "0"), f >= 0 else {
            throw APIError.badRequest("bad_query", "from must be an integer from 0 to 2^63 − 1")
        }
        let pageSize = service.configuration.pageSize
        guard let limit = Int(q.get("limit") ?? "100"), limit >= 1, limit <= pageSize else {
            throw APIError.badRequest("bad_query", "limit must be between 1 and \(pageSize)")
        }
        let from = UInt64(f)
        // Only entries the state has applied: never one a failed append may have left behind.
        let applied = referendum.read { $0.count }
        let entries =
            from >= applied
            ? [] : try await referendum.store.entries(from: from, limit: Int(min(UInt64(limit), applied - from)))
        let body = BoardPage(
            entries: entries.map {
                BoardPage.Entry(
                    index: $0.index, time: $0.time, kind: $0.kind.rawValue, kindName: "\($0.kind)",
                    payload: Data($0.payload).base64EncodedString(), hash: $0.hashHex)
            }, next: from + UInt64(entries.count))
        var r = JSON.response(body)
        // A full page never changes again: entries are append-only.
        r.headers[.cacheControl] = entries.count == limit ? "public, max-age=31536000, immutable" : "no-cache"
        return r
    }

    @Sendable func lookup(_ req: Request, _ ctx: DauysRequestContext) async throws -> Response {
        let d = ctx.parameters.get("digest") ?? ""
        guard let found = try await referendum.ballotStatus(code: d) else {
            throw APIError.notFound("not_found", "no ballot with this tracking code is on the board")
        }
        let (status, by): (String, UInt64?) =
            switch found.status {
            case .counted: ("counted", nil)
            case .superseded(let by): ("superseded", by)
            case .overriddenByPaper: ("overridden_by_paper", nil)
            }
        return JSON.response(
            LookupBody(
                trackingDigest: found.trackingDigest, entry: found.index, region: found.region, status: status,
                supersededBy: by, final: found.final))
    }

    @Sendable func turnout(_ req: Request, _ ctx: DauysRequestContext) async throws -> Response {
        let body = referendum.read { s in
            let counted = s.countedPerRegion
            return TurnoutBody(
                regions: s.manifest.regions.enumerated().map { i, r in
                    var hours: [String: Int] = [:]
                    for (h, n) in s.castsByRegionHour[i].enumerated() where n > 0 {
                        hours[String(format: "%02d", h)] = n
                    }
                    return TurnoutBody.Region(
                        id: r.id, eligible: s.eligible[i], voted: counted[i], ballotsByHour: hours)
                }, eligible: s.eligible.reduce(0, +), voted: counted.reduce(0, +))
        }
        return JSON.response(body)
    }

    @Sendable func record(_ req: Request, _ ctx: DauysRequestContext) async throws -> Response {
        let store = referendum.store
        let applied = referendum.read { $0.count }
        let body = ResponseBody { writer in
            var buf = ByteBuffer(bytes: RecordFile.header)
            var i: UInt64 = 0
            while i < applied {
                let page = try await store.entries(from: i, limit: Int(min(2048, applied - i)))
                if page.isEmpty { break }
                for e in page {
                    var w = ByteWriter(capacity: 21)
                    w.u64(e.index)
                    w.u64(e.time)
                    w.u8(e.kind.rawValue)
                    w.u32(UInt32(e.payload.count))
                    buf.writeBytes(w.bytes)
                    buf.writeBytes(e.payload)
                    buf.writeBytes(e.hash)
                }
                try await writer.write(buf)
                buf = ByteBuffer()
                i += UInt64(page.count)
            }
            if buf.readableBytes > 0 { try await writer.write(buf) }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [
                .contentType: "application/octet-stream",
                .contentDisposition: "attachment; filename=\"board.bin\"",
            ], body: body)
    }
}

/// Paper precincts, read from the board and written to it (record.md §3.4): protocol versions
/// and turnout reports signed by a registered commission (the signature is the
/// authorization), the turnout curve, and the official result — provisional until the central
/// commission's signed result is on the board.
struct PaperController<G: PrimeOrderGroup> {
    let service: ReferendumService<G>
    var referendum: Referendum<G> { service.referendum }

    /// A commission's document whose signature verifies under the key it names: the signature
    /// is the request's authorization (401 otherwise); whether that key may sign for the
    /// precinct is the board's rule (record.md §5).
    func signed<D: CommissionDocument>(_ hex: String) throws -> CommissionSigned<D> {
        guard let bytes = try? Hex.decode(hex, what: "payload"), let s = try? CommissionSigned<D>(payload: bytes),
            s.isSigned(base: referendum.baseHash)
        else {
            throw APIError(
                .unauthorized, "bad_signature",
                "the payload is not a \(D.entryKind) signed by the commission key it names (record.md §3.4)")
        }
        return s
    }

    func addRoutes(to group: RouterGroup<DauysRequestContext>) {
        group.get("protocols") { _, _ in
            JSON.response(referendum.read { $0.paper.latest.values.sorted { $0.precinct < $1.precinct } })
        }
        group.get("protocols/:precinct") { _, ctx in
            let precinct = ctx.parameters.get("precinct") ?? ""
            guard let h = referendum.read({ $0.paper.history[precinct] }) else {
                throw APIError.notFound("not_found", "no protocol for this precinct")
            }
            return JSON.response(h)
        }
        group.get("paper-turnout") { _, _ in
            let m = referendum.manifest
            let c = TurnoutCurve.compute(manifest: m, reports: referendum.read { $0.paper.turnout })
            return JSON.response(
                PaperTurnoutBody(
                    times: c.times, national: c.national,
                    regions: Dictionary(uniqueKeysWithValues: m.regions.enumerated().map { ($1.id, c.regional[$0]) })))
        }
        group.get("official-results") { _, _ in
            let (r, status) = referendum.read { s in
                (
                    s.paper.official ?? s.computeOfficialResult(),
                    OfficialStatus(
                        manifest: s.manifest, protocols: s.paper.latest, evote: s.results,
                        certified: s.paper.official != nil)
                )
            }
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: OfficialResult.json(r, status: status))))
        }
        group.post("protocols") { req, _ in
            let b = try await JSON.decode(PayloadsBody.self, req, limit: service.configuration.paperBodyBytes)
            let n = try await referendum.submitProtocols(try b.payloads.map(signed))
            return JSON.response(AcceptedBody(accepted: "\(n) protocols", new: n), status: .created)
        }
        group.post("turnout-reports") { req, _ in
            let b = try await JSON.decode(PayloadBody.self, req, limit: service.configuration.paperBodyBytes)
            try await referendum.submitTurnout([try signed(b.payload)])
            return JSON.response(["accepted": "turnout report"], status: .created)
        }
    }
}
