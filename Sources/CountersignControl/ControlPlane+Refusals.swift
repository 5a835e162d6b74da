internal import CountersignCore
internal import CountersignLedger
public import CountersignSupplyChain
internal import Foundation

extension ControlPlane {
    /// Leaves a trace of `error` when it refused an authenticated caller: a `forbidden` answer to `principal` for
    /// `action` becomes an `access.refused` entry (a few a minute per identity; ``RefusalLog``). Refusals the
    /// control layer records itself — separation of duties, as `approval.refused` (`details.recorded`) — are not
    /// recorded twice, and one that may not be the caller's act at all (a form without the session's CSRF token,
    /// `details.attribution: unverified`) is not put in their name. The
    /// refusal stands whether or not its trace could be written: a ledger that cannot take the entry does not turn
    /// a 403 into something else.
    public func recordRefusal(_ error: ControlError, of principal: Principal, action: String) async {
        guard error.code == .forbidden, error.details["recorded"] == nil, error.details["attribution"] == nil else {
            return
        }
        let (admitted, suppressed) = refusals.admit(principal.identity, now: now())
        guard admitted else { return }
        let event = AccessRefused(
            identity: principal.identity, role: principal.role.rawValue, action: action, reason: error.message,
            suppressed: suppressed > 0 ? suppressed : nil)
        // Not under the request's Idempotency-Key: the key belongs to the operation, which did not happen.
        _ = try? await IdempotencyClaim.$current.withValue(nil) {
            try await record(event, actor: principal.identity)
        }
    }

    /// Records what warn-mode admission admitted that enforcement would have refused (`admission.warned`), unless
    /// the review was a dry run — a few a minute per namespace, counting the rest. Admission answers the same
    /// whether or not the entry could be written: the API server's own deadline is not spent on the ledger's
    /// troubles, and warn mode admits either way.
    public func recordAdmissionWarning(_ request: AdmissionRequest, reason: String) async {
        guard !request.dryRun else { return }
        let (admitted, suppressed) = refusals.admit("admission:" + request.namespace, now: now())
        guard admitted else { return }
        let event = AdmissionWarned(
            namespace: request.namespace, kind: request.typeName, name: request.name, user: request.user,
            uid: request.uid, reason: reason, suppressed: suppressed > 0 ? suppressed : nil)
        _ = try? await IdempotencyClaim.$current.withValue(nil) { try await record(event, actor: "admission") }
    }
}
