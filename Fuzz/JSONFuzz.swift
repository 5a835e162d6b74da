// libFuzzer harness `json`: the input is a JSON text, read by the JSON readers that take outside input —
//
// - `JSONValue(parsing:)` (CountersignEncoding), the one reader: every request body, webhook delivery, signed
//   document and ledger payload, and the RFC 8785 canonical writer whose bytes are hashed into the ledger;
// - `EntryDraft(json:)`: `countersign ledger append` and the import path;
// - `LedgerEntry(canonical:)`: entries read back from a store or an evidence pack;
// - `Value(json:)` (CEL): `countersign cel eval` bindings, through the same reader.
//
// Properties: the canonical form re-reads to the same value and is a fixed point (canonicalising it again gives
// the same bytes); every number's ECMAScript form reads back as the same double; an entry read from its own
// canonical form is the same entry once its time is in ledger precision.

import CountersignEncoding
internal import Foundation

@testable internal import CEL
@testable internal import CountersignLedger

/// Every number in `value`, depth first.
func numbers(_ value: JSONValue, into out: inout [Double]) {
    switch value {
    case .number(let d): out.append(d)
    case .array(let items): for item in items { numbers(item, into: &out) }
    case .object(let members): for (_, member) in members { numbers(member, into: &out) }
    default: break
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let input = bytes(data, size)
    let text = String(decoding: input, as: UTF8.self)
    _ = try? Value(json: text)
    _ = try? EntryDraft(json: text, defaultTime: Date(timeIntervalSince1970: 0))
    if let entry = try? LedgerEntry(canonical: text) {
        let normalised = entry.json.canonicalString
        let reread = try? LedgerEntry(canonical: normalised)
        require(reread != nil, "an entry's canonical form does not read back: \(normalised)")
        if let reread {
            require(reread.json.canonicalString == normalised, "an entry changes on its second round trip")
        }
    }
    guard let value = try? JSONValue(parsing: input) else { return 0 }
    let canonical = value.canonicalString
    guard let again = try? JSONValue(parsing: canonical) else {
        fatalError("the canonical form of a parsed value does not parse: \(canonical)")
    }
    require(again.canonicalString == canonical, "canonicalisation is not a fixed point: \(canonical)")
    var found: [Double] = []
    numbers(value, into: &found)
    for d in found {
        let written = JSONValue.ecmaScriptNumber(d)
        require(Double(written) == d, "\(d) is written as \(written)")
    }
    return 0
}
