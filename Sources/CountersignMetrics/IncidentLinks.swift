internal import CountersignEncoding
internal import CountersignLedger
internal import Foundation

/// Which deploys incidents name (`incidents.deploy_ids`), each with the earliest incident that names it.
struct IncidentLinks {
    struct Incident {
        var opened: Date
        var resolved: Date?
    }

    var first: [String: Incident] = [:]

    static func read(_ store: any LedgerStore, before: Date) async throws(LedgerError) -> IncidentLinks {
        let result = try await store.lookup(
            "SELECT opened_at, resolved_at, deploy_ids FROM incidents WHERE opened_at < ? ORDER BY opened_at",
            [.text(RFC3339.string(before, fraction: .milliseconds))])
        var links = IncidentLinks()
        for row in result.rows {
            guard let opened = row[0].textValue.flatMap(RFC3339.date), let ids = row[2].textValue,
                case .array(let items)? = try? JSONValue(parsing: ids)
            else { continue }
            let incident = Incident(opened: opened, resolved: row[1].textValue.flatMap(RFC3339.date))
            for case .string(let id) in items where links.first[id] == nil { links.first[id] = incident }
        }
        return links
    }
}
