internal import CountersignEncoding
public import Foundation

/// Static samples from a JSON file, for tests and offline judging: the whole document, or one member of a
/// top-level object (a samples file maps metric names to arrays).
public struct SamplesFileProvider: Sendable {
    /// Files larger than this are refused before they are read.
    public static let maxBytes = 256 << 20
    /// Relative paths resolve against this directory (the template's, so templates and samples travel together).
    public var baseDirectory: URL?

    public init(baseDirectory: URL? = nil) { self.baseDirectory = baseDirectory }

    public func measure(_ file: SamplesFile) throws(CanaryError) -> MeasurementValue {
        let url: URL
        if let base = baseDirectory, !file.path.hasPrefix("/") {
            url = base.appendingPathComponent(file.path)
        } else {
            url = URL(fileURLWithPath: file.path)
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? nil
        guard let size else { throw CanaryError(.measurementFailed, "\(file.path): no such file") }
        guard size <= Self.maxBytes else {
            throw CanaryError(.measurementFailed, "\(file.path): \(size) bytes exceeds \(Self.maxBytes >> 20) MiB")
        }
        let document: JSONValue
        do {
            document = try JSONValue(parsing: [UInt8](try Data(contentsOf: url)))
        } catch {
            throw CanaryError(.measurementFailed, "\(file.path): not valid JSON")
        }
        guard let key = file.key else { return MeasurementValue(document) }
        guard let members = document.objectDictionary else {
            throw CanaryError(.measurementFailed, "\(file.path): key '\(key)' given but the document is not an object")
        }
        guard let value = members[key] else {
            throw CanaryError(.measurementFailed, "\(file.path): no member '\(key)'")
        }
        return MeasurementValue(value)
    }
}
