import DauysCrypto
import DauysRecord
import Foundation

/// The checks that depend on the group: key ceremony, credentials, ballots, tally, decryption.
struct GroupVerifier<G: PrimeOrderGroup> {
    let manifest: Manifest
    let manifestPayload: [UInt8]
    let scan: BoardScan
    let directory: String
    let progress: (@Sendable (String) -> Void)?

    func entries(_ k: EntryKind) -> [BoardEntry] { scan.byKind[k] ?? [] }

    func run(_ log: inout CheckLog, _ report: inout VerificationReport) async {
        let base = RecordContext.baseHash(manifestPayload: manifestPayload, group: G.name)
        guard let threshold = try? manifest.threshold, let shape = try? manifest.ballotShape() else {
            log.fail("manifest", "trustee threshold or ballot shape invalid"); return
        }

        // Key ceremony.
        var pks: [TrusteePublicKey<G>] = []
        for e in entries(.trusteeKey) {
            do {
                let pk = try TrusteePublicKey<G>(payload: e.payload)
                if pks.contains(where: { $0.index == pk.index }) { log.fail("key ceremony", "trustee \(pk.index) published two keys") }
                do { try pk.verify(threshold: threshold, election: base) } catch {
                    log.fail("key ceremony", "trustee \(pk.index) public key: \(error)")
                }
                pks.append(pk)
            } catch { log.fail("key ceremony", "entry \(e.index): \(error)") }
        }
        var complaints: [ShareComplaint] = [], reveals: [ShareReveal<G>] = []
        for e in entries(.encryptedShare) {
            if (try? EncryptedShare<G>(payload: e.payload)) == nil { log.fail("key ceremony", "encrypted share at \(e.index) is malformed") }
        }
        for e in entries(.complaint) {
            if let c = try? ShareComplaint(payload: e.payload) { complaints.append(c) } else { log.fail("key ceremony", "complaint at \(e.index) is malformed") }
        }
        for e in entries(.shareReveal) {
            if let r = try? ShareReveal<G>(payload: e.payload) { reveals.append(r) } else { log.fail("key ceremony", "reveal at \(e.index) is malformed") }
        }
        let qualified = KeyCeremony.qualified(publicKeys: pks, complaints: complaints, reveals: reveals, threshold: threshold, election: base)
        if qualified.count < threshold.quorum { log.fail("key ceremony", "only \(qualified.count) qualified trustees, quorum is \(threshold.quorum)") }
        let jointKey = KeyCeremony.jointKey(publicKeys: pks, qualified: qualified)
        let electionHash = RecordContext.electionHash(base: base, qualified: qualified.sorted(), key: jointKey)
        let ekEntries = entries(.electionKey)
        if ekEntries.count != 1 { log.fail("key ceremony", "expected one election-key entry, found \(ekEntries.count)") }
        if let e = ekEntries.first {
            if let ek = try? ElectionKeyRecord<G>(payload: e.payload) {
                if ek.qualified != qualified.sorted() { log.fail("key ceremony", "published qualified trustees \(ek.qualified) differ from the complaints' outcome \(qualified.sorted())") }
                if ek.publicKey != jointKey { log.fail("key ceremony", "published election key is not the product of the qualified trustees' commitments") }
                if ek.electionHash != electionHash { log.fail("key ceremony", "published election hash is not derived from the manifest and the key") }
            } else { log.fail("key ceremony", "election key entry is malformed") }
        }
        if jointKey.isIdentity { log.fail("key ceremony", "the election key is the neutral element"); return }

        // Credentials.
        var regionOf: [DigestKey: Int] = [:]
        var eligible = [UInt64](repeating: 0, count: manifest.regions.count)
        for e in entries(.credentials) {
            do {
                let list = try CredentialList<G>(payload: e.payload)
                guard list.region < manifest.regions.count else { log.fail("credential lists", "entry \(e.index) names region \(list.region), which does not exist"); continue }
                for c in list.credentials {
                    if regionOf.updateValue(list.region, forKey: DigestKey(c.bytes)) != nil {
                        log.fail("credential lists", "a credential is listed twice (entry \(e.index))")
                    }
                }
                eligible[list.region] += UInt64(list.credentials.count)
            } catch { log.fail("credential lists", "entry \(e.index): \(error)") }
        }
        if regionOf.isEmpty { log.fail("credential lists", "no credential was published") }

        // Ballots, pass 1: verify every ballot in parallel, find the last one per credential.
        let context = BallotContext(election: electionHash, publicKey: jointKey, shape: shape)
        let verifier = BatchVerifier(context: context, chunkSize: 32)
        var lastOf: [DigestKey: Int] = [:]      // credential → position in ballotIndices
        var seen = Set<DigestKey>()
        var reader: RecordReader
        do { reader = try RecordReader(path: directory + "/" + RecordFile.boardFileName) } catch { log.fail("record format", "\(error)"); return }
        var batch: [[UInt8]] = [], batchPositions: [Int] = []
        var position = 0
        let credRange = 33..<(33 + G.elementByteCount)
        func flush(_ log: inout CheckLog) async {
            let verdicts = await verifier.verify(encoded: batch)
            for (i, v) in verdicts.enumerated() where v != nil {
                log.fail("ballots", "ballot at entry \(scan.ballotIndices[batchPositions[i]]): \(v!)")
            }
            batch.removeAll(keepingCapacity: true)
            batchPositions.removeAll(keepingCapacity: true)
        }
        while let next = reader.next() {
            guard case .success(let e) = next, e.kind == .ballot else { continue }
            if !seen.insert(DigestKey(e.payload)).inserted {
                log.fail("ballots", "ballot at entry \(e.index) is an exact copy of an earlier ballot (replay)")
            }
            if e.payload.count >= credRange.upperBound {
                let cred = DigestKey(e.payload[credRange])
                if regionOf[cred] == nil { log.fail("ballots", "ballot at entry \(e.index) is signed by a credential that was never published") }
                lastOf[cred] = position
            }
            batch.append(e.payload)
            batchPositions.append(position)
            position += 1
            if batch.count == 4096 {
                await flush(&log)
                progress?("verifying ballots: \(position) of \(scan.ballotIndices.count)")
            }
        }
        if !batch.isEmpty { await flush(&log) }
        // Paper votes override e-votes: revoked credentials' ballots do not count.
        var revoked = Set<DigestKey>()
        let tallyIndex = entries(.encryptedTally).first?.index ?? UInt64.max
        for e in entries(.revokedCredentials) {
            if e.index > tallyIndex { log.fail("phases", "revoked credentials at entry \(e.index) come after the tally") }
            do {
                for c in try RevokedCredentials<G>(payload: e.payload).credentials {
                    if regionOf[DigestKey(c.bytes)] == nil { log.fail("credential lists", "entry \(e.index) revokes a credential that was never published") }
                    revoked.insert(DigestKey(c.bytes))
                }
            } catch { log.fail("credential lists", "revoked credentials at entry \(e.index): \(error)") }
        }
        for k in revoked { lastOf[k] = nil }
        let countedPositions = Set(lastOf.values)
        report.countedBallots = countedPositions.count
        var participants = [UInt64](repeating: 0, count: manifest.regions.count)
        for (cred, _) in lastOf { if let r = regionOf[cred] { participants[r] += 1 } }
        for (ri, p) in participants.enumerated() where p > eligible[ri] {
            log.fail("ballots", "region \(manifest.regions[ri].id) counts \(p) ballots for \(eligible[ri]) credentials")
        }

        // Ballots, pass 2: add up the counted ballots per region.
        progress?("adding up \(countedPositions.count) counted ballots")
        let summer = await sumCounted(countedPositions: countedPositions, regionOf: regionOf, shape: shape)

        // Encrypted tally.
        let units = RecordContext.tallyUnits(manifest: manifest, ballotsPerRegion: participants)
        let tallyEntries = entries(.encryptedTally)
        var tally: EncryptedTally<G>? = nil
        if tallyEntries.count != 1 {
            log.fail("encrypted tally", "expected one encrypted-tally entry, found \(tallyEntries.count)")
        } else if let t = try? EncryptedTally<G>(payload: tallyEntries[0].payload, shape: shape) {
            tally = t
            if t.units != units { log.fail("encrypted tally", "tally units \(t.units.map(\.id)) differ from those the counted ballots give \(units.map(\.id))") }
            for (u, sums) in zip(t.units, t.sums) where units.contains(u) {
                if summer.unitSums(u) != sums { log.fail("encrypted tally", "unit \(u.id) is not the sum of its counted ballots") }
            }
        } else { log.fail("encrypted tally", "the encrypted tally cannot be read") }

        // Decryption shares and results.
        guard let tally else { return }
        let labelled = tally.labelled(manifest)
        var valid: [Int: [DecryptionShare<G>]] = [:]
        var order: [Int] = []
        for e in entries(.decryptionShares) {
            guard let d = try? TrusteeDecryption<G>(payload: e.payload) else { log.fail("decryption shares", "entry \(e.index) is malformed"); continue }
            guard qualified.contains(d.trustee) else { log.fail("decryption shares", "trustee \(d.trustee) is not a qualified trustee"); continue }
            guard valid[d.trustee] == nil else { log.fail("decryption shares", "trustee \(d.trustee) posted decryption shares twice"); continue }
            guard d.shares.count == labelled.count else { log.fail("decryption shares", "trustee \(d.trustee) posted \(d.shares.count) shares for \(labelled.count) tallies"); continue }
            let vk = KeyCeremony.verificationKey(for: d.trustee, publicKeys: pks, qualified: qualified)
            var ok = true
            for (s, (label, c)) in zip(d.shares, labelled) where !s.verify(ciphertext: c, verificationKey: vk, label: label, election: electionHash) {
                log.fail("decryption shares", "trustee \(d.trustee)'s share for \(String(decoding: label, as: UTF8.self)) does not verify")
                ok = false
            }
            if ok { valid[d.trustee] = d.shares; order.append(d.trustee) }
        }
        guard order.count >= threshold.quorum else {
            log.fail("decryption shares", "valid shares from \(order.count) trustees, the quorum is \(threshold.quorum)"); return
        }
        let used = Array(order.prefix(threshold.quorum))
        var unitResults: [UnitResult] = []
        var k = 0
        let dlog = DiscreteLog<G>.shared
        for (u, sums) in zip(tally.units, tally.sums) {
            var totals: [[UInt64]] = []
            for (qi, q) in shape.questions.enumerated() {
                var enc: [UInt64] = []
                for c in sums[qi] {
                    do {
                        let m = try ThresholdDecryption.combine(used.map { valid[$0]![k] }, ciphertext: c, quorum: threshold.quorum)
                        enc.append(try dlog.solve(m, bound: u.ballots * UInt64(q.maxSelections)))
                    } catch {
                        log.fail("decrypted results", "unit \(u.id) question \(qi + 1): \(error)")
                        enc.append(0)
                    }
                    k += 1
                }
                totals.append(q.optionTotals(encryptedTotals: enc, ballots: u.ballots))
            }
            unitResults.append(UnitResult(id: u.id, regions: u.regions.map { manifest.regions[$0].id }, ballots: u.ballots, totals: totals))
        }
        let computed = Results.compute(manifest: manifest, eligible: eligible, participants: participants, units: unitResults)
        report.results = computed
        let resultEntries = entries(.results)
        guard resultEntries.count == 1, let published = try? CanonicalJSON.decode(Results.self, resultEntries[0].payload) else {
            log.fail("decrypted results", "expected one readable results entry, found \(resultEntries.count)"); return
        }
        if published.units != computed.units { log.fail("decrypted results", "published totals differ from the decryption of the tally") }
        if published.regions != computed.regions { log.fail("decrypted results", "published regional figures differ from the record") }
        if published.questions != computed.questions { log.fail("decision rules", "the published outcome does not follow from the figures and the rules") }
        if published.payload != resultEntries[0].payload { log.fail("decrypted results", "results entry is not canonical JSON") }

        // Side files, if present, must equal the board entries.
        for (name, payload) in [("manifest.json", manifestPayload), ("results.json", resultEntries[0].payload)] {
            let p = directory + "/" + name
            if FileManager.default.fileExists(atPath: p), let d = FileManager.default.contents(atPath: p), Array(d) != payload {
                log.fail("side files", "\(name) differs from its entry on the board")
            }
        }
    }

    /// Σ of the counted ballots' ciphertexts per region (bounded memory, all cores).
    func sumCounted(countedPositions: Set<Int>, regionOf: [DigestKey: Int], shape: BallotShape) async -> TallySummer<G> {
        var summer = TallySummer<G>(shape: shape, regionOf: regionOf, regions: manifest.regions.count)
        guard var reader = try? RecordReader(path: directory + "/" + RecordFile.boardFileName) else { return summer }
        var position = 0
        while let next = reader.next() {
            guard case .success(let e) = next, e.kind == .ballot else { continue }
            if countedPositions.contains(position) { await summer.add(e.payload) }
            position += 1
        }
        await summer.flush()
        return summer
    }
}
