import CountersignTesting
import Foundation
import Testing

/// Issue 19 item 3: `serve --tls-cert --tls-key` speaks HTTPS — what a Kubernetes admission webhook needs — with a
/// certificate from a CA made here by openssl, checked by curl against that CA; the recorded AdmissionReview is
/// answered over it; the certificate is rotated in place (as cert-manager does) and the same listener serves the new
/// one; a key that is not the certificate's, or half a pair, refuses to start.
@Suite(.serialized) struct NativeTLSTests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tls-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// A CA `name`, and a server certificate for 127.0.0.1 it issued, as `name`.crt / `name`.key (server) and
    /// `name`-ca.crt.
    func issue(_ name: String) throws {
        let openssl = "/usr/bin/openssl"
        try Spawn.run(
            openssl,
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
                "-subj", "/CN=\(name) test CA", "-keyout", path("\(name)-ca.key"), "-out", path("\(name)-ca.crt"),
            ])
        try Spawn.run(
            openssl,
            [
                "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=countersign",
                "-keyout", path("\(name).key"), "-out", path("\(name).csr"),
            ])
        try "subjectAltName=IP:127.0.0.1,DNS:localhost\n".write(
            toFile: path("san.ext"), atomically: true, encoding: .utf8)
        try Spawn.run(
            openssl,
            [
                "x509", "-req", "-in", path("\(name).csr"), "-CA", path("\(name)-ca.crt"), "-CAkey",
                path("\(name)-ca.key"), "-CAcreateserial", "-days", "1", "-extfile", path("san.ext"), "-out",
                path("\(name).crt"),
            ])
    }

    /// `curl` over HTTPS trusting `ca`: the status and body, or nil when the handshake is refused.
    func curl(_ url: String, ca: String, body: String? = nil) throws -> (status: Int, body: String)? {
        var arguments = ["-sS", "--max-time", "10", "--cacert", path(ca), "-w", "\n%{http_code}", url]
        if let body {
            try body.write(toFile: path("body.json"), atomically: true, encoding: .utf8)
            arguments += ["-H", "Content-Type: application/json", "--data-binary", "@" + path("body.json")]
        }
        guard let output = try? Spawn.run("/usr/bin/curl", arguments) else { return nil }
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }

    @Test func httpsWithRotationAndRefusals() async throws {
        try issue("first")
        try issue("second")
        // The served files, rotated in place later.
        try FileManager.default.copyItem(atPath: path("first.crt"), toPath: path("tls.crt"))
        try FileManager.default.copyItem(atPath: path("first.key"), toPath: path("tls.key"))
        let database = path("ledger.db")
        let server = try ScaleOutTests.Server(
            database: database, policy: "examples/policy",
            ["--tls-cert", path("tls.crt"), "--tls-key", path("tls.key")])
        defer { _ = server.stop() }
        let base = "https://127.0.0.1:\(server.port)"

        let live = try #require(try curl(base + "/livez", ca: "first-ca.crt"), "the TLS handshake failed")
        #expect(live.status == 200)
        #expect(live.body.contains(#""status":"ok""#))
        // The recorded AdmissionReview, answered over HTTPS.
        let review = try String(
            contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent(
                    "../../../shared/testdata/webhooks/k8s.admissionreview.v1.pod-create.request.json"
                ).standardized, encoding: .utf8)
        let answered = try #require(try curl(base + "/admission/validate", ca: "first-ca.crt", body: review))
        #expect(answered.status == 200)
        #expect(answered.body.contains("e94a7790-a4fc-11e9-a276-42010a3e0104"), "\(answered.body)")
        // Plain HTTP to the TLS port is not served.
        #expect(
            (try? Spawn.run("/usr/bin/curl", ["-sS", "--max-time", "5", "http://127.0.0.1:\(server.port)/livez"]))?
                .contains("ok") != true)
        // A client that trusts another CA refuses the server.
        #expect(try curl(base + "/livez", ca: "second-ca.crt") == nil)

        // Rotation in place: the key first, then the certificate (a half-written pair keeps the old one serving).
        try FileManager.default.removeItem(atPath: path("tls.key"))
        try FileManager.default.copyItem(atPath: path("second.key"), toPath: path("tls.key"))
        #expect(try curl(base + "/livez", ca: "first-ca.crt")?.status == 200, "a mismatched pair took the server down")
        try FileManager.default.removeItem(atPath: path("tls.crt"))
        try FileManager.default.copyItem(atPath: path("second.crt"), toPath: path("tls.crt"))
        #expect(try curl(base + "/livez", ca: "second-ca.crt")?.status == 200, "the rotated certificate is not served")
        #expect(try curl(base + "/livez", ca: "first-ca.crt") == nil, "the old certificate is still served")
    }

    /// A Secret mounted in a pod, renewed the way kubelet renews it: `tls.crt` is a link to `..data/tls.crt` that
    /// never changes; the new pair lands in a new timestamped directory and `..data` is repointed to it in one
    /// rename. The server follows the links and serves the renewed certificate without a restart.
    @Test func aSecretRenewedByKubeletIsServed() async throws {
        try issue("first")
        try issue("second")
        let secret = path("secret")
        let fm = FileManager.default
        func version(_ name: String, from pair: String) throws {
            try fm.createDirectory(atPath: secret + "/" + name, withIntermediateDirectories: true)
            try fm.copyItem(atPath: path(pair + ".crt"), toPath: secret + "/" + name + "/tls.crt")
            try fm.copyItem(atPath: path(pair + ".key"), toPath: secret + "/" + name + "/tls.key")
        }
        try version("..2026_12_07_10_00_00.1", from: "first")
        try fm.createSymbolicLink(atPath: secret + "/..data", withDestinationPath: "..2026_12_07_10_00_00.1")
        for file in ["tls.crt", "tls.key"] {
            try fm.createSymbolicLink(atPath: secret + "/" + file, withDestinationPath: "..data/" + file)
        }
        let server = try ScaleOutTests.Server(
            database: path("ledger.db"), policy: "examples/policy",
            ["--tls-cert", secret + "/tls.crt", "--tls-key", secret + "/tls.key"])
        defer { _ = server.stop() }
        let base = "https://127.0.0.1:\(server.port)"
        #expect(try curl(base + "/livez", ca: "first-ca.crt")?.status == 200)

        try version("..2026_12_07_11_00_00.2", from: "second")
        try fm.createSymbolicLink(atPath: secret + "/..data_tmp", withDestinationPath: "..2026_12_07_11_00_00.2")
        #expect(rename(secret + "/..data_tmp", secret + "/..data") == 0)
        try fm.removeItem(atPath: secret + "/..2026_12_07_10_00_00.1")
        #expect(try curl(base + "/livez", ca: "second-ca.crt")?.status == 200, "the renewed certificate is not served")
        #expect(try curl(base + "/livez", ca: "first-ca.crt") == nil, "the old certificate is still served")
    }

    @Test func aPairThatCannotServeRefusesToStart() throws {
        try issue("first")
        try issue("second")
        for (more, message) in [
            (["--tls-cert", path("first.crt"), "--tls-key", path("second.key")], "is not the private key of"),
            (["--tls-cert", path("first.crt")], "TLS needs both --tls-cert and --tls-key"),
            (["--tls-cert", path("first.key"), "--tls-key", path("first.key")], "not a PEM certificate chain"),
        ] {
            let run = try CommandRunner.run(
                ["serve", "--database", path("ledger.db"), "--policy", "examples/policy", "--port", "0"] + more)
            #expect(run.status != 0)
            #expect(run.stderr.contains(message), "\(run.stderr)")
        }
    }
}
