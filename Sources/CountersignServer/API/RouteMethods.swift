internal import Foundation
internal import Yams

/// The methods each path allows, read from the OpenAPI document the server serves — the one list of routes — so a
/// request with a method the path does not take is 405 with `Allow`, not a misleading 404.
struct RouteMethods: Sendable {
    private let routes: [(segments: [Substring], methods: [String])]

    /// The server's own document, bundled as a resource.
    static let document: Data? = Bundle.module.url(forResource: "openapi", withExtension: "yaml")
        .flatMap { FileManager.default.contents(atPath: $0.path) }

    init(openAPI data: Data?) {
        let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options", "trace"]
        var routes: [(segments: [Substring], methods: [String])] = []
        if let data, let root = (try? Yams.load(yaml: String(decoding: data, as: UTF8.self))) as? [String: Any],
            let paths = root["paths"] as? [String: Any]
        {
            for (path, item) in paths {
                guard let operations = item as? [String: Any] else { continue }
                let allowed = operations.keys.filter { methods.contains($0) }.map { $0.uppercased() }.sorted()
                routes.append((path.split(separator: "/"), allowed))
            }
        }
        self.routes = routes
    }

    /// The allowed methods of the documented path matching `path`, or `nil` when no documented path does.
    func allowed(for path: String) -> [String]? {
        let parts = path.split(separator: "/")
        for route in routes where route.segments.count == parts.count {
            let matches = zip(route.segments, parts).allSatisfy { template, part in
                (template.hasPrefix("{") && template.hasSuffix("}")) || template == part
            }
            if matches { return route.methods }
        }
        return nil
    }
}
