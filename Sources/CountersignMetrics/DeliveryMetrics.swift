internal import CountersignEncoding
public import CountersignLedger
public import Foundation

/// The DORA software-delivery metrics, computed from the ledger's projections (deploys, their requests' commit
/// times, incidents) for one period, overall and per service and environment, plus a weekly series for trends.
///
/// Definitions (docs/metrics.md has the reasoning):
/// - *deployment frequency*: successful deploys; the fourkeys bucket from deploying days per week;
/// - *lead time for changes*: deploy finished − commit time, per successful deploy whose change carries
///   `committedAt`; non-positive differences are dropped, as fourkeys drops them; the median is the metric;
/// - *change failure rate*: finished deploys that failed, were rolled back, or are named by an incident, over all
///   finished deploys;
/// - *failed-deployment recovery time*: per failed deploy, from when the failure began (the deploy, or the incident
///   if it was opened earlier) to the incident's resolution — or to the rollback or abort when no incident names it.
public struct DeliveryMetrics: Sendable, Encodable {
    public struct Row: Sendable, Encodable {
        /// `nil` in the overall row.
        public var service: String?
        public var environment: String?
        public var deployments: Int
        public var deploymentsPerDay: Double
        public var deployingDays: Int
        public var frequency: String
        /// Seconds from commit to production.
        public var leadTime: DurationSummary
        public var leadTimeBucket: String?
        /// Successful deploys whose change carries no commit time (they have no lead time).
        public var withoutCommitTime: Int
        /// Which deploys those are — the first 20 by id — so the gap can be closed at its source (a CI that sends
        /// no `committedAt`, a repository whose pushes are not delivered) rather than only counted.
        public var withoutCommitTimeDeploys: [String]
        /// Successful deploys whose commit time is only the requester's word: GitHub has said nothing of the commit
        /// (no `push` delivery, no record of the change). Their lead time is what the deploy bot said it was.
        public var commitTimeFromRequester: Int
        public var finished: Int
        public var failed: Int
        public var changeFailureRate: Double?
        public var changeFailureBucket: String?
        public var recovery: DurationSummary
        public var recoveryBucket: String?
    }

    public struct Week: Sendable, Encodable {
        public var start: Date
        public var deployments: Int
        public var failed: Int
        /// Seconds.
        public var medianLeadTime: Double?
    }

    public var from: Date
    public var to: Date
    public var overall: Row
    public var groups: [Row]
    public var weeks: [Week]

    struct Deploy {
        var id: String
        var service: String
        var environment: String
        var status: String
        var started: Date
        var finished: Date?
        var committed: Date?
        /// `push`, `github` or `request` (``commitTimeFromRequester``).
        var committedSource: String?
        var incidentOpened: Date?
        var incidentResolved: Date?

        var succeeded: Bool { status == "succeeded" }
        var isFinished: Bool { status != "started" }
        var isFailed: Bool { status == "failed" || status == "rolled_back" || incidentOpened != nil }
        var leadTime: Double? {
            guard succeeded, let committed else { return nil }
            let t = (finished ?? started).timeIntervalSince(committed)
            return t > 0 ? t : nil
        }
        var recovery: Double? {
            guard isFailed else { return nil }
            if let opened = incidentOpened {
                guard let resolved = incidentResolved else { return nil }
                return resolved.timeIntervalSince(min(opened, started))
            }
            return finished.map { $0.timeIntervalSince(started) }
        }
    }

    /// Reads the period's deploys and the incidents that name them, and computes every metric.
    public static func compute(_ store: any LedgerStore, _ period: MetricsPeriod) async throws(LedgerError)
        -> DeliveryMetrics
    {
        let deploys = try await Self.deploys(store, period)
        let groups = Dictionary(grouping: deploys) { "\($0.service)\u{0}\($0.environment)" }
            .values.map { row($0, period, service: $0[0].service, environment: $0[0].environment) }
            .sorted { ($0.service ?? "", $0.environment ?? "") < ($1.service ?? "", $1.environment ?? "") }
        var weeks: [Week] = []
        var start = period.from
        while start < period.to {
            let end = min(start.addingTimeInterval(7 * 86_400), period.to)
            let inWeek = deploys.filter { $0.started >= start && $0.started < end }
            weeks.append(
                Week(
                    start: start, deployments: inWeek.filter(\.succeeded).count,
                    failed: inWeek.filter { $0.isFinished && $0.isFailed }.count,
                    medianLeadTime: DurationSummary.quantile(inWeek.compactMap(\.leadTime).sorted(), 0.5)))
            start = end
        }
        return DeliveryMetrics(
            from: period.from, to: period.to,
            overall: row(deploys, period, service: period.service, environment: period.environment),
            groups: groups, weeks: weeks)
    }

    static func row(_ deploys: [Deploy], _ period: MetricsPeriod, service: String?, environment: String?) -> Row {
        let succeeded = deploys.filter(\.succeeded)
        let days = Set(succeeded.map { Int($0.started.timeIntervalSince1970 / 86_400) })
        func deployingDays(step: Double) -> [Int] {
            var counts: [Int] = []
            var start = period.from
            repeat {
                let end = start.addingTimeInterval(step)
                // A trailing window shorter than a full one would read as a slow week; it counts only alone.
                if end <= period.to || counts.isEmpty {
                    counts.append(
                        Set(
                            succeeded.filter { $0.started >= start && $0.started < end }
                                .map { Int($0.started.timeIntervalSince1970 / 86_400) }
                        ).count)
                }
                start = end
            } while start < period.to
            return counts
        }
        func deployingWeeks() -> [Int] {
            var counts: [Int] = []
            var month = period.from
            repeat {
                let monthEnd = month.addingTimeInterval(30 * 86_400)
                var weeks = 0
                var week = month
                while week < monthEnd {
                    let weekEnd = week.addingTimeInterval(7 * 86_400)
                    if succeeded.contains(where: { $0.started >= week && $0.started < min(weekEnd, monthEnd) }) {
                        weeks += 1
                    }
                    week = weekEnd
                }
                if monthEnd <= period.to || counts.isEmpty { counts.append(weeks) }
                month = monthEnd
            } while month < period.to
            return counts
        }
        let lead = DurationSummary(succeeded.compactMap(\.leadTime))
        let finished = deploys.filter(\.isFinished)
        let failed = finished.filter(\.isFailed)
        let rate = finished.isEmpty ? nil : Double(failed.count) / Double(finished.count)
        let recovery = DurationSummary(failed.compactMap(\.recovery))
        return Row(
            service: service, environment: environment, deployments: succeeded.count,
            deploymentsPerDay: Double(succeeded.count) / period.days, deployingDays: days.count,
            frequency: FourKeys.frequency(
                daysPerWeek: deployingDays(step: 7 * 86_400), weeksPerMonth: deployingWeeks()),
            leadTime: lead, leadTimeBucket: FourKeys.duration(seconds: lead.median),
            withoutCommitTime: succeeded.filter { $0.committed == nil }.count,
            withoutCommitTimeDeploys: Array(succeeded.filter { $0.committed == nil }.map(\.id).sorted().prefix(20)),
            commitTimeFromRequester: succeeded.filter { $0.committed != nil && $0.committedSource == "request" }.count,
            finished: finished.count,
            failed: failed.count, changeFailureRate: rate, changeFailureBucket: FourKeys.failureRate(rate),
            recovery: recovery, recoveryBucket: FourKeys.duration(seconds: recovery.median))
    }

    static func deploys(_ store: any LedgerStore, _ period: MetricsPeriod) async throws(LedgerError) -> [Deploy] {
        var sql = """
            SELECT d.deploy_id, d.service, d.environment, d.status, d.started_at, d.finished_at, d.committed_at,
                r.commit_time_source
            FROM deploys d LEFT JOIN deploy_requests r ON r.request_id = d.request_id
            WHERE d.started_at >= ? AND d.started_at < ?
            """
        let arguments: [SQLValue] = [
            .text(RFC3339.string(period.from, fraction: .milliseconds)),
            .text(RFC3339.string(period.to, fraction: .milliseconds)),
        ]
        let scope = period.scope("d")
        for condition in scope.conditions { sql += " AND " + condition }
        let result = try await store.lookup(sql, arguments + scope.arguments)
        var deploys: [Deploy] = []
        deploys.reserveCapacity(result.rows.count)
        for row in result.rows {
            guard case .text(let id) = row[0], case .text(let service) = row[1], case .text(let environment) = row[2],
                case .text(let status) = row[3], let started = row[4].textValue.flatMap(RFC3339.date)
            else { continue }
            deploys.append(
                Deploy(
                    id: id, service: service, environment: environment, status: status, started: started,
                    finished: row[5].textValue.flatMap(RFC3339.date),
                    committed: row[6].textValue.flatMap(RFC3339.date), committedSource: row[7].textValue))
        }
        let incidents = try await IncidentLinks.read(store, before: period.to)
        for i in deploys.indices {
            guard let incident = incidents.first[deploys[i].id] else { continue }
            deploys[i].incidentOpened = incident.opened
            deploys[i].incidentResolved = incident.resolved
        }
        return deploys
    }
}
