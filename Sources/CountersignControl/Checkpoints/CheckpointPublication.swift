internal import AsyncHTTPClient
public import CountersignLedger
internal import Foundation
internal import Glibc
internal import NIOCore
internal import NIOHTTP1

/// Where signed checkpoints are kept outside the database, so that the database cannot rewrite its own past: a
/// directory (`checkpoint`, the latest note, and `checkpoints/<size>`, every one published) or an http(s) URL that
/// takes the latest note by PUT and gives it back by GET (an object store, a web server, a witness's feed). A restore
/// or a verification then checks the ledger against what was published (`ledger verify --published`, `ledger
/// restore`), and publication itself refuses a checkpoint that does not extend the one already there — so a ledger
/// restored from an old backup, which signs again from the past, stops at its first publication instead of
/// overwriting the evidence of its fork.
public struct CheckpointPublication: Sendable {
    public enum Place: Sendable, Equatable {
        case directory(String)
        /// A single note file; read-only (something else published it).
        case file(String)
        case url(String)
    }

    public let place: Place
    /// The bearer token a URL is written with (`COUNTERSIGN_PUBLISH_TOKEN`), never logged.
    let token: String?

    /// A directory (created when first published to), an existing note file, or an http(s) URL.
    public init(_ text: String, token: String? = nil) throws(ControlError) {
        if text.hasPrefix("https://") || text.hasPrefix("http://") {
            guard let url = URLComponents(string: text), url.host?.isEmpty == false, url.fragment == nil else {
                throw ControlError(.badRequest, "not a URL to publish checkpoints to: \(text)")
            }
            place = .url(text)
        } else {
            guard !text.isEmpty, !text.contains("://") else {
                throw ControlError(.badRequest, "checkpoints are published to a directory or an http(s) URL: \(text)")
            }
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: text, isDirectory: &isDirectory)
            place = exists && !isDirectory.boolValue ? .file(text) : .directory(text)
        }
        self.token = token.flatMap { $0.isEmpty ? nil : $0 }
    }

    public var description: String {
        switch place {
        case .directory(let path), .file(let path): path
        case .url(let url): url
        }
    }

    /// The latest published note; nil when nothing has been published there yet.
    public func latest() async throws(ControlError) -> String? {
        switch place {
        case .file(let path): return try Self.read(path)
        case .directory(let path):
            let file = path + "/checkpoint"
            guard FileManager.default.fileExists(atPath: file) else { return nil }
            return try Self.read(file)
        case .url(let url):
            let (status, body) = try await request(.GET, url)
            if status == 404 { return nil }
            guard status == 200 else {
                throw ControlError(
                    .unavailable, "GET \(url) answered HTTP \(status): the published checkpoint is unknown")
            }
            return body
        }
    }

    /// The latest published checkpoint, parsed (its signatures are the reader's to check).
    public func latestCheckpoint() async throws(ControlError) -> (note: String, checkpoint: Checkpoint)? {
        guard let note = try await latest() else { return nil }
        do { return (note, try Checkpoint(body: try SignedNote(note).text)) } catch {
            throw ControlError(.unprocessable, "the checkpoint published at \(description) is malformed: \(error)")
        }
    }

    /// Checks `ledger` against the latest checkpoint published here: signed by the log's key, cosigned by every
    /// witness named, and extended by the ledger — at least as many entries, and the same root at its size. Returns
    /// the checkpoint; throws naming what does not hold (`conflict` for a ledger that lost or rewrote entries).
    public func check(
        _ ledger: any LedgerStore, log: NoteVerifier, witnesses: [CosignatureVerifier]
    ) async throws(ControlError) -> Checkpoint {
        guard let note = try await latest() else {
            throw ControlError(.notFound, "no checkpoint has been published at \(description)")
        }
        let checkpoint: Checkpoint
        do {
            checkpoint = try Checkpoint(body: try log.verify(note))
            for witness in witnesses { _ = try witness.verify(note) }
        } catch {
            throw ControlError(.unprocessable, "the checkpoint published at \(description): \(error)")
        }
        let (size, root): (Int, [UInt8]?)
        do {
            size = try await ledger.size()
            root = size >= checkpoint.size ? try await ledger.root(size: checkpoint.size) : nil
        } catch { throw ControlError(ledger: error) }
        guard let root else {
            throw ControlError(
                .conflict,
                "the ledger holds \(size) entries, fewer than the \(checkpoint.size) the published checkpoint "
                    + "covers: entries were lost (an older backup?) and serving it would fork the signed log")
        }
        guard root == checkpoint.rootHash else {
            throw ControlError(
                .conflict,
                "the ledger's root at size \(checkpoint.size) is not the published checkpoint's: the ledger was "
                    + "rewritten")
        }
        return checkpoint
    }

    /// Publishes `note`, a checkpoint this ledger signed — after proving the ledger extends the one already
    /// published: the same log, no smaller, and the ledger's root at the published size is the published root.
    public func publish(_ note: String, ledger: any LedgerStore) async throws(ControlError) {
        let checkpoint: Checkpoint
        do { checkpoint = try Checkpoint(body: try SignedNote(note).text) } catch {
            throw ControlError(.internal, "refusing to publish a malformed checkpoint: \(error)")
        }
        if let (_, published) = try await latestCheckpoint() {
            guard published.origin == checkpoint.origin else {
                throw ControlError(
                    .conflict,
                    "\(description) holds checkpoints of log \(published.origin), not \(checkpoint.origin): refusing "
                        + "to publish over another log's")
            }
            let extends: Bool
            do { extends = try await ledger.extends(published) } catch { throw ControlError(ledger: error) }
            // Another node published a larger checkpoint of this same log meanwhile: this one is older, not a fork.
            if extends, checkpoint.size < published.size { return }
            guard extends else {
                throw ControlError(
                    .conflict,
                    "FORK: this ledger does not extend the checkpoint published at \(description) (size "
                        + "\(published.size)): it was restored from an older copy or rewritten; refusing to publish")
            }
        }
        try await put(note, size: checkpoint.size)
    }

    /// Writes `note` (of tree size `size`) as the latest, unchecked: for a caller that proved it extends what is
    /// there — the witness, which checked consistency with the last checkpoint it cosigned.
    public func put(_ note: String, size: Int) async throws(ControlError) {
        switch place {
        case .file(let path):
            throw ControlError(.badRequest, "\(path) is a file: checkpoints are published to a directory or a URL")
        case .directory(let path):
            try Self.write(note, directory: path + "/checkpoints", name: String(size))
            try Self.write(note, directory: path, name: "checkpoint")
        case .url(let url):
            let (status, _) = try await request(.PUT, url, body: note)
            guard (200..<300).contains(status) else {
                throw ControlError(.unavailable, "PUT \(url) answered HTTP \(status): the checkpoint is not published")
            }
        }
    }

    private func request(_ method: HTTPMethod, _ url: String, body: String? = nil) async throws(ControlError) -> (
        Int, String
    ) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
            request.body = .bytes(ByteBuffer(string: body))
        }
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            let bytes = try await response.body.collect(upTo: 64 << 10)
            return (Int(response.status.code), String(buffer: bytes))
        } catch {
            throw ControlError(.unavailable, "\(method.rawValue) \(url) failed: \(error)")
        }
    }

    private static func read(_ path: String) throws(ControlError) -> String {
        guard let data = FileManager.default.contents(atPath: path), data.count <= 64 << 10 else {
            throw ControlError(.unavailable, "cannot read the published checkpoint \(path)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Writes `name` in `directory` whole or not at all: a temporary file, synced, renamed over, the directory synced.
    private static func write(_ text: String, directory: String, name: String) throws(ControlError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ControlError(.unavailable, "cannot create \(directory): \(error.localizedDescription)")
        }
        let temporary = directory + "/.\(name).\(getpid()).tmp"
        let target = directory + "/" + name
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw ControlError(.unavailable, "cannot write \(temporary): errno \(errno)") }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == bytes.count, synced, rename(temporary, target) == 0 else {
            unlink(temporary)
            throw ControlError(.unavailable, "cannot write \(target): errno \(errno)")
        }
        let directoryFD = open(directory, O_RDONLY)
        if directoryFD >= 0 {
            fsync(directoryFD)
            close(directoryFD)
        }
    }
}
