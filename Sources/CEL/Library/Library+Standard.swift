extension Library {
    /// Every library Countersign enables by default: the standard environment, optionals, time, and the extension
    /// libraries Kubernetes policy authors expect.
    public static let standardLibraries: [Library] = [
        .standard, .optionals, .time, .strings, .math, .lists, .sets, .encoders, .network, .regex, .url, .semver,
        .quantity,
    ]
}
