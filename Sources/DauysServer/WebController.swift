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

    /// The pages: one layout (header, language switch, navigation, footer) around each page's
    /// main content; (path, page name, i18n.mjs keys of its title and navigation link, script, content).
    static let pages: [(path: String, name: String, title: String, link: String, script: String, main: [UInt8])] = [
        ("/", "vote", "navVote", "navVote", "booth.mjs", PackageResources.vote_body_html),
        ("/turnout", "turnout", "turnoutTitle", "navTurnout", "public.mjs", PackageResources.turnout_body_html),
        ("/results", "results", "resultsTitle", "navResults", "public.mjs", PackageResources.results_body_html),
        ("/board", "board", "boardTitle", "navBoard", "public.mjs", PackageResources.board_body_html),
        ("/verify", "verify", "verifyTitle", "navVerify", "public.mjs", PackageResources.verify_body_html),
        ("/audit", "audit", "auditPageTitle", "navAudit", "public.mjs", PackageResources.audit_body_html),
    ]

    static func page(name: String, title: String, script: String, main: [UInt8]) -> [UInt8] {
        let nav = pages.map { p in
            "      <li><a href=\"\(p.path)\" data-t=\"\(p.link)\"\(p.name == name ? " aria-current=\"page\"" : "")></a></li>"
        }.joined(separator: "\n")
        let html = String(decoding: PackageResources.layout_html, as: UTF8.self)
            .replacingOccurrences(of: "{{page}}", with: name).replacingOccurrences(of: "{{title}}", with: title)
            .replacingOccurrences(of: "{{script}}", with: script).replacingOccurrences(of: "{{nav}}", with: nav)
            .replacingOccurrences(of: "{{main}}", with: String(decoding: main, as: UTF8.self).trimmingSuffixNewline)
        return Array(html.utf8)
    }

    static let assets: [String: Asset] = {
        var a: [String: Asset] = [
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
        for p in pages { a[p.path] = Asset(page(name: p.name, title: p.title, script: p.script, main: p.main), html) }
        return a
    }()

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

extension String {
    fileprivate var trimmingSuffixNewline: String { hasSuffix("\n") ? String(dropLast()) : self }
}
