public import CountersignCore

/// Who is calling: the identity a token is bound to (by its canonical name in policy) and the one role the token
/// carries. An identity with several roles holds a token per role, so each credential has least privilege.
public struct Principal: Sendable, Hashable {
    public var identity: String
    public var role: Identity.Role
    public var kind: Identity.Kind
    public var tokenID: String

    public init(identity: String, role: Identity.Role, kind: Identity.Kind, tokenID: String) {
        self.identity = identity
        self.role = role
        self.kind = kind
        self.tokenID = tokenID
    }

    /// Throws `forbidden` unless the token's role is one of `roles`.
    public func require(_ roles: Identity.Role..., to action: String) throws(ControlError) {
        guard roles.contains(role) else {
            throw ControlError(
                .forbidden, "the \(role.rawValue) role may not \(action)",
                details: ["required": roles.map(\.rawValue).joined(separator: " or "), "role": role.rawValue])
        }
    }
}
