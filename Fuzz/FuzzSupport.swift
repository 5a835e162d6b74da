// Shared by every harness (Fuzz/run.sh compiles it into each one): how a harness reads its input and how it fails
// a property. A property failure is a trap, which libFuzzer reports as a crash and saves the input for.

internal import Foundation

/// The input as bytes.
func bytes(_ data: UnsafePointer<UInt8>, _ size: Int) -> [UInt8] {
    Array(UnsafeBufferPointer(start: data, count: size))
}

/// Stops the run when a property does not hold: libFuzzer records the input as a crash.
func require(
    _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID,
    line: UInt = #line
) {
    if !condition() { fatalError("property violated: \(message())", file: file, line: line) }
}

/// Splits `input` at the first `separator` byte: harnesses whose entry point takes several arguments read them
/// from one input, e.g. an event name, a newline, then the body.
func split(_ input: [UInt8], at separator: UInt8 = UInt8(ascii: "\n")) -> (head: [UInt8], rest: [UInt8]) {
    guard let i = input.firstIndex(of: separator) else { return (input, []) }
    return (Array(input[..<i]), Array(input[(i + 1)...]))
}

/// Runs an `async` entry point to completion from libFuzzer's synchronous callback. The operation runs on the
/// global executor while this thread waits, so it must not need this thread (nothing in the harnesses does).
func blocking<T: Sendable>(_ operation: @escaping @Sendable () async -> T) -> T {
    let result = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task {
        result.value = await operation()
        done.signal()
    }
    done.wait()
    return result.value!
}

/// The cell `blocking` hands its result back through; the semaphore orders the write before the read.
private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}
