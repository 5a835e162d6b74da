// libFuzzer harness `ledger`: the input is an evidence pack — `entries.jsonl`, `proofs.jsonl`, `checkpoint` and
// optionally `coverage.json`, separated by NUL bytes — checked the way `countersign ledger verify-pack` checks one:
// the files are written to a directory, read by `EvidencePack(reading:)` and verified with `verify(verifier:)`. An
// auditor runs this on a pack someone else produced, so every byte of it is untrusted. Without a fourth part the
// harness writes a coverage of every time and the first to the last entry's sequence number (what a pack of the
// whole log would claim), so the checks behind the coverage are reached by the corpus's three-part packs too.
//
// A checkpoint without a signature (no blank line) is signed by the harness with the test key below, so the
// fuzzer also reaches the entry and proof checks behind the signature; one with a signature is taken as it is,
// which fuzzes the signed-note reader. The same input is also read as a note key (verifier and private key forms)
// and a checkpoint body.
//
// Properties: a pack that verifies has as many entries as proofs, in consecutive sequence covering its coverage,
// each entry canonical and its proof valid; verification is deterministic.

import CountersignEncoding
internal import Foundation

@testable internal import CountersignLedger

/// A key made for the fuzzer only (`countersign keys generate --name fuzz.countersign.test`, kept in
/// Fuzz/ledger-fuzz.key); it signs nothing else. The corpus's packs are signed with it.
let signer = try! NoteSigner(
    privateKey: "PRIVATE+KEY+fuzz.countersign.test+f5aad6c4+Acd5BIvx7gLP2UGyTuw1MDnRrS4A/XhowfDwe3zeMFtN")
let verifier = signer.verifier
/// The pack directory (a RAM disk when there is one).
let packDirectory: URL = {
    let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    let url = URL(fileURLWithPath: "\(base)/countersign-ledger-fuzz-\(getpid())")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let input = bytes(data, size)
    let (entries, afterEntries) = split(input, at: 0)
    let (proofs, afterProofs) = split(afterEntries, at: 0)
    let (checkpointBytes, coverageBytes) = split(afterProofs, at: 0)
    var checkpoint = String(decoding: checkpointBytes, as: UTF8.self)
    _ = try? NoteVerifier(checkpoint)
    _ = try? NoteSigner(privateKey: checkpoint)
    _ = try? Checkpoint(body: checkpoint)
    _ = Checkpoint.body(ofNote: checkpoint)
    if !checkpoint.contains("\n\n"), let signed = try? signer.sign(checkpoint) { checkpoint = signed }
    var coverage = coverageBytes
    if coverage.isEmpty {
        let seqs = String(decoding: entries, as: UTF8.self).split(separator: "\n").compactMap {
            try? LedgerEntry(canonical: String($0)).seq
        }
        let first = seqs.first.map(String.init) ?? "null"
        let last = seqs.last.map(String.init) ?? "null"
        coverage = Array(
            #"{"first":\#(first),"from":"0001-01-01T00:00:00Z","last":\#(last),"to":"9999-12-31T23:59:59Z"}"#.utf8)
    }
    for (name, content) in [
        ("entries.jsonl", entries), ("proofs.jsonl", proofs), ("checkpoint", Array(checkpoint.utf8)),
        ("coverage.json", coverage),
    ] {
        _ = FileManager.default.createFile(
            atPath: packDirectory.appendingPathComponent(name).path, contents: Data(content))
    }
    guard let pack = try? EvidencePack(reading: packDirectory) else { return 0 }
    let result = pack.verify(verifier: verifier)
    let again = pack.verify(verifier: verifier)
    switch (result, again) {
    case (.success(let a), .success(let b)):
        require(a == b, "verifying the same pack twice gave two checkpoints")
        require(pack.entries.count == pack.proofs.count, "a pack with \(pack.entries.count) entries verified")
        var previous: Int64 = -1
        for (line, proof) in zip(pack.entries, pack.proofs) {
            let entry = try? LedgerEntry(canonical: line)
            require(entry?.json.canonicalString == line, "a verified pack holds a non-canonical entry: \(line)")
            require(
                previous < 0 || (entry?.seq ?? -1) == previous + 1, "a verified pack's sequence has a gap or goes back")
            previous = entry?.seq ?? previous
            require(proof.verifies && proof.treeSize == a.size, "a verified pack holds a proof that does not verify")
        }
    case (.failure(let a), .failure(let b)):
        require(a.message == b.message, "verifying the same pack twice failed differently")
    default:
        fatalError("verifying the same pack twice gave different answers")
    }
    return 0
}
