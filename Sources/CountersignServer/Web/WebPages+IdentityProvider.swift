internal import CountersignControl
internal import CountersignCore
internal import Foundation
internal import Hummingbird

extension WebPages {
    /// Leaves for the identity provider: a new ``SignInAttempt`` sealed in its cookie, and a redirect to the
    /// provider's authorization endpoint with its `state`, `nonce` and PKCE challenge.
    func startProviderSignIn(_ request: Request) async throws -> Response {
        let started = ContinuousClock.now
        let query = Self.query(request)
        let next = Self.safeNext(query["next"])
        guard let provider else {
            return signInPage(
                request, next: next, error: "This server has no identity provider configured; sign in with a token.",
                status: .notFound, started: started)
        }
        var role: Identity.Role? = nil
        if let asked = query["role"], !asked.isEmpty {
            guard let known = Identity.Role(rawValue: asked) else {
                return signInPage(
                    request, next: next, error: "Unknown role \(asked).", status: .badRequest, started: started)
            }
            role = known
        }
        let attempt = SignInAttempt(role: role, next: next, now: control.now())
        let location: String
        do {
            location = try await provider.authorizationURL(
                state: attempt.state, nonce: attempt.nonce, verifier: attempt.verifier)
        } catch {
            return signInPage(
                request, next: next, error: "The identity provider cannot be reached: \(error.message)",
                status: error.status, started: started)
        }
        return PageRenderer.redirect(
            location, cookie: SignInAttempt.setCookie(attempt.sealed(with: signInTokens), secure: secureCookies))
    }

    /// Back from the identity provider: the `state` must be this browser's attempt's, the code is redeemed with its
    /// verifier, the ID token verified with its nonce, and the person it names — by the policy's `signIn` — gets a
    /// session. The answer is a page that moves on by itself rather than a redirect: the session cookie is
    /// `SameSite=Strict`, and a redirect chain that began on the provider's site would arrive without it.
    func finishProviderSignIn(_ request: Request) async throws -> Response {
        let started = ContinuousClock.now
        let query = Self.query(request)
        guard let provider else {
            return refusedSignIn(request, "This server has no identity provider configured.", .notFound, started)
        }
        guard let sealed = WebSession.cookieValue(SignInAttempt.cookie, in: request),
            let attempt = SignInAttempt.open(sealed, with: signInTokens, now: control.now()),
            let state = query["state"],
            APIToken.constantTimeEquals(Array(state.utf8), Array(attempt.state.utf8))
        else {
            return refusedSignIn(
                request, "This sign-in did not start in this browser, or took longer than ten minutes; sign in again.",
                .forbidden, started)
        }
        if let error = query["error"] {
            let description = query["error_description"].map { ": " + $0 } ?? ""
            return refusedSignIn(
                request, "The identity provider did not sign you in (\(error)\(description)).", .unauthorized, started,
                next: attempt.next)
        }
        guard let code = query["code"], !code.isEmpty else {
            return refusedSignIn(
                request, "The identity provider sent no code.", .badRequest, started, next: attempt.next)
        }
        let session: StartedSession
        do {
            let idToken = try await provider.redeem(code: code, verifier: attempt.verifier)
            let claims = try await provider.verify(idToken: idToken, nonce: attempt.nonce, now: control.now())
            session = try await control.signIn(claims, role: attempt.role, lifetime: WebSession.lifetime).session
        } catch {
            return refusedSignIn(
                request, "Sign-in refused: \(error.message)", error.status, started, next: attempt.next)
        }
        var response = renderer.page(
            "signed-in", title: "Signed in", section: "", session: nil, context: ["next": attempt.next],
            started: started)
        response.headers[.cacheControl] = "no-store"
        response.headers.append(.init(name: .setCookie, value: WebSession.setCookie(session, secure: secureCookies)))
        response.headers.append(
            .init(name: .setCookie, value: SignInAttempt.setCookie(nil, secure: secureCookies)))
        return response
    }

    /// The sign-in page with why the provider's sign-in failed; the attempt's cookie is cleared either way.
    private func refusedSignIn(
        _ request: Request, _ message: String, _ status: HTTPResponse.Status, _ started: ContinuousClock.Instant,
        next: String = "/ui"
    ) -> Response {
        var response = signInPage(request, next: next, error: message, status: status, started: started)
        response.headers.append(.init(name: .setCookie, value: SignInAttempt.setCookie(nil, secure: secureCookies)))
        return response
    }
}
