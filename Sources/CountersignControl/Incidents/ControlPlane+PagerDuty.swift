internal import CountersignEncoding
internal import CountersignLedger
internal import Foundation

extension ControlPlane {
    /// A verified PagerDuty v3 webhook delivery (the caller checked ``PagerDutySignature``): `incident.triggered`
    /// opens incident `pd:<PagerDuty's id>` — an incident that exists, so a break-glass grant may name it —
    /// and `incident.resolved` resolves it. Both are idempotent by the incident's state, so a replayed delivery
    /// changes nothing: a resolved incident is never opened again. Other events are acknowledged and ignored.
    ///
    /// - Returns: what was done (`opened`, `resolved`, `unchanged`, `ignored`).
    public func handlePagerDuty(body: [UInt8]) async throws(ControlError) -> String {
        guard let document = try? JSONValue(parsing: body), let event = document["event"],
            let type = event["event_type"]?.stringValue
        else {
            throw ControlError(.badRequest, "the delivery is not a PagerDuty v3 webhook event (event.event_type)")
        }
        guard type == "incident.triggered" || type == "incident.resolved" else { return "ignored" }
        guard let pagerDutyID = event["data"]?["id"]?.stringValue, !pagerDutyID.isEmpty, pagerDutyID.utf8.count <= 64,
            pagerDutyID.utf8.allSatisfy({ (0x21...0x7E).contains($0) })
        else { throw ControlError(.badRequest, "the event names no incident (event.data.id)") }
        return try await incidentFromTool(
            id: "pd:" + pagerDutyID, opens: type == "incident.triggered",
            title: event["data"]?["title"]?.stringValue ?? "PagerDuty incident \(pagerDutyID)",
            severity: event["data"]?["urgency"]?.stringValue, tool: "pagerduty")
    }

    /// Opens (`opens`) or resolves the incident an incident tool declared, idempotently by the incident's state: a
    /// replayed delivery changes nothing, and a resolved incident is never opened again.
    func incidentFromTool(id: String, opens: Bool, title: String, severity: String?, tool: String)
        async throws(ControlError) -> String
    {
        let state = try await read({ r throws(LedgerError) in try await r.incidentResolved(id: id) })
        switch (opens, state) {
        case (true, nil):
            try await record(
                IncidentOpened(id: id, title: String(title.prefix(500)), severity: severity, deploys: []), actor: tool)
            return "opened"
        case (false, false?):
            try await record(IncidentResolved(id: id), actor: tool)
            return "resolved"
        default:
            return "unchanged"
        }
    }
}
