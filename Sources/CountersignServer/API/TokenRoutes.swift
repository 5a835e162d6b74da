public import CountersignControl
internal import CountersignCore
internal import CountersignEncoding
internal import CountersignLedger
internal import Foundation
public import Hummingbird

/// `/api/v1/tokens` (admins issue automation identities' tokens and revoke any) and `/api/v1/whoami`. People mint
/// their own tokens in the web UI, signed in.
public struct TokenRoutes: Sendable {
    let control: ControlPlane

    public init(control: ControlPlane) { self.control = control }

    struct CreateBody: Decodable {
        var identity: String
        var role: Identity.Role
        var expiresAt: Date?
    }

    public func add(to group: RouterGroup<ServerRequestContext>) {
        group.get("whoami") { _, context in
            let caller = try context.caller()
            return JSONBody.response(
                .object([
                    ("identity", .string(caller.identity)), ("role", .string(caller.role.rawValue)),
                    ("kind", .string(caller.kind.rawValue)), ("token", .string(caller.tokenID)),
                ]))
        }
        group.post("tokens") { request, context in
            let caller = try context.caller()
            try caller.require(.admin, to: "issue tokens")
            let body = try await JSONBody.decode(CreateBody.self, request)
            let token = try await control.createToken(
                identity: body.identity, role: body.role, issuer: .admin(caller), expiresAt: body.expiresAt)
            var members: [(String, JSONValue)] = [
                ("id", .string(token.id)), ("token", .string(token.secret)), ("identity", .string(token.identity)),
                ("role", .string(token.role.rawValue)),
            ]
            if let expires = token.expiresAt {
                members.append(("expiresAt", .string(RFC3339.string(expires, fraction: .milliseconds))))
            }
            return JSONBody.response(.object(members), status: .created)
        }
        group.delete("tokens/{id}") { _, context in
            let caller = try context.caller()
            try caller.require(.admin, to: "revoke tokens")
            try await control.revokeToken(id: try context.parameters.require("id"), by: caller.identity)
            return Response(status: .noContent)
        }
    }
}
