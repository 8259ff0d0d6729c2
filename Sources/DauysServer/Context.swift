import DauysCrypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Who is making a request, as the authentication middleware established it.
public enum Identity: Sendable, Equatable {
    case official(name: String, role: Role)
    case voter(VoterSession)
}

/// The request context: Hummingbird's core context, the peer's address, the client's
/// address as the trusted-proxy rules resolve it, and the authenticated identity.
public struct DauysRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    /// Set by `ClientAddressMiddleware`: the rate-limit bucket of the client.
    public var client: ClientAddress?
    /// Set by the authenticators.
    public var identity: Identity?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The official making this request, with the role required (nil: any trustee).
    func official(_ role: Role?) throws -> (name: String, role: Role) {
        guard case .official(let name, let r) = identity else {
            throw APIError.unauthorized("no_official", "an official's token is required")
        }
        if let role, r != role { throw APIError(.forbidden, "wrong_role", "this needs the \(role) role; you are \(r)") }
        if role == nil, case .trustee = r {
        } else if role == nil {
            throw APIError(.forbidden, "wrong_role", "this needs a trustee role; you are \(r)")
        }
        return (name, r)
    }

    func voter() throws -> VoterSession {
        guard case .voter(let s) = identity else {
            throw APIError.unauthorized("no_session", "sign in first: Authorization: Bearer <session token>")
        }
        return s
    }
}

/// The address a client is counted under for rate limits: its IPv4 address, or the /64
/// network of its IPv6 address (one household or phone gets a whole /64).
public struct ClientAddress: Sendable, Hashable, CustomStringConvertible {
    public let bucket: [UInt8]
    public let description: String

    public init?(_ text: String) {
        guard let ip = IPRange.parse(text) else { return nil }
        bucket = ip.count == 4 ? ip : Array(ip.prefix(8))
        description = ip.count == 4 ? text : IPRange.format(bucket) + "::/64"
    }
}

/// An IP address or a CIDR range, IPv4 or IPv6.
public struct IPRange: Sendable, Equatable {
    let network: [UInt8]
    let prefix: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
        guard let ip = Self.parse(parts[0]) else { return nil }
        let bits = ip.count * 8
        if parts.count == 2 {
            guard let p = Int(parts[1]), (0...bits).contains(p) else { return nil }
            prefix = p
        } else {
            prefix = bits
        }
        network = ip
    }

    public func contains(_ ip: [UInt8]) -> Bool {
        guard ip.count == network.count else { return false }
        var left = prefix
        for (a, b) in zip(ip, network) where left > 0 {
            let mask: UInt8 = left >= 8 ? 0xff : ~(0xff >> UInt8(left))
            if a & mask != b & mask { return false }
            left -= 8
        }
        return true
    }

    /// 4 bytes for IPv4 (and IPv4-mapped IPv6), 16 for IPv6.
    static func parse(_ s: String) -> [UInt8]? {
        var t = s.trimmingCharacters(in: .whitespaces)
        if t.hasPrefix("[") && t.hasSuffix("]") { t = String(t.dropFirst().dropLast()) }
        var v4 = in_addr()
        if inet_pton(AF_INET, t, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, t, &v6) == 1 else { return nil }
        let b = withUnsafeBytes(of: &v6) { Array($0) }
        if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xff && b[11] == 0xff { return Array(b[12...]) }
        return b
    }

    static func format(_ bytes: [UInt8]) -> String {
        stride(from: 0, to: bytes.count, by: 2).map { String(format: "%x", Int(bytes[$0]) << 8 | Int(bytes[$0 + 1])) }
            .joined(separator: ":")
    }
}

/// Resolves the client's address: the peer itself, or — when the peer is a trusted reverse
/// proxy — the nearest untrusted address of `Forwarded` (RFC 7239) or `X-Forwarded-For`.
struct ClientAddressMiddleware: RouterMiddleware {
    let trusted: [IPRange]

    func handle(
        _ request: Request, context: DauysRequestContext,
        next: (Request, DauysRequestContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        context.client = resolve(peer: context.remoteAddress?.ipAddress, request.headers)
        return try await next(request, context)
    }

    func isTrusted(_ ip: String) -> Bool {
        guard let b = IPRange.parse(ip) else { return false }
        return trusted.contains { $0.contains(b) }
    }

    func resolve(peer: String?, _ headers: HTTPFields) -> ClientAddress? {
        guard let peer else { return nil }
        guard isTrusted(peer) else { return ClientAddress(peer) }
        var hops: [String] = []
        if let f = headers[HTTPField.Name("Forwarded")!] {
            for element in f.split(separator: ",") {
                for pair in element.split(separator: ";") {
                    let kv = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                    if kv.count == 2, kv[0].lowercased() == "for" {
                        var v = kv[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                        if v.hasPrefix("["), let end = v.firstIndex(of: "]") {
                            v = String(v[v.index(after: v.startIndex)..<end])
                        } else if v.filter({ $0 == ":" }).count == 1 {
                            v = String(v.split(separator: ":")[0])
                        }
                        hops.append(v)
                    }
                }
            }
        } else if let x = headers[HTTPField.Name("X-Forwarded-For")!] {
            hops = x.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        // The rightmost address that is not one of our proxies is the client.
        for h in hops.reversed() where !isTrusted(h) { return ClientAddress(h) }
        return hops.first.flatMap(ClientAddress.init) ?? ClientAddress(peer)
    }
}

/// Authenticates officials by bearer token before any body is read; requests without a
/// valid token are refused with 401.
struct OfficialAuthenticator: RouterMiddleware {
    let officials: @Sendable () -> OfficialRegistry

    func handle(
        _ request: Request, context: DauysRequestContext,
        next: (Request, DauysRequestContext) async throws -> Response
    ) async throws -> Response {
        guard let token = request.bearerToken, let who = officials().official(token: token) else {
            throw APIError.unauthorized("no_official", "an official's token is required")
        }
        var context = context
        context.identity = .official(name: who.name, role: who.role)
        return try await next(request, context)
    }
}

/// Authenticates voters by session token before any body is read.
struct VoterAuthenticator: RouterMiddleware {
    let sessions: any SessionStore

    func handle(
        _ request: Request, context: DauysRequestContext,
        next: (Request, DauysRequestContext) async throws -> Response
    ) async throws -> Response {
        guard let token = request.bearerToken else {
            throw APIError.unauthorized("no_session", "sign in first: Authorization: Bearer <session token>")
        }
        guard let session = try await sessions.session(token: token, now: Date()) else {
            throw APIError.unauthorized("bad_session", "the session is unknown or expired; sign in again")
        }
        var context = context
        context.identity = .voter(session)
        return try await next(request, context)
    }
}

extension Request {
    var bearerToken: String? {
        guard let h = headers[.authorization], h.hasPrefix("Bearer ") else { return nil }
        return String(h.dropFirst(7)).trimmingCharacters(in: .whitespaces)
    }
}
