internal import Crypto
internal import Foundation
internal import NIOCore
public import NIOSSL
internal import Synchronization
internal import _CryptoExtras

/// The server's TLS certificate and key, read from files and read again when they change — cert-manager rotates a
/// mounted secret in place, and the listener must keep serving without a restart. Every TLS hello asks
/// ``override`` (swift-nio-ssl's context callback); a change of either file's modification time or size reloads
/// both, and a pair that does not load (half written, mismatched) keeps the previous one until a good pair appears,
/// so a rotation never takes the server down.
public final class CertificateReloader: Sendable {
    public let certificatePath: String
    public let keyPath: String

    struct Loaded: Sendable {
        var chain: [NIOSSLCertificate]
        var key: NIOSSLPrivateKey
        var stamp: String
    }
    private let current: Mutex<Loaded>

    /// Reads both files now; an unreadable pair is an error naming the file, so `serve` refuses to start with it.
    public init(certificatePath: String, keyPath: String) throws {
        self.certificatePath = certificatePath
        self.keyPath = keyPath
        current = Mutex(try Self.load(certificatePath, keyPath))
    }

    /// A server TLS configuration whose certificate follows the files.
    public var configuration: TLSConfiguration {
        let loaded = current.withLock { $0 }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: loaded.chain.map { .certificate($0) }, privateKey: .privateKey(loaded.key))
        configuration.minimumTLSVersion = .tlsv12
        configuration.sslContextCallback = { [self] _, promise in promise.succeed(override()) }
        return configuration
    }

    /// The certificate and key to use for this handshake: reloaded first when the files changed.
    func override() -> NIOSSLContextConfigurationOverride {
        let stamp = Self.stamp(certificatePath, keyPath)
        let loaded: Loaded = current.withLock { state in
            guard state.stamp != stamp, let fresh = try? Self.load(certificatePath, keyPath) else { return state }
            state = fresh
            return fresh
        }
        var override = NIOSSLContextConfigurationOverride()
        override.certificateChain = loaded.chain.map { .certificate($0) }
        override.privateKey = .privateKey(loaded.key)
        return override
    }

    /// What identifies the files' current contents without reading them: for each, the file a chain of links
    /// ends at, its inode, modification time and size. The link's own attributes are not enough — in a pod the
    /// Secret's `tls.crt` is a link that never changes while kubelet repoints `..data` beside it on each renewal.
    static func stamp(_ paths: String...) -> String {
        paths.map { path in
            let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: resolved) else { return "missing" }
            let time = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            let inode = attributes[.systemFileNumber].map { "\($0)" } ?? "?"
            return "\(resolved)@\(inode)/\(time)/\(attributes[.size] as? Int ?? -1)"
        }.joined(separator: "|")
    }

    static func load(_ certificatePath: String, _ keyPath: String) throws -> Loaded {
        let stamp = stamp(certificatePath, keyPath)
        let chain: [NIOSSLCertificate]
        do { chain = try NIOSSLCertificate.fromPEMFile(certificatePath) } catch {
            throw TLSFileError(message: "--tls-cert \(certificatePath): not a PEM certificate chain (\(error))")
        }
        guard !chain.isEmpty else { throw TLSFileError(message: "--tls-cert \(certificatePath): no certificate") }
        let key: NIOSSLPrivateKey
        do { key = try NIOSSLPrivateKey(file: keyPath, format: .pem) } catch {
            throw TLSFileError(message: "--tls-key \(keyPath): not a PEM private key (\(error))")
        }
        // The key must be the certificate's: a mismatched pair would fail every handshake (and, mid-rotation, a key
        // replaced before its certificate is such a pair). Compared by public key, read with swift-crypto.
        let pem = (try? String(contentsOfFile: keyPath, encoding: .utf8)) ?? ""
        if let expected = Self.publicKey(ofPrivateKeyPEM: pem),
            (try? chain[0].extractPublicKey().toSPKIBytes()) != expected
        {
            throw TLSFileError(message: "--tls-key \(keyPath) is not the private key of --tls-cert \(certificatePath)")
        }
        return Loaded(chain: chain, key: key, stamp: stamp)
    }

    /// The SubjectPublicKeyInfo DER of a PEM private key: ECDSA P-256, P-384, P-521 or RSA; nil for another type
    /// (whose pair swift-nio-ssl checks at the handshake).
    static func publicKey(ofPrivateKeyPEM pem: String) -> [UInt8]? {
        if let key = try? P256.Signing.PrivateKey(pemRepresentation: pem) {
            return Array(key.publicKey.derRepresentation)
        }
        if let key = try? P384.Signing.PrivateKey(pemRepresentation: pem) {
            return Array(key.publicKey.derRepresentation)
        }
        if let key = try? P521.Signing.PrivateKey(pemRepresentation: pem) {
            return Array(key.publicKey.derRepresentation)
        }
        if let key = try? _RSA.Signing.PrivateKey(pemRepresentation: pem) {
            return Array(key.publicKey.derRepresentation)
        }
        return nil
    }
}

/// A TLS certificate or key file that cannot be used.
public struct TLSFileError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
