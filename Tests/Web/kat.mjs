// The booth's JavaScript against the Swift known-answer vectors, in Node:
//   node Tests/Web/kat.mjs  → one JSON line {"passed": n, "failed": [...]}, exit 1 on any failure.
// The same checks run in Chromium (Tests/Web/browser_test.py).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runKAT } from "../../Sources/DauysServer/Web/js/kat.mjs";

const root = fileURLToPath(new URL("../DauysCryptoTests/Vectors/", import.meta.url));
const crypto = JSON.parse(readFileSync(root + "p256.json", "utf8"));
const eligibility = JSON.parse(readFileSync(root + "eligibility-p256.json", "utf8"));
const result = await runKAT(crypto, eligibility);
console.log(JSON.stringify(result));
process.exit(result.failed.length ? 1 : 0);
