import Foundation
import Testing

@testable import CountersignCanary

/// Argo's `assessMetricStatus` vectors (reference §3.3, from analysis/analysis_test.go), applied to the
/// counters as Argo's tests set them.
@Suite struct ArgoMetricAssessmentTests {
    static func state(
        _ metric: AnalysisMetric, count: Int = 0, successful: Int = 0, failed: Int = 0, inconclusive: Int = 0,
        consecutiveError: Int = 0, consecutiveSuccess: Int = 0
    ) throws -> MetricRunState {
        var s = try MetricRunState(metric: metric, spec: metric.provider, dryRun: false)
        s.counts = MetricCounts()
        s.counts.count = count
        s.counts.successful = successful
        s.counts.failed = failed
        s.counts.inconclusive = inconclusive
        s.counts.error = consecutiveError
        s.counts.consecutiveError = consecutiveError
        s.counts.consecutiveSuccess = consecutiveSuccess
        return s
    }

    static let minute: Duration = .seconds(60)

    @Test func failureLimit() throws {
        let two = AnalysisMetric(name: "m", interval: Self.minute, failureLimit: 2)
        for terminating in [false, true] {
            let s = try Self.state(two, count: 3, failed: 3)
            let (phase, message) = s.assess(terminating: terminating)
            #expect(phase == .failed)
            #expect(message == "failed (3) > failureLimit (2)")
        }
        let three = AnalysisMetric(name: "m", interval: Self.minute, failureLimit: 3)
        #expect(try Self.state(three, count: 3, failed: 3).assess(terminating: false).phase == .running)
        #expect(try Self.state(three, count: 3, failed: 3).assess(terminating: true).phase == .successful)
    }

    @Test func inconclusiveLimit() throws {
        let two = AnalysisMetric(name: "m", interval: Self.minute, inconclusiveLimit: 2)
        #expect(try Self.state(two, count: 3, inconclusive: 3).assess(terminating: false).phase == .inconclusive)
        let three = AnalysisMetric(name: "m", interval: Self.minute, inconclusiveLimit: 3)
        #expect(try Self.state(three, count: 3, inconclusive: 3).assess(terminating: false).phase == .running)
        #expect(try Self.state(three, count: 3, inconclusive: 3).assess(terminating: true).phase == .successful)
    }

    @Test func consecutiveErrorLimitDefaultsToFour() throws {
        let m = AnalysisMetric(name: "m", interval: Self.minute)
        #expect(m.consecutiveErrorLimit == 4)
        #expect(try Self.state(m, consecutiveError: 5).assess(terminating: false).phase == .error)
        #expect(try Self.state(m, consecutiveError: 4).assess(terminating: false).phase == .running)
        #expect(try Self.state(m, consecutiveError: 4).assess(terminating: true).phase == .successful)
    }

    @Test func countReached() throws {
        let m = AnalysisMetric(name: "m", interval: Self.minute, count: 10)
        #expect(try Self.state(m, count: 10, successful: 10).assess(terminating: false).phase == .successful)
        #expect(
            try Self.state(m, count: 10, successful: 5, inconclusive: 5).assess(terminating: false).phase
                == .inconclusive)
    }

    @Test func consecutiveSuccessLimitWithoutCount() throws {
        let m = AnalysisMetric(name: "m", interval: Self.minute, failureLimit: 4, consecutiveSuccessLimit: 4)
        let running = try Self.state(m, count: 7, successful: 4, failed: 3, consecutiveSuccess: 3)
        #expect(running.assess(terminating: false).phase == .running)
        #expect(running.assess(terminating: true).phase == .successful)
        #expect(try Self.state(m, count: 5, failed: 5).assess(terminating: false).phase == .failed)
        #expect(
            try Self.state(m, count: 7, successful: 4, failed: 3, consecutiveSuccess: 4).assess(terminating: false)
                .phase == .successful)
        #expect(
            try Self.state(m, count: 9, successful: 4, failed: 5, consecutiveSuccess: 4).assess(terminating: false)
                .phase == .failed)
    }

    @Test func consecutiveSuccessLimitWithCountReached() throws {
        let m = AnalysisMetric(
            name: "m", interval: Self.minute, count: 10, failureLimit: 4, consecutiveSuccessLimit: 4)
        #expect(
            try Self.state(m, count: 10, successful: 6, failed: 4, consecutiveSuccess: 3).assess(terminating: false)
                .phase == .inconclusive)
        #expect(
            try Self.state(m, count: 10, successful: 5, failed: 5, consecutiveSuccess: 3).assess(terminating: false)
                .phase == .failed)
        #expect(
            try Self.state(m, count: 10, successful: 6, failed: 4, consecutiveSuccess: 4).assess(terminating: false)
                .phase == .successful)
        #expect(
            try Self.state(m, count: 10, successful: 5, failed: 5, consecutiveSuccess: 4).assess(terminating: false)
                .phase == .failed)
    }

    @Test func noMeasurementsYet() throws {
        let m = AnalysisMetric(name: "m", interval: Self.minute)
        #expect(try Self.state(m).assess(terminating: false).phase == .pending)
        #expect(try Self.state(m).assess(terminating: true).phase == .successful)
    }

    @Test func runPhaseIsTheWorst() {
        #expect(AnalysisPhase.worst([.successful, .running]) == .running)
        #expect(AnalysisPhase.worst([.successful, .failed]) == .failed)
        #expect(AnalysisPhase.worst([.error, .inconclusive, .successful]) == .error)
        #expect(AnalysisPhase.worst([.error, .failed]) == .failed)
        #expect(AnalysisPhase.allCases.sorted() == [.successful, .running, .pending, .inconclusive, .error, .failed])
    }
}
