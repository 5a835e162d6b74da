import Foundation
import Testing

@testable import CountersignCanary

#if canImport(Glibc)
    import Glibc
#endif

/// Providers facing a server that never answers, and the file provider's bad inputs: an Error with a reason
/// within the timeout, never a hang.
@Suite struct ProviderFaultTests {
    /// A TCP port that accepts connections (the kernel completes them from the backlog) but never answers.
    final class SilentServer {
        let fd: Int32
        let port: UInt16

        init() throws {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            addr.sin_port = 0
            let bound = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            try #require(bound == 0 && listen(fd, 16) == 0)
            var len = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
            }
            self.fd = fd
            self.port = UInt16(bigEndian: addr.sin_port)
        }

        deinit { close(fd) }
    }

    @Test func silentServerTimesOut() async throws {
        let server = try SilentServer()
        let url = "http://127.0.0.1:\(server.port)"
        do {
            _ = try await PrometheusProvider(defaultAddress: url).measure(
                PrometheusQuery(query: "up", timeout: .seconds(1)), at: Date())
            Issue.record("a silent server answered")
        } catch {
            #expect(error.code == .measurementFailed)
            #expect(error.message.contains("no answer within"), "\(error.message)")
        }
        do {
            _ = try await WebProvider().measure(WebRequest(url: url + "/x", timeout: .seconds(1)))
            Issue.record("a silent server answered")
        } catch {
            #expect(error.message.contains("no answer within"), "\(error.message)")
        }
    }

    @Test func samplesFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cs-samples-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(#"{"latency": [0.1, 0.2, null], "ok": true}"#.utf8).write(to: dir.appendingPathComponent("s.json"))
        try Data("not json".utf8).write(to: dir.appendingPathComponent("bad.json"))
        let provider = SamplesFileProvider(baseDirectory: dir)
        #expect(
            try provider.measure(SamplesFile(path: "s.json", key: "latency"))
                == .list([.number(0.1), .number(0.2), .null]))
        #expect(try provider.measure(SamplesFile(path: "s.json", key: "ok")) == .bool(true))
        #expect(throws: CanaryError(.measurementFailed, "")) {
            try provider.measure(SamplesFile(path: "s.json", key: "x"))
        }
        #expect(throws: CanaryError(.measurementFailed, "")) { try provider.measure(SamplesFile(path: "bad.json")) }
        #expect(throws: CanaryError(.measurementFailed, "")) { try provider.measure(SamplesFile(path: "missing.json")) }
    }
}
