import CountersignTesting
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// What one client can hold of the real server, over raw sockets as an attacker holds them: idle and half-sent
/// connections are closed at the idle timeout, connections past the cap are closed on accept, and webhook bodies
/// are refused before they are read — unsigned by their headers, beyond the cap on bodies read at once with 429.
@Suite(.serialized) struct ConnectionLimitTests {
    /// A running `countersign serve` with tight limits, stopped at the end.
    final class Server {
        let process: ChildProcess
        let port: UInt16
        let directory: URL

        init(_ arguments: [String], environment: [String: String] = [:]) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("limits-\(UUID())")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            process = try ChildProcess(
                try CommandRunner.binary().path,
                ["serve", "--database", directory.appendingPathComponent("l.db").path, "--port", "0"] + arguments,
                environment: environment, standardError: .discard)
            let line = String(decoding: CommandRunner.readSome(process.standardOutput!), as: UTF8.self)
            guard let range = line.range(of: "127.0.0.1:"),
                let port = UInt16(line[range.upperBound...].prefix { $0.isNumber })
            else { throw CommandRunner.RunnerError(message: "no listening line: \(line)") }
            self.port = port
        }

        deinit {
            process.terminate()
            process.waitUntilExit()
            try? FileManager.default.removeItem(at: directory)
        }
    }

    /// A raw TCP connection to 127.0.0.1.
    final class Connection {
        let fd: Int32

        init(port: UInt16) throws {
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard result == 0 else { throw CommandRunner.RunnerError(message: "connect failed: \(errno)") }
        }

        deinit { close(fd) }

        func send(_ text: String) { _ = text.withCString { Glibc.send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) } }

        /// What the server sends within `seconds`, and whether it closed the connection by then.
        func read(for seconds: Double) -> (text: String, closed: Bool) {
            var received: [UInt8] = []
            let deadline = Date().addingTimeInterval(seconds)
            var buffer = [UInt8](repeating: 0, count: 65536)
            while Date() < deadline {
                var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let ready = poll(&poller, 1, Int32(max(1, deadline.timeIntervalSinceNow * 1000)))
                guard ready > 0 else { continue }
                let n = recv(fd, &buffer, buffer.count, 0)
                if n <= 0 { return (String(decoding: received, as: UTF8.self), true) }
                received += buffer[0..<n]
            }
            return (String(decoding: received, as: UTF8.self), false)
        }
    }

    @Test func idleAndHalfSentConnectionsAreClosed() throws {
        let server = try Server(["--idle-timeout", "1"])
        let silent = try Connection(port: server.port)
        let halfSent = try Connection(port: server.port)
        halfSent.send("GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        let started = Date()
        #expect(silent.read(for: 4).closed, "a connection that sends nothing is closed")
        #expect(halfSent.read(for: 4).closed, "a request head that never completes is closed")
        #expect(Date().timeIntervalSince(started) < 4)
        // A live connection still works, and so does keep-alive within the timeout.
        let live = try Connection(port: server.port)
        live.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(live.read(for: 0.5).text.hasPrefix("HTTP/1.1 200"))
    }

    @Test func connectionsBeyondTheCapAreClosedOnAccept() throws {
        let server = try Server(["--max-connections", "3"])
        let held = try (0..<3).map { _ in try Connection(port: server.port) }
        for c in held { c.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n") }
        #expect(held.allSatisfy { $0.read(for: 0.5).text.hasPrefix("HTTP/1.1 200") })
        let extra = try Connection(port: server.port)
        extra.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        let answer = extra.read(for: 2)
        #expect(answer.closed && answer.text.isEmpty, "\(answer)")
        _ = held  // held open until here
    }

    @Test func webhookBodiesAreRefusedBeforeTheyAreRead() throws {
        let server = try Server(
            [], environment: ["COUNTERSIGN_GITHUB_WEBHOOK_SECRET": "s3cret", "COUNTERSIGN_GITHUB_TOKEN": "ghs_x"])
        let head = { (signature: String?, length: Int) in
            "POST /webhooks/github HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "X-GitHub-Event: ping\r\nX-GitHub-Delivery: d\r\nContent-Length: \(length)\r\n"
                + (signature.map { "X-Hub-Signature-256: \($0)\r\n" } ?? "") + "\r\n"
        }
        let cap = 25 << 20
        // No signature: 401 at once, without a byte of the 25 MB body sent.
        let unsigned = try Connection(port: server.port)
        unsigned.send(head(nil, cap))
        #expect(unsigned.read(for: 2).text.hasPrefix("HTTP/1.1 401"))
        // A declared length past GitHub's 25 MB cap: 413 at once.
        let signature = "sha256=" + String(repeating: "ab", count: 32)
        let oversized = try Connection(port: server.port)
        oversized.send(head(signature, cap + 1))
        #expect(oversized.read(for: 2).text.hasPrefix("HTTP/1.1 413"))
        // Well-formed signatures: four bodies are read at once, the fifth is 429 before its body arrives.
        let readers = try (0..<4).map { _ in try Connection(port: server.port) }
        for r in readers {
            r.send(head(signature, cap))
            r.send(String(repeating: "x", count: 1024))
        }
        #expect(readers.allSatisfy { $0.read(for: 0.3).text.isEmpty }, "the four are being read")
        let fifth = try Connection(port: server.port)
        fifth.send(head(signature, cap))
        #expect(fifth.read(for: 2).text.hasPrefix("HTTP/1.1 429"))
        _ = readers
    }
}
