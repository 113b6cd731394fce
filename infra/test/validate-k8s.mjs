// Validates Kubernetes objects against their OpenAPI schemas with the `kubernetes-models` classes (construct each
// object with its class, call .validate()). An ES module run as a child process because kubernetes-models 5 is
// ESM-only and jest here runs CommonJS. Reads a JSON array of objects on stdin and writes one result per object:
// {index, apiVersion, kind, name, status: "valid" | "invalid" | "no-model", error?}.
import { Buffer } from 'node:buffer';
import process from 'node:process';

async function modelFor(apiVersion, kind) {
  // core/v1 lives at kubernetes-models/v1/<Kind>; a group at kubernetes-models/<group>/<version>/<Kind>.
  try {
    const mod = await import(`kubernetes-models/${apiVersion}/${kind}`);
    return mod[kind];
  } catch {
    return undefined;
  }
}

async function main() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  const objects = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const results = [];
  for (const [index, obj] of objects.entries()) {
    const base = { index, apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata?.name };
    const Model = await modelFor(obj.apiVersion, obj.kind);
    if (!Model) {
      results.push({ ...base, status: 'no-model' });
      continue;
    }
    try {
      new Model(obj).validate();
      results.push({ ...base, status: 'valid' });
    } catch (err) {
      results.push({ ...base, status: 'invalid', error: err instanceof Error ? err.message : String(err) });
    }
  }
  process.stdout.write(JSON.stringify(results));
}

main().catch((err) => {
  process.stderr.write(`validate-k8s: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
