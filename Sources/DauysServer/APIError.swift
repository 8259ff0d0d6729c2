import DauysCrypto
import DauysPaper
import DauysRecord
import DauysReferendum
import Foundation
import Hummingbird
import Logging

/// Every error the API answers: an HTTP status, a stable machine code, and a message a
/// commission officer or a voter's client can show. The body is always
/// `{"error": {"code": …, "message": …}}` (docs/openapi.json).
public struct APIError: HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    static func unauthorized(_ code: String, _ message: String) -> APIError { APIError(.unauthorized, code, message) }
    static func badRequest(_ code: String, _ message: String) -> APIError { APIError(.badRequest, code, message) }
    static func notFound(_ code: String, _ message: String) -> APIError { APIError(.notFound, code, message) }

    /// 503 with `Retry-After`: the request may be sent again (on PostgreSQL a call abandoned at its
    /// deadline may still have been stored; a repeated ballot is then answered with its receipt).
    static func unavailable(_ code: String, _ message: String, retryAfter: Int) -> APIError {
        APIError(.serviceUnavailable, code, message, headers: [.retryAfter: String(retryAfter)])
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var r = JSON.response(ErrorBody(error: .init(code: code, message: message)), status: status)
        for f in headers { r.headers.append(f) }
        return r
    }

    /// The API's answer to a refused lifecycle step.
    static func from(_ e: ReferendumError, retryAfter: Int) -> APIError {
        switch e {
        case .wrongPhase, .precondition: APIError(.conflict, "conflict", e.description)
        case .invalidArtefact, .notFound: APIError(.unprocessableContent, "invalid", e.description)
        case .refused(let v):
            switch v.check {
            case .phases: APIError(.conflict, "conflict", v.message)
            case .protocolVersions: APIError(.conflict, "version", v.message)
            default: APIError(.unprocessableContent, "invalid", v.message)
            }
        case .storageUnavailable: unavailable("storage", e.description, retryAfter: retryAfter)
        }
    }

    /// The API's answer to a refused ballot.
    static func from(_ e: CastError, retryAfter: Int) -> APIError {
        switch e {
        case .votingNotOpen: APIError(.conflict, "voting_not_open", e.description)
        case .tooLarge: APIError(.contentTooLarge, "too_large", e.description)
        case .malformed: APIError(.badRequest, "malformed_ballot", e.description)
        case .wrongElection: APIError(.unprocessableContent, "wrong_election", e.description)
        case .unknownCredential: APIError(.unprocessableContent, "unknown_credential", e.description)
        case .wrongRegion: APIError(.forbidden, "wrong_region", e.description)
        case .invalidProof: APIError(.unprocessableContent, "invalid_proof", e.description)
        case .outsideSchedule: APIError(.conflict, "outside_schedule", e.description)
        case .audited: APIError(.conflict, "audited_ballot", e.description)
        case .outOfSequence: APIError(.conflict, "out_of_sequence", e.description)
        case .storageUnavailable: unavailable("storage", e.description, retryAfter: retryAfter)
        }
    }
}

/// Turns every error into the API's JSON error body: domain errors by their meaning, the
/// router's 404 as `not_found`, anything unexpected as a logged 500 that reveals nothing.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let retryAfter: Int

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let e as APIError {
            throw e
        } catch let e as ReferendumError {
            throw APIError.from(e, retryAfter: retryAfter)
        } catch let e as CastError {
            throw APIError.from(e, retryAfter: retryAfter)
        } catch let e as DauysCrypto.CryptoError {
            throw APIError(.unprocessableContent, "invalid", e.description)
        } catch let e as StoreError {
            throw APIError.unavailable("storage", e.description, retryAfter: retryAfter)
        } catch let e as HTTPError {
            switch e.status {
            case .notFound: throw APIError.notFound("not_found", "no such resource: \(request.uri.path)")
            case .contentTooLarge: throw APIError(.contentTooLarge, "too_large", "the request body is too large")
            default: throw APIError(e.status, "http", e.body ?? e.status.reasonPhrase)
            }
        } catch {
            context.logger.error(
                "internal error", metadata: ["path": "\(request.uri.path)", "error": "\(type(of: error))"])
            throw APIError(.internalServerError, "internal", "the server failed to answer this request")
        }
    }
}

enum JSON {
    static func response<T: Encodable>(_ v: T, status: HTTPResponse.Status = .ok) -> Response {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        let data = (try? e.encode(v)) ?? Data("{}".utf8)
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func raw(_ bytes: [UInt8], status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var h: HTTPFields = [.contentType: "application/json"]
        for f in headers { h[f.name] = f.value }
        return Response(status: status, headers: h, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// Reads at most `limit` bytes of body and decodes it; 413 above the limit, 400 for bad JSON.
    static func decode<T: Decodable>(_ t: T.Type, _ req: Request, limit: Int) async throws -> T {
        let buffer: ByteBuffer
        do { buffer = try await req.body.collect(upTo: limit) } catch {
            throw APIError(.contentTooLarge, "too_large", "request body larger than \(limit) bytes")
        }
        do { return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView)) } catch {
            throw APIError.badRequest("bad_json", "the body is not the expected JSON: \(describe(error))")
        }
    }

    static func describe(_ e: Error) -> String {
        switch e {
        case DecodingError.keyNotFound(let k, _): "missing field \"\(k.stringValue)\""
        case DecodingError.typeMismatch(_, let c):
            "wrong type at \(c.codingPath.map(\.stringValue).joined(separator: "."))"
        case DecodingError.valueNotFound(_, let c): "null at \(c.codingPath.map(\.stringValue).joined(separator: "."))"
        case DecodingError.dataCorrupted: "malformed JSON"
        default: "unreadable"
        }
    }
}
