internal import CountersignEncoding
internal import Foundation

extension ControlPlane {
    /// An authenticated Opsgenie webhook delivery (the caller checked its shared secret: Opsgenie signs nothing, so
    /// the integration sends `Authorization: Bearer <secret>` as a custom header): `Create` opens incident
    /// `og:<alertId>` with the alert's message and priority, `Close` resolves it — idempotently, as PagerDuty's.
    /// Other actions (Acknowledge, AddNote, …) are acknowledged and ignored.
    ///
    /// - Returns: what was done (`opened`, `resolved`, `unchanged`, `ignored`).
    public func handleOpsgenie(body: [UInt8]) async throws(ControlError) -> String {
        guard let document = try? JSONValue(parsing: body), let action = document["action"]?.stringValue,
            let alert = document["alert"]
        else { throw ControlError(.badRequest, "the delivery is not an Opsgenie webhook (action, alert)") }
        guard action == "Create" || action == "Close" else { return "ignored" }
        guard let alertID = alert["alertId"]?.stringValue, !alertID.isEmpty, alertID.utf8.count <= 64,
            alertID.utf8.allSatisfy({ (0x21...0x7E).contains($0) })
        else { throw ControlError(.badRequest, "the delivery names no alert (alert.alertId)") }
        return try await incidentFromTool(
            id: "og:" + alertID, opens: action == "Create",
            title: alert["message"]?.stringValue ?? "Opsgenie alert \(alertID)",
            severity: alert["priority"]?.stringValue, tool: "opsgenie")
    }
}
