internal import CountersignControl
internal import CountersignCore
internal import CountersignEncoding
internal import CountersignLedger
internal import Foundation
internal import Hummingbird

extension WebPages {
    /// How long a token minted here lasts, by the form's choice; never longer than 90 days.
    static let tokenLifetimes: [(days: Int, label: String)] = [
        (1, "1 day"), (7, "7 days"), (30, "30 days"), (90, "90 days"),
    ]

    /// The signed-in person's own API tokens: mint one (shown once), list and revoke them. A person's token is minted
    /// by that person, here — an admin cannot (DESIGN §5a) — in a session that began with a sign-in through the
    /// identity provider, with the role this session carries, so a session can never mint more authority than it
    /// signed in with, and a token cannot mint its own successor.
    func tokens(
        _ request: Request, _ context: ServerRequestContext, _ session: WebSession, _ started: ContinuousClock.Instant
    ) async throws -> Response {
        try await tokensPage(session, started, minted: nil)
    }

    func mintToken(
        _ request: Request, _ context: ServerRequestContext, _ session: WebSession, _ started: ContinuousClock.Instant
    ) async throws -> Response {
        let form = try await Self.form(request, checkedFor: session)
        // Minting needs the person, not a credential: a session started with a token could otherwise mint a
        // successor that outlives the token's revocation — a stolen token made permanent.
        guard session.throughProvider else {
            throw ControlError(
                .forbidden,
                "sign in through the identity provider to mint tokens; a session started with a token cannot mint more",
                details: ["rule": "own-credentials"])
        }
        let days = Int(form["days"] ?? "") ?? 30
        guard Self.tokenLifetimes.contains(where: { $0.days == days }) else {
            throw ControlError(.badRequest, "a token lasts 1, 7, 30 or 90 days", details: ["field": "days"])
        }
        let token = try await control.createToken(
            identity: session.principal.identity, role: session.principal.role,
            issuer: .themselves(session.principal), expiresAt: control.now().addingTimeInterval(Double(days) * 86_400))
        return try await tokensPage(session, started, minted: token)
    }

    func revokeToken(
        _ request: Request, _ context: ServerRequestContext, _ session: WebSession, _ started: ContinuousClock.Instant
    ) async throws -> Response {
        _ = try await Self.form(request, checkedFor: session)
        let id = try context.parameters.require("id")
        let mine = try await control.read({ r throws(LedgerError) in
            try await r.tokens(identity: session.principal.identity)
        })
        guard mine.contains(where: { $0.id == id }) else {
            throw ControlError(.notFound, "you hold no live token with id \(id)")
        }
        try await control.revokeToken(id: id, by: session.principal.identity)
        return PageRenderer.redirect("/ui/tokens")
    }

    private func tokensPage(_ session: WebSession, _ started: ContinuousClock.Instant, minted: IssuedToken?)
        async throws -> Response
    {
        let now = control.now()
        let mine = try await control.read({ r throws(LedgerError) in
            try await r.tokens(identity: session.principal.identity)
        })
        let listed: [[String: Any]] = mine.map { token in
            [
                "id": token.id, "role": token.role, "expires": WebFormat.time(token.expiresAt),
                "expired": token.expiresAt.map { $0 <= now } ?? false,
                "session": token.id == session.principal.tokenID,
            ]
        }
        var context: [String: Any] = [
            "tokens": listed, "none": listed.isEmpty, "role": session.principal.role.rawValue,
            "mayMint": session.throughProvider,
            "lifetimes": Self.tokenLifetimes.map { ["days": $0.days, "label": $0.label, "default": $0.days == 30] },
        ]
        if let minted {
            context["minted"] = [
                "secret": minted.secret, "id": minted.id, "role": minted.role.rawValue,
                "expires": WebFormat.time(minted.expiresAt),
            ]
        }
        return renderer.page(
            "tokens", title: "Your API tokens", section: "tokens", session: session, context: context,
            status: minted == nil ? .ok : .created, started: started)
    }
}
