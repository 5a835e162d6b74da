internal import CountersignEncoding

/// An in-toto Statement, v1 or v0.1 (cosign's legacy `attest` still writes v0.1): the subjects it is about, by
/// digest, and a typed predicate.
///
/// Subjects are matched by digest only (`name` is informative). Unknown fields are ignored, as the spec says.
public struct InTotoStatement: Sendable {
    public static let v1 = "https://in-toto.io/Statement/v1"
    public static let v01 = "https://in-toto.io/Statement/v0.1"

    public struct Subject: Sendable, Hashable {
        public let name: String
        /// Algorithm → lowercase hex, as written (`sha256`, `sha512`, or anything else, which never matches).
        public let digest: [String: String]
    }

    public let type: String
    public let subjects: [Subject]
    public let predicateType: String
    let predicate: JSONValue

    /// Parses a statement from the bytes whose signature has been verified.
    public init(parsing bytes: [UInt8]) throws(SupplyChainError) {
        let json = try JSONValue.document(bytes, what: "the in-toto statement")
        func fail(_ why: String) -> SupplyChainError {
            SupplyChainError(.malformedDocument, "the in-toto statement \(why)")
        }
        guard json.objectMembers != nil else { throw fail("is not a JSON object") }
        guard let type = json["_type"]?.stringValue, type == InTotoStatement.v1 || type == InTotoStatement.v01 else {
            throw fail(
                "has _type '\(json["_type"]?.stringValue?.prefix(80) ?? "none")' (expected \(InTotoStatement.v1) or v0.1)"
            )
        }
        guard let list = json["subject"]?.arrayValue, !list.isEmpty else { throw fail("has no subjects") }
        guard list.count <= 1024 else { throw fail("has more than 1024 subjects") }
        var subjects: [Subject] = []
        for (n, s) in list.enumerated() {
            guard let set = s["digest"]?.objectMembers, !set.isEmpty else {
                throw fail("subject \(n + 1) has no digest")
            }
            var digest: [String: String] = [:]
            for (alg, value) in set {
                guard let hex = value.stringValue else { throw fail("subject \(n + 1) has a non-string digest") }
                digest[alg] = hex
            }
            subjects.append(Subject(name: s["name"]?.stringValue ?? "", digest: digest))
        }
        guard let predicateType = json["predicateType"]?.stringValue, !predicateType.isEmpty else {
            throw fail("has no predicateType")
        }
        self.type = type
        self.subjects = subjects
        self.predicateType = predicateType
        self.predicate = json["predicate"] ?? .object([])
    }

    /// Whether some subject names `digest` (same algorithm, same hex).
    public func covers(_ digest: Digest) -> Bool {
        subjects.contains { $0.digest[digest.algorithm.rawValue] == digest.hex }
    }

    /// The subject digests, `alg:hex`, for messages.
    public var subjectDigests: [String] {
        subjects.flatMap { s in s.digest.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" } }
    }
}
