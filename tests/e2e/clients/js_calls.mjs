// Runs a list of AWS SDK for JavaScript v3 calls and prints what happened, as JSON.
// stdin:  {"calls": [{"client": "CloudWatch"|"STS"|"EC2"|"SNS", "command": "PutMetricData",
//                     "input": {...}}]}   ({"$date": ISO} values become Date objects)
// stdout: {"results": [{"ok", "data", "code", "status", "attempts", "elapsed",
//                       "requests": [{"method", "path", "headers", "body"}]}]}
// Endpoint, keys and region come from AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY and AWS_DEFAULT_REGION (what `recoverlab env` prints).
import * as cw from "@aws-sdk/client-cloudwatch";
import * as sts from "@aws-sdk/client-sts";
import * as ec2 from "@aws-sdk/client-ec2";
import * as sns from "@aws-sdk/client-sns";

const modules = { CloudWatch: cw, STS: sts, EC2: ec2, SNS: sns };

function revive(v) {
  if (Array.isArray(v)) return v.map(revive);
  if (v && typeof v === "object") {
    if (typeof v.$date === "string") return new Date(v.$date);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, revive(x)]));
  }
  return v;
}

function bodyText(b) {
  if (b == null) return null;
  if (typeof b === "string") return b.slice(0, 4096);
  if (b instanceof Uint8Array) return Buffer.from(b).subarray(0, 4096).toString("latin1");
  return String(b).slice(0, 4096);
}

async function runOne(spec) {
  const mod = modules[spec.client];
  const client = new mod[spec.client + "Client"]({
    region: process.env.AWS_DEFAULT_REGION,
    endpoint: process.env.AWS_ENDPOINT_URL,
  });
  const requests = [];
  client.middlewareStack.add(
    (next) => async (args) => {
      const r = args.request;
      requests.push({ method: r.method, path: r.path, headers: { ...r.headers },
                      body: bodyText(r.body) });
      return next(args);
    },
    { step: "finalizeRequest", priority: "low", name: "e2eCapture" },
  );
  const out = { ok: false, requests };
  const t0 = performance.now();
  try {
    const data = await client.send(new mod[spec.command + "Command"](revive(spec.input || {})));
    out.ok = true;
    out.data = data;
    out.status = data.$metadata.httpStatusCode;
    out.attempts = data.$metadata.attempts;
  } catch (e) {
    out.code = e.name;
    out.message = e.message;
    out.status = e.$metadata?.httpStatusCode;
    out.attempts = e.$metadata?.attempts;
  }
  out.elapsed = (performance.now() - t0) / 1000;
  client.destroy();
  return out;
}

let input = "";
for await (const chunk of process.stdin) input += chunk;
const spec = JSON.parse(input);
const results = [];
for (const c of spec.calls) results.push(await runOne(c));
process.stdout.write(JSON.stringify({ results }) + "\n");
