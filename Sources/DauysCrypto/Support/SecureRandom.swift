import COpenSSL

/// Randomness for keys, nonces and batch-verification weights: OpenSSL's private DRBG,
/// seeded from the operating system (getrandom). Nothing else in Dauys produces randomness.
public enum SecureRandom {
    public static func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        let ok = out.withUnsafeMutableBytes { buf in
            RAND_priv_bytes(buf.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(count))
        }
        // Without randomness no protocol step is safe; there is no meaningful way to continue.
        precondition(ok == 1, "the system random number generator failed")
        return out
    }
}
