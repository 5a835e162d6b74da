import CountersignClient
import Foundation
import NIOHTTP1
import Testing
import Yams

/// The client commands speak the wire format the OpenAPI document defines (issue 17, item 4: one source of truth):
/// every operation they call exists there with its method, every body field they may send is a documented
/// property, and every property the document requires is one they can send.
@Suite struct ClientContractTests {
    nonisolated(unsafe) static let document: [String: Any] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/CountersignServer/Resources/openapi.yaml").standardized
        let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        return ((try? Yams.load(yaml: text)) as? [String: Any]) ?? [:]
    }()

    /// `schema`, following one `$ref` into `components`.
    static func resolve(_ schema: [String: Any]?) -> [String: Any]? {
        guard let ref = schema?["$ref"] as? String else { return schema }
        var node: Any? = document
        for key in ref.dropFirst(2).split(separator: "/") { node = (node as? [String: Any])?[String(key)] }
        return node as? [String: Any]
    }

    @Test(arguments: APIOperation.all) func operationIsDocumented(_ operation: APIOperation) throws {
        let paths = try #require(Self.document["paths"] as? [String: Any], "openapi.yaml has no paths")
        let path = try #require(paths[operation.path] as? [String: Any], "\(operation.path) is not documented")
        let method = try #require(
            path[operation.method.rawValue.lowercased()] as? [String: Any],
            "\(operation.method.rawValue) \(operation.path) is not documented")
        let schema = Self.resolve(
            ((((method["requestBody"] as? [String: Any])?["content"] as? [String: Any])?["application/json"]
                as? [String: Any])?["schema"]) as? [String: Any])
        guard let fields = operation.fields else {
            #expect(schema != nil, "\(operation.path) takes the user's document, which the server must document")
            return
        }
        let properties = Set((schema?["properties"] as? [String: Any])?.keys.map { $0 } ?? [])
        #expect(
            fields.subtracting(properties).isEmpty, "\(operation.path): undocumented \(fields.subtracting(properties))")
        let required = Set(schema?["required"] as? [String] ?? [])
        #expect(
            required.isSubset(of: fields), "\(operation.path): the client cannot send \(required.subtracting(fields))")
        if fields.isEmpty { #expect(properties.isEmpty, "\(operation.path) documents a body the client never sends") }
    }

    @Test func pathArgumentsCannotAddSegmentsOrQueries() {
        #expect(APIOperation.review.path(["dr_1"]) == "/api/v1/deploy-requests/dr_1/reviews")
        #expect(APIOperation.review.path(["../tokens?x=1"]) == "/api/v1/deploy-requests/..%2Ftokens%3Fx%3D1/reviews")
        #expect(APIOperation.resolveIncident.path([".."]) == "/api/v1/incidents/%2E%2E/resolve")
        #expect(APIOperation.resolveIncident.path(["é #"]) == "/api/v1/incidents/%C3%A9%20%23/resolve")
    }

    @Test func theDocumentIsRead() {
        // A contract test that read nothing would pass vacuously.
        #expect((Self.document["paths"] as? [String: Any])?.count ?? 0 > 30)
    }
}
