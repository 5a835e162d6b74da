internal import CountersignCore
internal import CountersignEncoding
internal import CountersignLedger
internal import Foundation

extension ControlPlane {
    /// Opens an incident, linked to the deploys that caused it (they feed change-failure rate and gate
    /// effectiveness), or resolves one.
    public func openIncident(
        title: String, severity: String?, deploys: [String], by principal: Principal
    ) async throws(ControlError) -> String {
        guard !title.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ControlError(.badRequest, "title must not be empty", details: ["field": "title"])
        }
        for deploy in deploys where try await !read({ r throws(LedgerError) in try await r.deployExists(id: deploy) }) {
            throw ControlError(.badRequest, "no deploy with id \(deploy)", details: ["field": "deploys"])
        }
        let id = Self.newID("inc_")
        try await record(
            IncidentOpened(id: id, title: title, severity: severity, deploys: deploys), actor: principal.identity)
        return id
    }

    public func resolveIncident(id: String, by principal: Principal) async throws(ControlError) {
        guard let resolved = try await read({ r throws(LedgerError) in try await r.incidentResolved(id: id) }) else {
            throw ControlError(.notFound, "no incident with id \(id)")
        }
        guard !resolved else { throw ControlError(.conflict, "incident \(id) is already resolved") }
        try await record(IncidentResolved(id: id), actor: principal.identity)
    }
}
