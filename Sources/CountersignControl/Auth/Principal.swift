public import CountersignCore

/// Who is calling: the identity a token is bound to (by its canonical name in policy) and the one role the token
/// carries. An identity with several roles holds a token per role, so each credential has least privilege.
public struct Principal: Sendable, Hashable {
    public var identity: String
    public var role: Identity.Role
    public var kind: Identity.Kind
    public var tokenID: String
    /// The groups the organisation's identity provider verified when this person signed in, for a session that began
    /// there; `nil` for a token (one carries no groups). Reviews given in the session carry them.
    public var groups: [String]?

    public init(
        identity: String, role: Identity.Role, kind: Identity.Kind, tokenID: String, groups: [String]? = nil
    ) {
        self.identity = identity
        self.role = role
        self.kind = kind
        self.tokenID = tokenID
        self.groups = groups
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
