internal import CountersignEncoding
internal import Foundation
public import Logging

/// One JSON object per line on standard error — what log shippers (Fluent Bit, Vector, the Kubernetes logging
/// stack) parse without a pattern: `{"time","level","logger","message", …metadata}`, with the metadata provider's
/// fields (the trace and span ids, when a span is current) beside the call's own. Written with the encoding layer's
/// one JSON writer, so a message or a value can never break the line or forge another field.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String

    public init(label: String, level: Logger.Level, metadataProvider: Logger.MetadataProvider?) {
        self.label = label
        self.logLevel = level
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let own = event.metadata { merged.merge(own) { _, new in new } }
        var members: [(String, JSONValue)] = [
            ("time", .string(RFC3339.string(Date()))), ("level", .string(event.level.rawValue)),
            ("logger", .string(label)), ("message", .string(event.message.description)),
        ]
        let reserved: Set<String> = ["time", "level", "logger", "message"]
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) where !reserved.contains(key) {
            members.append((key, Self.json(value)))
        }
        let line = JSONValue.object(members).canonicalString + "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    static func json(_ value: Logger.Metadata.Value) -> JSONValue {
        switch value {
        case .string(let s): .string(s)
        case .stringConvertible(let c as Int): .number(Double(c))
        case .stringConvertible(let c as Double) where c.isFinite: .number(c)
        case .stringConvertible(let c): .string(c.description)
        case .array(let a): .array(a.map(json))
        case .dictionary(let d): .object(d.sorted { $0.key < $1.key }.map { ($0.key, json($0.value)) })
        }
    }
}
