import CountersignCore
import CountersignEncoding
import CountersignTesting
import Foundation
import Testing

@testable import CountersignLedger

@Suite struct MerkleFrontierTests {
    /// At every size up to 300, the frontier's root and the nodes it completes are exactly the tree's.
    @Test func buildsTheSameNodesAsTheTree() throws {
        var tree = MerkleTree()
        var frontier = MerkleFrontier()
        var completed: [MerkleNode: [UInt8]] = [:]
        for i in 0..<300 {
            let leaf = MerkleTree.leafHash(Array("leaf \(i)".utf8))
            tree.append(leafHash: leaf)
            for (node, hash) in frontier.append(leafHash: leaf) { completed[node] = hash }
            #expect(frontier.root == tree.root(), "root at \(i + 1)")
            let coords = MerkleFrontier.coordinates(size: tree.size)
            #expect(coords.count == tree.size.nonzeroBitCount)
            let rebuilt = try MerkleFrontier(size: tree.size, hashes: coords.map { tree.levels[$0.level][$0.index] })
            #expect(rebuilt.root == tree.root())
        }
        let stored = tree.levels.enumerated().dropFirst().flatMap { level, hashes in
            hashes.enumerated().map { (MerkleNode(level: level, index: $0.offset), $0.element) }
        }
        #expect(completed.count == stored.count)
        for (node, hash) in stored { #expect(completed[node] == hash, "node \(node)") }
    }

    @Test func refusesAnEdgeOfTheWrongShape() {
        #expect(throws: ProofError.self) { try MerkleFrontier(size: 7, hashes: [[UInt8](repeating: 0, count: 32)]) }
        #expect(throws: ProofError.self) { try MerkleFrontier(size: 1, hashes: [[1, 2, 3]]) }
    }

    /// The node sets a store fetches are exactly what the proofs and roots read, at every size up to 130.
    @Test func proofNodeSetsAreExactlyWhatTheProofsRead() throws {
        var tree = MerkleTree()
        for i in 0..<130 { tree.append(entry: Array("e\(i)".utf8)) }
        for size in 1...130 {
            for index in 0..<size {
                var read: Set<MerkleNode> = [MerkleNode(level: 0, index: index)]
                let proof = try MerkleTree.inclusionProof(index: index, size: size) { n in
                    read.insert(n)
                    return tree.levels[n.level][n.index]
                }
                #expect(MerkleTree.inclusionNodes(index: index, size: size) == read, "size \(size), index \(index)")
                #expect(proof == (try tree.inclusionProof(index: index, size: size)))
            }
            var rootReads: Set<MerkleNode> = []
            _ = MerkleTree.root(size: size) { n in
                rootReads.insert(n)
                return tree.levels[n.level][n.index]
            }
            #expect(MerkleTree.rootNodes(size: size) == rootReads)
            #expect(rootReads.count == size.nonzeroBitCount)
        }
    }
}

/// A proof's siblings in one band share a tile — at most one more where the tree's ragged right edge splits into
/// several subtrees — which is what lets the embedded store read a band with one or two range reads.
@Suite struct StoredNodesTests {
    @Test(arguments: [(1 << 20, 1), (1_000_000, 2)])
    func aProofNeedsFewTilesPerBand(size: Int, tilesPerBand: Int) {
        for index in [0, 1, 255, 256, 4_095, 65_537, 499_999, size - 1] {
            let stored = MerkleTree.inclusionNodes(index: index, size: size).filter {
                $0.level >= StoredNodes.lowestInteriorLevel
            }
            let bands = Dictionary(grouping: stored) { StoredNodes.band($0.level) }
            for (band, nodes) in bands {
                #expect(Set(nodes.map(StoredNodes.tile)).count <= tilesPerBand, "leaf \(index), band \(band)")
                #expect(nodes.allSatisfy { StoredNodes.tile($0) >= 0 && band.contains($0.level) })
            }
        }
        #expect(StoredNodes.band(4) == 4...7 && StoredNodes.band(11) == 8...11)
        // The node at level 4, index 37 lies under node (8, 2): 37 >> 4.
        #expect(StoredNodes.tile(MerkleNode(level: 4, index: 37)) == 2)
        #expect(StoredNodes.tile(MerkleNode(level: 7, index: 37)) == 18)
        #expect(StoredNodes.tile(MerkleNode(level: 8, index: 37)) == 2)
    }
}

@Suite struct ProjectionTests {
    @Test func timesHaveOneSortableForm() {
        let t = Date(timeIntervalSince1970: 1_793_696_400)
        #expect(RFC3339.string(t, fraction: .milliseconds) == "2026-11-03T09:00:00.000Z")
        #expect(RFC3339.string(t.addingTimeInterval(0.5), fraction: .milliseconds) == "2026-11-03T09:00:00.500Z")
        #expect(RFC3339.string(t.addingTimeInterval(0.9996), fraction: .milliseconds) == "2026-11-03T09:00:01.000Z")
        #expect(
            RFC3339.string(Date(timeIntervalSince1970: -0.25), fraction: .milliseconds) == "1969-12-31T23:59:59.750Z")
        #expect(RFC3339.date("2026-11-03T10:00:00+01:00") == t)
    }

    @Test(arguments: [
        (#"{"request":"r","approver":"a","environment":"production"}"#, "approval.granted", "payload.digest"),
        (
            #"{"request":"r","verdict":"maybe"}"#, "gate.decided",
            "payload.verdict must be one of allowed, pending, denied"
        ),
        (#"{"name":"unit","status":"passed","digest":"sha256:abc"}"#, "check.reported", "payload.digest must be"),
        (#"{"reference":"registry.example.com/a:latest"}"#, "artifact.registered", "payload.reference is not"),
        (
            #"{"digest":"sha256:\#(String(repeating: "a", count: 64))","policy":"p","verified":"yes"}"#,
            "artifact.verified", "artifact.verified: payload.verified must be true or false"
        ),
        (
            #"{"id":"b","freeze":"f","environment":"e","reason":"r","incident":"i","expiresAt":"soon"}"#,
            "breakglass.invoked", "breakglass.invoked: payload.expiresAt must be an RFC 3339 time"
        ),
        (#"{"id":"d","request":"r","environment":"e","service":"s"}"#, "deploy.started", "payload.digest"),
        (
            #"{"id":"r","service":"s","environment":"e","artifact":"r.example/a@\#(LedgerFixtures.digest)","requester":"x","deployer":"y","change":{"commit":"c","ref":"refs/heads/main"}}"#,
            "deploy.requested", "deploy.requested: payload.change.kind is missing"
        ),
    ])
    func malformedPayloadsAreNamed(_ payload: String, _ type: String, _ expected: String) throws {
        let draft = try EntryDraft(
            type: EventType(rawValue: type)!, at: Date(), actor: "x", payload: JSONValue(parsing: payload))
        #expect {
            try Projection.validate(draft)
        } throws: { error in
            (error as? LedgerError)?.message.contains(expected) == true
                && (error as? LedgerError)?.code == .invalidInput
        }
    }

    @Test func everyStoryEntryIsValidAndEventsWithoutTablesProjectNothing() throws {
        for d in LedgerFixtures.deployStory() { try Projection.validate(d) }
        #expect(try Projection.statements(for: LedgerEntry(seq: 0, draft: LedgerFixtures.filler(1))).isEmpty)
    }

    /// `Projection.projects` lets an append skip building statements; it must never skip a type that has some.
    @Test func typesWithoutProjectionsProjectNothing() throws {
        // The smallest payload each type takes: nothing, or the fields it requires.
        let required: [EventType: JSONValue] = [
            .accessRefused: .object([
                ("identity", "x"), ("role", "deployer"), ("action", "POST /api/v1/tokens"), ("reason", "refused"),
            ]),
            .admissionWarned: .object([
                ("namespace", "shop"), ("kind", "v1 Pod"), ("uid", "u-1"), ("reason", "would have denied"),
            ]),
        ]
        for type in EventType.allCases where !Projection.projects(type) {
            let draft = try EntryDraft(type: type, at: Date(), actor: "x", payload: required[type] ?? .object([]))
            #expect(try Projection.statements(for: LedgerEntry(seq: 0, draft: draft)).isEmpty, "\(type)")
        }
        #expect(Projection.projects(EventType(rawValue: "gate.decided")!))
    }

    @Test func proofsRoundTripThroughJSON() throws {
        var tree = MerkleTree()
        for i in 0..<11 { tree.append(entry: Array("e\(i)".utf8)) }
        let proof = InclusionProof(
            index: 4, treeSize: 11, leafHash: tree.leafHash(at: 4), rootHash: tree.root(),
            proof: try tree.inclusionProof(index: 4, size: 11))
        let back = try InclusionProof(json: JSONValue(parsing: proof.json.canonicalString))
        #expect(back == proof && back.verifies)
        #expect(throws: ProofError.self) { try InclusionProof(json: JSONValue(parsing: #"{"leaf_index":1}"#)) }
        #expect(Hex.decode("zz") == nil && Hex.decode("0aFf") == [10, 255])
    }

    @Test func queryResultsRenderAsTableJSONAndCSV() {
        let r = QueryResult(columns: ["name", "n"], rows: [[.text("a,b"), .integer(2)], [.null, .real(1.5)]])
        #expect(r.csv == "name,n\r\n\"a,b\",2\r\n,1.5\r\n")
        #expect(r.json.canonicalString == #"[{"n":2,"name":"a,b"},{"n":1.5,"name":null}]"#)
        #expect(r.table.hasSuffix("(2 rows)\n"))
    }
}

/// The verifier hashes full blocks on worker threads, several at once; these logs span more blocks than can be in
/// flight, and a ragged tail.
@Suite struct LedgerVerifierTests {
    static let size = (LedgerVerifier.maxInFlight + 2) * LedgerVerifier.blockSize + 1_234
    static let at = "2026-11-03T10:00:00.000Z"
    static let entries = (0..<size).map {
        Array(#"{"actor":"a","at":"\#(at)","payload":{"n":\#($0)},"seq":\#($0),"type":"incident.opened"}"#.utf8)
    }
    static let tree: MerkleTree = {
        var t = MerkleTree()
        for e in entries { t.append(entry: e) }
        return t
    }()

    /// Feeds entries (optionally with one changed or one skipped), then every stored node; returns the report.
    static func verify(changing changed: Int? = nil, skipping skipped: Int? = nil) -> VerificationReport {
        var check = LedgerVerifier(expectedEntries: size)
        for (seq, bytes) in entries.enumerated() where seq != skipped {
            var stored = bytes
            // The payload's last digit: the bytes change, the indexed columns still match.
            if seq == changed {
                stored[stored.count - #"},"seq":\#(seq),"type":"incident.opened"}"#.utf8.count - 1] ^= 1
            }
            let ok = stored.withUnsafeBytes { b in
                tree.leafHash(at: seq).withUnsafeBytes { l in
                    columns(type: "incident.opened", at: at, actor: "a") {
                        check.entry(seq: Int64(seq), canonical: b, storedLeafHash: l, columns: $0)
                    }
                }
            }
            if !ok { break }
        }
        check.finishEntries()
        var count = 0
        for (level, hashes) in tree.levels.enumerated() where level >= StoredNodes.lowestInteriorLevel {
            for (index, hash) in hashes.enumerated() {
                count += 1
                _ = hash.withUnsafeBytes { check.node(level: level, index: index, hash: $0) }
            }
        }
        check.nodeCount(count)
        return check.report()
    }

    @Test func recomputesTheTreeAcrossBlocks() {
        let report = Self.verify()
        #expect(report.isValid, "\(String(describing: report.problem))")
        #expect(report.entries == Self.size && report.rootHash == Self.tree.root())
    }

    /// The async reader's way (PostgreSQL's row stream): before an entry that could wait for a worker, it suspends
    /// in `settle()`; the entry then never waits, and the tree and the first problem are the same.
    @Test(arguments: [nil, (LedgerVerifier.maxInFlight + 1) * LedgerVerifier.blockSize + 5])
    func anAsyncReaderSuspendsInsteadOfWaitingAndGetsTheSameAnswer(changing changed: Int?) async {
        var check = LedgerVerifier(expectedEntries: Self.size)
        var settled = 0
        for (seq, bytes) in Self.entries.enumerated() {
            if check.mayWait {
                await check.settle()
                settled += 1
                #expect(!check.mayWait)
            }
            var stored = bytes
            if seq == changed {
                stored[stored.count - #"},"seq":\#(seq),"type":"incident.opened"}"#.utf8.count - 1] ^= 1
            }
            let ok = stored.withUnsafeBytes { b in
                Self.tree.leafHash(at: seq).withUnsafeBytes { l in
                    columns(type: "incident.opened", at: Self.at, actor: "a") {
                        check.entry(seq: Int64(seq), canonical: b, storedLeafHash: l, columns: $0)
                    }
                }
            }
            if !ok { break }
        }
        await check.settleEntries()
        #expect(settled > 0, "the log spans more blocks than can be in flight, so the reader had to wait")
        if let changed {
            #expect(check.report().problem?.seq == Int64(changed))
        } else {
            #expect(check.problem == nil && check.count == Self.size)
        }
    }

    @Test(arguments: [
        3, LedgerVerifier.blockSize + 17, (LedgerVerifier.maxInFlight + 1) * LedgerVerifier.blockSize + 5,
        (LedgerVerifier.maxInFlight + 2) * LedgerVerifier.blockSize + 1_000,
    ])
    func namesTheFirstChangedEntryInAnyBlock(seq: Int) {
        #expect(Self.verify(changing: seq).problem?.seq == Int64(seq))
    }

    @Test func aChangeInABlockInFlightComesBeforeALaterGap() {
        let changed = LedgerVerifier.blockSize + 3
        let problem = Self.verify(changing: changed, skipping: 3 * LedgerVerifier.blockSize + 7).problem
        #expect(problem?.seq == Int64(changed) && problem?.message.contains("leaf hash") == true)
    }

    @Test func namesAMissingEntryAfterABlockInFlight() {
        let gap = LedgerVerifier.blockSize + 1
        let problem = Self.verify(skipping: gap).problem
        #expect(problem?.seq == Int64(gap) && problem?.message.contains("missing") == true)
    }
}

/// The stored columns every query filters on (type, time, actor) must say what the entry's bytes say.
@Suite struct IndexedColumnTests {
    static func entry(actor: String, type: String = "incident.opened", seq: Int64 = 7) -> [UInt8] {
        let draft = try! EntryDraft(
            type: EventType(rawValue: type)!, at: RFC3339.date("2026-11-03T10:00:00Z")!, actor: actor,
            payload: .object([("title", .string("x"))]))
        return LedgerEntry(seq: seq, draft: draft).canonicalBytes
    }

    static func mismatch(_ bytes: [UInt8], seq: Int64 = 7, type: String, at: String, actor: String) -> String? {
        bytes.withUnsafeBytes { b in
            columns(type: type, at: at, actor: actor) { LedgerVerifier.mismatchedColumn(seq, b, $0) }
        }
    }

    @Test(arguments: ["alice", "al\"ice", "back\\slash", "new\nline", "\u{1}ctl", "Ελένη", "😀"])
    func columnsThatSayWhatTheEntrySaysPass(actor: String) {
        let bytes = Self.entry(actor: actor)
        #expect(Self.mismatch(bytes, type: "incident.opened", at: "2026-11-03T10:00:00.000Z", actor: actor) == nil)
    }

    @Test func aRewrittenColumnIsNamed() {
        let bytes = Self.entry(actor: "mallory")
        let at = "2026-11-03T10:00:00.000Z"
        #expect(Self.mismatch(bytes, type: "incident.opened", at: at, actor: "alice") == "actor")
        #expect(Self.mismatch(bytes, type: "incident.opened", at: at, actor: "mallor") == "actor")
        #expect(Self.mismatch(bytes, type: "incident.opened", at: at, actor: "mallory\"") == "actor")
        #expect(
            Self.mismatch(bytes, type: "incident.opened", at: "2026-11-03T09:00:00.000Z", actor: "mallory") == "time")
        #expect(Self.mismatch(bytes, type: "incident.closed", at: at, actor: "mallory") == "type")
        #expect(Self.mismatch(bytes, type: "incident.opene", at: at, actor: "mallory") == "type")
        #expect(Self.mismatch(bytes, seq: 8, type: "incident.opened", at: at, actor: "mallory") == "type")
        // A column that would swallow the payload if lengths were not checked.
        #expect(Self.mismatch(bytes, type: "incident.opened", at: at, actor: "mallory\",\"at") == "actor")
    }
}

/// Runs `body` with the columns as the stores hand them over: raw UTF-8 bytes.
func columns<T>(
    type: String, at: String, actor: String,
    _ body: ((type: UnsafeRawBufferPointer, at: UnsafeRawBufferPointer, actor: UnsafeRawBufferPointer)) -> T
) -> T {
    Array(type.utf8).withUnsafeBytes { t in
        Array(at.utf8).withUnsafeBytes { a in Array(actor.utf8).withUnsafeBytes { r in body((t, a, r)) } }
    }
}
