public import CountersignCore
internal import CountersignEncoding
public import CountersignLedger
public import Foundation

/// Signs that approvals have become rubber stamps (the seed's Mistake 3), per approval rule and per approver: how
/// soon after a request was *ready* (every automated control satisfied) people approve it, how often they say no,
/// how often they say why, how often they approve before the automated controls have spoken, and how often their
/// approvals come in bursts — many requests within seconds of each other, faster than anyone reads a change.
///
/// None of these proves a review was careless: a small, well-tested change can be approved in a minute. They say
/// where to look. Approvers are named only to viewers who may audit people (admin, auditor); everyone else sees the
/// rules and how many approvers show a sign, never a list of people.
public struct ApprovalSignals: Sendable, Encodable {
    /// One approval rule of the policy and who may approve under it, for attributing reviews to rules: a review
    /// counts for a rule when the request was decided under the rule's tier and the reviewer is on its team (by the
    /// policy's members, or by the identity provider's group for a review given through a sign-in).
    public struct RuleTeam: Sendable {
        public var rule: String
        public var tier: String
        public var members: Set<String>
        public var signInGroup: String?

        public init(rule: String, tier: String, members: Set<String>, signInGroup: String?) {
            self.rule = rule
            self.tier = tier
            self.members = members
            self.signInGroup = signInGroup
        }

        /// Every approval rule of `policy`.
        public static func all(in policy: PolicyBundle) -> [RuleTeam] {
            policy.tiers.flatMap { tier in
                tier.approvals.map {
                    RuleTeam(
                        rule: $0.rule, tier: tier.name, members: policy.teamMembers[$0.team] ?? [],
                        signInGroup: policy.teams[$0.team]?.signInGroup)
                }
            }
        }
    }

    /// The signals of one approver's or one rule's reviews in the period.
    public struct Signals: Sendable, Encodable {
        public var approvals: Int
        public var rejections: Int
        public var withdrawals: Int
        /// Rejections among approvals and rejections.
        public var rejectRate: Double?
        /// Reviews that say something (a comment).
        public var commentRate: Double?
        /// Seconds from ready to approval, for approvals given once the request was ready.
        public var readyToApproval: DurationSummary
        /// Approvals given within a minute of ready, among those given once ready.
        public var withinAMinuteRate: Double?
        /// Approvals given before the automated controls were all satisfied: approved without seeing their result.
        public var beforeReady: Int
        /// Approvals within a minute of the same person's approval of another request.
        public var burstRate: Double?
        /// What stands out, in words (``flagged``'s rules).
        public var flags: [String]
    }

    public struct Approver: Sendable, Encodable {
        public var approver: String
        public var signals: Signals
    }

    public struct Rule: Sendable, Encodable {
        public var rule: String
        public var signals: Signals
    }

    /// Per approver, by name; `nil` when the viewer may not see people.
    public var approvers: [Approver]?
    public var rules: [Rule]
    /// How many approvers show at least one flag: told to every viewer, so a team lead knows to ask, without a list
    /// of people.
    public var flaggedApprovers: Int
    public var approverCount: Int

    /// Reviews closer than this to the request's ready time, or to the same person's previous approval, are "within
    /// a minute".
    static let quick = 60.0
    /// The least reviews a flag is raised on: below it, a pattern is chance.
    static let minimum = 10
    /// The least reviews "never rejected" is said of: where one review in ten is rejected, ten without one happen a
    /// third of the time; twenty, about one time in eight.
    static let neverRejectedMinimum = 20

    struct Review {
        var request: String
        var approver: String
        var state: String
        var at: Date
        var comment: Bool
        var ready: Date?
        var tier: String?
        var groups: [String]?
    }

    /// Reads the reviews of requests in `filter` (on `deploy_requests r`) and summarises them.
    static func compute(
        _ store: any LedgerStore, filter: String, _ arguments: [SQLValue], rules: [RuleTeam], names: Bool
    ) async throws(LedgerError) -> ApprovalSignals {
        let rows = try await store.lookup(
            """
            SELECT a.request_id, a.approver, a.state, a.at, a.comment, r.ready_at, r.tier, a.groups
            FROM approvals a JOIN deploy_requests r ON r.request_id = a.request_id
            WHERE \(filter) ORDER BY a.approver, a.at
            """, arguments)
        var reviews: [Review] = []
        reviews.reserveCapacity(rows.rows.count)
        for row in rows.rows {
            guard let request = row[0].textValue, let approver = row[1].textValue, let state = row[2].textValue,
                let at = row[3].textValue.flatMap(RFC3339.date)
            else { continue }
            let groups: [String]? = row[7].textValue.flatMap { try? JSONValue(parsing: $0) }?.arrayValue?
                .compactMap(\.stringValue)
            reviews.append(
                Review(
                    request: request, approver: approver, state: state, at: at,
                    comment: !(row[4].textValue ?? "").trimmingCharacters(in: .whitespaces).isEmpty,
                    ready: row[5].textValue.flatMap(RFC3339.date), tier: row[6].textValue, groups: groups))
        }
        // A burst: an approval within a minute of the same person's approval of another request (reviews are in
        // order by approver, then time).
        var inBurst = Array(repeating: false, count: reviews.count)
        var previous: Int? = nil
        for i in reviews.indices where reviews[i].state == "granted" {
            if let p = previous, reviews[p].approver == reviews[i].approver, reviews[p].request != reviews[i].request,
                reviews[i].at.timeIntervalSince(reviews[p].at) < quick
            {
                inBurst[i] = true
                inBurst[p] = true
            }
            previous = i
        }
        let byApprover = Dictionary(grouping: reviews.indices, by: { reviews[$0].approver })
        let approvers = byApprover.map { name, indices in
            Approver(approver: name, signals: signals(indices, reviews, inBurst))
        }.sorted { $0.approver < $1.approver }
        var byRule: [String: [Int]] = [:]
        for (i, review) in reviews.enumerated() {
            for rule in rules where rule.tier == review.tier {
                let member =
                    rule.signInGroup.flatMap { group in review.groups.map { $0.contains(group) } }
                    ?? rule.members.contains(review.approver)
                if member { byRule[rule.rule, default: []].append(i) }
            }
        }
        return ApprovalSignals(
            approvers: names ? approvers : nil,
            rules: byRule.map { Rule(rule: $0.key, signals: signals($0.value, reviews, inBurst)) }
                .sorted { $0.rule < $1.rule },
            flaggedApprovers: approvers.filter { !$0.signals.flags.isEmpty }.count, approverCount: approvers.count)
    }

    static func signals(_ indices: [Int], _ reviews: [Review], _ inBurst: [Bool]) -> Signals {
        let granted = indices.filter { reviews[$0].state == "granted" }
        let rejections = indices.filter { reviews[$0].state == "rejected" }.count
        let withdrawals = indices.filter { reviews[$0].state == "withdrawn" }.count
        var afterReady: [Double] = []
        var beforeReady = 0
        for i in granted {
            if let ready = reviews[i].ready, reviews[i].at >= ready {
                afterReady.append(reviews[i].at.timeIntervalSince(ready))
            } else {
                beforeReady += 1
            }
        }
        func rate(_ n: Int, _ of: Int) -> Double? { of == 0 ? nil : Double(n) / Double(of) }
        let decided = granted.count + rejections
        let quickly = afterReady.filter { $0 < quick }.count
        let bursts = granted.filter { inBurst[$0] }.count
        var s = Signals(
            approvals: granted.count, rejections: rejections, withdrawals: withdrawals,
            rejectRate: rate(rejections, decided),
            commentRate: rate(indices.filter { reviews[$0].comment }.count, indices.count),
            readyToApproval: DurationSummary(afterReady), withinAMinuteRate: rate(quickly, afterReady.count),
            beforeReady: beforeReady, burstRate: rate(bursts, granted.count), flags: [])
        s.flags = flagged(s)
        return s
    }

    /// The rules of thumb, each on at least ``minimum`` reviews: most approvals within a minute of ready; no
    /// rejection at all (on at least ``neverRejectedMinimum``); most approvals in bursts; most approvals before the
    /// automated controls spoke.
    static func flagged(_ s: Signals) -> [String] {
        var flags: [String] = []
        let timed = s.readyToApproval.count
        if timed >= minimum, let r = s.withinAMinuteRate, r >= 0.8 {
            flags.append("\(Int((r * 100).rounded())) % of approvals within a minute of ready")
        }
        if s.approvals + s.rejections >= neverRejectedMinimum, s.rejections == 0 {
            flags.append("never rejected in \(s.approvals) reviews")
        }
        if s.approvals >= minimum, let r = s.burstRate, r >= 0.5 {
            flags.append("\(Int((r * 100).rounded())) % of approvals within a minute of another")
        }
        if s.approvals >= minimum, Double(s.beforeReady) >= 0.5 * Double(s.approvals) {
            flags.append("\(s.beforeReady) of \(s.approvals) approvals before the automated controls passed")
        }
        return flags
    }
}
