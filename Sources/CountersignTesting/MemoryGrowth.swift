internal import Foundation

/// How many bytes of resident memory `body` adds — the least over three runs — or `nil` where the system does not
/// say (Linux's `/proc/self/statm` only). For tests that a loop leaks nothing: a leak grows the process in every
/// run, while memory that other tests running at the same time touch, or that `body` frees, does not.
public func memoryGrowth(_ body: () throws -> Void) rethrows -> Int? {
    func resident() -> Int? {
        // A FileHandle read: /proc files have size 0, and swift-foundation's whole-file reads leak on those.
        guard let handle = FileHandle(forReadingAtPath: "/proc/self/statm"), let data = try? handle.readToEnd()
        else { return nil }
        try? handle.close()
        let fields = String(decoding: data, as: UTF8.self).split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
    var least = Int.max
    for _ in 0..<3 {
        guard let before = resident() else { return nil }
        try body()
        guard let after = resident() else { return nil }
        least = min(least, after - before)
    }
    return least
}
