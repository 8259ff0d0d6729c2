import COpenSSL
import DauysCrypto
import Foundation

/// Measures the cryptographic core. Every figure is a median of repeated timings taken in the
/// same process, so ratios between them are meaningful even on a noisy machine.
public struct CryptoBenchmark: Sendable {
    public let batchBallots: Int
    public let includeModP: Bool

    public init(batchBallots: Int, includeModP: Bool) {
        self.batchBallots = batchBallots
        self.includeModP = includeModP
    }

    public struct Report: Sendable {
        public var entries: [(String, [(String, Double)])] = []
        public var json: String {
            var parts: [String] = []
            for (group, kv) in entries {
                let inner = kv.map { "\"\($0.0)\": \(format($0.1))" }.joined(separator: ", ")
                parts.append("\"\(group)\": {\(inner)}")
            }
            return "{" + parts.joined(separator: ", ") + "}"
        }
        public var table: String {
            var out = ""
            for (group, kv) in entries {
                out += "\(group)\n"
                for (k, v) in kv { out += "  \(k.padding(toLength: 34, withPad: " ", startingAt: 0)) \(format(v))\n" }
            }
            return out
        }
        private func format(_ v: Double) -> String {
            v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(format: "%.2f", v)
        }
    }

    public func run() async -> Report {
        var report = Report()
        report.entries.append(("p256", await measureP256()))
        if includeModP { report.entries.append(("modp4096", measureModP())) }
        return report
    }

    static func log(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }

    /// Median wall time in microseconds of `body`, run `n` times after a warm-up.
    static func median(_ n: Int, _ body: () -> Void) -> Double {
        for _ in 0..<min(3, n) { body() }
        var times: [Double] = []
        times.reserveCapacity(n)
        for _ in 0..<n {
            let t0 = DispatchTime.now().uptimeNanoseconds
            body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1000)
        }
        times.sort()
        return times[times.count / 2]
    }

    func measureP256() async -> [(String, Double)] {
        Self.log("P-256: raw OpenSSL a·G + b·P …")
        let doubleMult = RawOpenSSL.p256DoubleMultMicros(iterations: 2000)
        let (election, ctx) = Self.context(P256.self)
        let credential = KeyPair<P256>.generate()
        Self.log("P-256: encrypt ballot …")
        let encrypt = Self.median(500) { _ = try! ctx.encrypt(selections: [[1, 0]], credential: credential) }
        Self.log("P-256: create \(batchBallots) ballots for the batch run …")
        var encoded: [[UInt8]] = []
        encoded.reserveCapacity(batchBallots)
        for i in 0..<batchBallots {
            let c = KeyPair<P256>.generate()
            encoded.append(try! ctx.encrypt(selections: [i % 3 == 0 ? [0, 1] : [1, 0]], credential: c).bytes)
        }
        Self.log("P-256: verify single ballots …")
        var k = 0
        let verify = Self.median(500) {
            _ = try! ctx.decodeAndVerify(encoded[k % encoded.count])
            k += 1
        }
        Self.log("P-256: batch-verify \(batchBallots) ballots on all cores …")
        let verifier = BatchVerifier(context: ctx)
        var best = Double.infinity
        for _ in 0..<3 {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let verdicts = await verifier.verify(encoded: encoded)
            let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            precondition(verdicts.allSatisfy { $0 == nil }, "benchmark ballots must verify")
            best = min(best, dt)
        }
        _ = election
        return [
            ("double_mult_us", doubleMult),
            ("encrypt_ballot_us", encrypt),
            ("verify_ballot_us", verify),
            ("verify_over_double_mult", verify / doubleMult),
            ("batch_verify_ballots_per_s", (Double(batchBallots) / best).rounded()),
            ("threads", Double(ProcessInfo.processInfo.activeProcessorCount)),
            ("ballot_bytes", Double(encoded[0].count)),
        ]
    }

    func measureModP() -> [(String, Double)] {
        Self.log("modp4096 (ElectionGuard 1.0 group): raw modexp …")
        let modexp = RawOpenSSL.modExpMicros(iterations: 60)
        let (_, ctx) = Self.context(ElectionGuardV1.self)
        let credential = KeyPair<ElectionGuardV1>.generate()
        Self.log("modp4096: encrypt ballot …")
        let encrypt = Self.median(30) { _ = try! ctx.encrypt(selections: [[1, 0]], credential: credential) }
        let ballots = (0..<10).map { _ in try! ctx.encrypt(selections: [[0, 1]], credential: credential).bytes }
        Self.log("modp4096: verify ballot …")
        var k = 0
        let verify = Self.median(30) {
            _ = try! ctx.decodeAndVerify(ballots[k % ballots.count])
            k += 1
        }
        // The electionguard 1.4 Python package on this machine kind: 35 ms to encrypt,
        // 69 ms to verify a yes/no ballot (shared/reference/crypto-speed.md).
        return [
            ("modexp_us", modexp),
            ("encrypt_ballot_us", encrypt),
            ("verify_ballot_us", verify),
            ("speedup_vs_electionguard_encrypt", 35_000 / encrypt),
            ("speedup_vs_electionguard_verify", 69_000 / verify),
            ("ballot_bytes", Double(ballots[0].count)),
        ]
    }

    static func context<G: PrimeOrderGroup>(_: G.Type) -> (ElectionHash, BallotContext<G>) {
        let election = ElectionHash.derive("benchmark", parts: [Array(G.name.utf8)])
        let key = KeyPair<G>.generate().publicKey
        return (election, BallotContext(election: election, publicKey: key, shape: .referendum))
    }
}

/// Direct OpenSSL calls, the yardstick for our own figures.
enum RawOpenSSL {
    static func p256DoubleMultMicros(iterations: Int) -> Double {
        let group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1)!
        let ctx = BN_CTX_new()!
        let order = EC_GROUP_get0_order(group)!
        let a = BN_new()!, b = BN_new()!, k = BN_new()!
        BN_rand_range(a, order)
        BN_rand_range(b, order)
        BN_rand_range(k, order)
        let p = EC_POINT_new(group)!, r = EC_POINT_new(group)!
        EC_POINT_mul(group, p, k, nil, nil, ctx)
        defer {
            EC_POINT_free(p)
            EC_POINT_free(r)
            BN_free(a)
            BN_free(b)
            BN_free(k)
            BN_CTX_free(ctx)
            EC_GROUP_free(group)
        }
        return CryptoBenchmark.median(iterations) { _ = EC_POINT_mul(group, r, a, p, b, ctx) }
    }

    static func modExpMicros(iterations: Int) -> Double {
        let ctx = BN_CTX_new()!
        let p = BN_new()!, base = BN_new()!, e = BN_new()!, r = BN_new()!
        BN_set_bit(p, 4095)
        BN_rand(p, 4096, 1, 1)  // odd 4096-bit modulus
        BN_rand_range(base, p)
        BN_rand(e, 256, -1, 0)
        defer {
            BN_free(p)
            BN_free(base)
            BN_free(e)
            BN_free(r)
            BN_CTX_free(ctx)
        }
        return CryptoBenchmark.median(iterations) { _ = BN_mod_exp_mont(r, base, e, p, ctx, nil) }
    }
}
