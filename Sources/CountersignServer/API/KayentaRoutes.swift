public import CountersignCanary
public import CountersignControl
internal import CountersignCore
public import Hummingbird
internal import NIOCore

/// Kayenta's `/canaryConfig` and `/canary` endpoints for Argo Rollouts' Kayenta provider, under
/// `/kayenta/{token}/…`: Argo's provider cannot send headers, so its deployer token rides in the `address`
/// (`address: https://countersign.example/kayenta/cst_…`). Anything but a valid deployer token is 401/403.
public struct KayentaRoutes: Sendable {
    let control: ControlPlane
    let api: KayentaAPI

    public init(control: ControlPlane, api: KayentaAPI) {
        self.control = control
        self.api = api
    }

    public func add(to router: Router<ServerRequestContext>) {
        let group = router.group("kayenta/{token}")
        for method in [HTTPRequest.Method.get, .post] {
            group.on("**", method: method) { request, context in
                let caller = try await control.authenticate(secret: try context.parameters.require("token"))
                try caller.require(.deployer, to: "run canary analyses")
                let path = "/" + context.parameters.getCatchAll().joined(separator: "/")
                var query: [String: String] = [:]
                for (key, value) in request.uri.queryParameters { query[String(key)] = String(value) }
                let body = try await JSONBody.bytes(request)
                let answer = await api.handle(method: request.method.rawValue, path: path, query: query, body: body)
                return Response(
                    status: .init(code: answer.status), headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
            }
        }
    }
}
