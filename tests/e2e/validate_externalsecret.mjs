// Validates ExternalSecret manifests (JSON, one per argument) against the schema of
// External Secrets Operator's CRD, as @kubernetes-models/external-secrets generates it
// from that CRD. Exits 1 naming the first violation.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const module = join(process.env.ESO_MODELS_DIR, "node_modules/@kubernetes-models/external-secrets",
                    "external-secrets.io/v1/ExternalSecret.js");
const { ExternalSecret } = await import(pathToFileURL(module).href);
for (const path of process.argv.slice(2)) {
  const object = JSON.parse(readFileSync(path, "utf8"));
  try {
    new ExternalSecret(object).validate();
  } catch (e) {
    console.error(`${path}: ${e.message}`);
    process.exit(1);
  }
  console.log(`${path}: valid ExternalSecret (external-secrets.io/v1)`);
}
