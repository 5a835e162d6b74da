internal import Foundation
public import Logging
internal import OTel
public import ServiceLifecycle
internal import Tracing

/// The process's logs and traces, set up once by `serve` before anything logs.
///
/// Logs: text (swift-log's stream format) or JSON lines (``JSONLogHandler``), on standard error, at a level. Traces:
/// OpenTelemetry through swift-otel, exported over OTLP/HTTP when — and only when — an endpoint is configured
/// (`OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`), so a server without a collector never
/// waits on one; the rest of swift-otel's OTEL_* variables apply (service name, sampler, batch delay, timeout).
/// Settings that would stop the process inside swift-otel (the gRPC protocol, which this build leaves out, or an
/// exporter it does not implement) are refused here with a message instead. Every log line written inside a span
/// carries its `trace_id` and `span_id`.
public enum Telemetry {
    public enum LogFormat: String, Sendable, CaseIterable {
        case text, json
    }

    /// Bootstraps logging and, when an endpoint is configured, tracing; returns the tracing service, which must run
    /// in the server's service group (it exports in batches and flushes on shutdown).
    public static func bootstrap(
        format: LogFormat, level: Logger.Level, environment: [String: String]
    ) throws -> (any Service)? {
        let provider = OTel.makeLoggingMetadataProvider()
        LoggingSystem.bootstrap(
            { label, provider in
                switch format {
                case .json: JSONLogHandler(label: label, level: level, metadataProvider: provider)
                case .text:
                    {
                        var handler = StreamLogHandler.standardError(label: label, metadataProvider: provider)
                        handler.logLevel = level
                        return handler
                    }()
                }
            }, metadataProvider: provider)
        guard try tracingConfigured(environment) else { return nil }
        var configuration = OTel.Configuration.default
        configuration.serviceName = "countersign"
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.diagnosticLogger = .custom(Logger(label: "countersign.otel"))
        configuration.diagnosticLogLevel = .warning
        let tracing = try OTel.makeTracingBackend(configuration: configuration)
        InstrumentationSystem.bootstrap(tracing.factory)
        return tracing.service
    }

    /// Whether traces are to be exported: an endpoint is named and the SDK is not disabled. Refuses what swift-otel
    /// would trap on.
    static func tracingConfigured(_ environment: [String: String]) throws -> Bool {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        if value("OTEL_SDK_DISABLED")?.lowercased() == "true" { return false }
        guard value("OTEL_EXPORTER_OTLP_ENDPOINT") != nil || value("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != nil else {
            return false
        }
        for name in ["OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"] {
            if let proto = value(name), !["http/protobuf", "http/json"].contains(proto) {
                throw TelemetryError(
                    "\(name)=\(proto): this build exports traces over OTLP/HTTP only (http/protobuf or http/json)")
            }
        }
        if let exporter = value("OTEL_TRACES_EXPORTER"), !["otlp", "none"].contains(exporter) {
            throw TelemetryError("OTEL_TRACES_EXPORTER=\(exporter): only otlp (or none) is supported")
        }
        if value("OTEL_TRACES_EXPORTER") == "none" { return false }
        if let sampler = value("OTEL_TRACES_SAMPLER"), sampler.hasPrefix("jaeger") || sampler == "xray" {
            throw TelemetryError("OTEL_TRACES_SAMPLER=\(sampler) is not supported")
        }
        return true
    }
}

/// A telemetry setting that cannot be used, named.
public struct TelemetryError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
