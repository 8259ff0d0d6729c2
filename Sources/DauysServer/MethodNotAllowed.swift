import Hummingbird
import NIOConcurrencyHelpers

/// Answers 405 Method Not Allowed (with an Allow header) instead of 404 when the path exists
/// but not for this method, as HTTP requires.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    let table: RouteTable

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let e as HTTPError where e.status == .notFound {
            let allowed = table.methods(for: request.uri.path)
            guard !allowed.isEmpty else { throw e }
            let body = #"{"error":{"code":"method_not_allowed","message":"use \#(allowed.joined(separator: ", "))"}}"#
            return Response(
                status: .methodNotAllowed,
                headers: [.allow: allowed.joined(separator: ", "), .contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: body)))
        }
    }
}

/// The router's paths and methods, filled once the routes are defined.
final class RouteTable: Sendable {
    private let routes = NIOLockedValueBox<[(segments: [String], method: String)]>([])

    func set(_ list: [(String, String)]) {
        routes.withLockedValue { $0 = list.map { (path, m) in (path.split(separator: "/").map(String.init), m) } }
    }

    func methods(for path: String) -> [String] {
        let parts = path.split(separator: "/").map(String.init)
        return routes.withLockedValue { all in
            all.filter { r in
                r.segments.count == parts.count && zip(r.segments, parts).allSatisfy { $0.hasPrefix(":") || $0 == $1 }
            }.map(\.method).sorted()
        }
    }
}
