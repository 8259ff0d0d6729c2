import Crypto
import DauysCrypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The voter's booth and the public pages (docs/web.md), compiled into the binary
/// (`.embedInCode("Web")`), so a copied `dauys` serves exactly the pages it was built with.
/// Every response carries a Content-Security-Policy that allows scripts, styles and requests
/// from this origin only — no inline script, no third party — and an ETag (SHA-256 of the file).
struct WebController {
    struct Asset: Sendable {
        let bytes: [UInt8]
        let type: String
        let etag: String
        init(_ bytes: [UInt8], _ type: String) {
            self.bytes = bytes
            self.type = type
            etag = "\"" + Hex.encode(Array(SHA256.hash(data: bytes)).prefix(16)) + "\""
        }
    }

    static let html = "text/html; charset=utf-8", js = "text/javascript; charset=utf-8"
    static let assets: [String: Asset] = [
        "/": Asset(PackageResources.index_html, html),
        "/turnout": Asset(PackageResources.turnout_html, html),
        "/results": Asset(PackageResources.results_html, html),
        "/board": Asset(PackageResources.board_html, html),
        "/verify": Asset(PackageResources.verify_html, html),
        "/audit": Asset(PackageResources.audit_html, html),
        "/css/style.css": Asset(PackageResources.style_css, "text/css; charset=utf-8"),
        "/icon.svg": Asset(PackageResources.icon_svg, "image/svg+xml"),
        "/js/p256.mjs": Asset(PackageResources.p256_mjs, js),
        "/js/protocol.mjs": Asset(PackageResources.protocol_mjs, js),
        "/js/kat.mjs": Asset(PackageResources.kat_mjs, js),
        "/js/i18n.mjs": Asset(PackageResources.i18n_mjs, js),
        "/js/api.mjs": Asset(PackageResources.api_mjs, js),
        "/js/booth.mjs": Asset(PackageResources.booth_mjs, js),
        "/js/public.mjs": Asset(PackageResources.public_mjs, js),
    ]

    /// Only this origin; no inline script or style, no frames, no plug-ins, forms post here only.
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        + "font-src 'self'; manifest-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

    func addRoutes(to router: Router<DauysRequestContext>) {
        for (path, asset) in Self.assets {
            router.get(RouterPath(path)) { req, _ in Self.response(asset, req) }
            router.head(RouterPath(path)) { req, _ in
                let r = Self.response(asset, req)
                return Response(status: r.status, headers: r.headers)
            }
        }
    }

    static func response(_ asset: Asset, _ req: Request) -> Response {
        var headers: HTTPFields = [
            .contentType: asset.type, .eTag: asset.etag, .cacheControl: "no-cache",
            .contentSecurityPolicy: contentSecurityPolicy, .xContentTypeOptions: "nosniff",
        ]
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        headers[HTTPField.Name("Cross-Origin-Opener-Policy")!] = "same-origin"
        headers[HTTPField.Name("Permissions-Policy")!] = "camera=(), microphone=(), geolocation=()"
        if req.headers[.ifNoneMatch] == asset.etag {
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: asset.bytes)))
    }
}
