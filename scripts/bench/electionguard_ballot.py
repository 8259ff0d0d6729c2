"""Times the `electionguard` 1.4 Python package (GMP via gmpy2) on a yes/no referendum ballot:
one referendum contest, 2 selections, vote limit 1 (so 1 placeholder), 3 guardians, quorum 2.
Prints one JSON object: median encrypt_ms and verify_ms. Run by scripts/bench/compare-electionguard."""
import json
import logging
import statistics
import sys
import time
from datetime import datetime

from electionguard.ballot import PlaintextBallot, PlaintextBallotContest, PlaintextBallotSelection
from electionguard.ballot_validator import ballot_is_valid_for_election
from electionguard_tools.helpers.election_builder import ElectionBuilder
from electionguard.elgamal import elgamal_keypair_random
from electionguard.encrypt import encrypt_ballot
from electionguard.group import ONE_MOD_Q, TWO_MOD_Q
from electionguard.manifest import (BallotStyle, Candidate, ElectionType, GeopoliticalUnit, Manifest,
                                    ReferendumContestDescription, ReportingUnitType, SelectionDescription,
                                    SpecVersion, VoteVariationType)

logging.disable(logging.CRITICAL)

manifest = Manifest(
    spec_version=SpecVersion.EG0_95, election_scope_id="kz-2026", type=ElectionType.unknown,
    start_date=datetime.now(), end_date=datetime.now(),
    geopolitical_units=[GeopoliticalUnit("kz", "Kazakhstan", ReportingUnitType.unknown)],
    parties=[], candidates=[Candidate("yes"), Candidate("no")],
    contests=[ReferendumContestDescription(
        "constitution", 0, "kz", VoteVariationType.one_of_m, 1, 1, "constitution",
        [SelectionDescription("constitution-yes", 0, "yes"), SelectionDescription("constitution-no", 1, "no")])],
    ballot_styles=[BallotStyle("kz-style", ["kz"])],
)
keypair = elgamal_keypair_random()
builder = ElectionBuilder(number_of_guardians=3, quorum=2, manifest=manifest)
builder.set_public_key(keypair.public_key)
builder.set_commitment_hash(TWO_MOD_Q)
internal, context = builder.build()

def plaintext(i):
    choice = "constitution-yes" if i % 2 == 0 else "constitution-no"
    return PlaintextBallot(f"b{i}", "kz-style", [PlaintextBallotContest("constitution", [PlaintextBallotSelection(choice, 1, False)])])

n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
enc, ver, ballots = [], [], []
for i in range(n):
    t0 = time.perf_counter()
    b = encrypt_ballot(plaintext(i), internal, context, ONE_MOD_Q)
    enc.append(time.perf_counter() - t0)
    ballots.append(b)
for b in ballots:
    t0 = time.perf_counter()
    ok = ballot_is_valid_for_election(b, internal, context, True)
    ver.append(time.perf_counter() - t0)
    assert ok
print(json.dumps({"electionguard_version": "1.4.0", "encrypt_ms": round(statistics.median(enc) * 1000, 2),
                  "verify_ms": round(statistics.median(ver) * 1000, 2), "ballots": n}))
