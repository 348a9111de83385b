/**
 * `lithos-replay stack --gpu h200 --hp <trace> --hp-rate <req/s> --be <trace> --policy <name> [--be-limit <pct>]
 *  --duration <s> --seed <n> --json` (a contract: keep it exactly). A latency-critical service (open-loop Poisson
 * requests) stacked with a best-effort job (iterations back to back) on one simulated GPU under a sharing policy.
 * With --json, one JSON object on stdout:
 *   {"policy", "gpu", "hp": {"requests", "p50_us", "p99_us", "throughput_rps", …}, "be": {"iterations", "throughput_its", …}, …}
 * "hp" or "be" is null when that tenant is not given.
 */
import { POLICY_NAMES } from "../policies";
import { replay, type TenantSpec } from "../replay";
import { parseArgs, UsageError } from "./args";
import { gpuOption } from "./gpu-option";
import { formatStackText } from "./stack-format";
import { gapOption, splitOption, workloadInput } from "./workload-option";

export const STACK_USAGE =
  "lithos-replay stack --gpu h200 --hp <trace> --hp-rate <req/s> --be <trace> --policy <" + POLICY_NAMES.join("|") + "> " +
  "[--be-limit <pct>] [--hp-limit <pct>] --duration <s> --seed <n> [--slo-us <µs>] [--hp-split <how>] [--be-split <how>] [--be-gap <µs|recorded>] [--json]";

function numberOption(options: Map<string, string | true>, key: string, check: (n: number) => boolean, what: string): number | undefined {
  const v = options.get(key);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== "string" || v.trim() === "" || !check(n)) throw new UsageError(`${key} takes ${what}, got "${String(v)}"`);
  return n;
}

export async function stackCommand(argv: string[]): Promise<number> {
  const { positionals, options } = parseArgs(argv,
    ["--gpu", "--hp", "--hp-rate", "--be", "--policy", "--be-limit", "--hp-limit", "--duration", "--seed", "--slo-us", "--hp-split", "--be-split", "--be-gap"], ["--json"]);
  if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
  const str = (k: string) => { const v = options.get(k); return typeof v === "string" ? v : undefined; };
  const gpu = gpuOption(options.get("--gpu"));
  const policy = str("--policy");
  if (!policy) throw new UsageError(`--policy is required (${POLICY_NAMES.join(", ")})`);
  if (!POLICY_NAMES.includes(policy)) throw new UsageError(`unknown policy "${policy}"; known: ${POLICY_NAMES.join(", ")}`);
  const hp = str("--hp"), be = str("--be");
  if (!hp && !be) throw new UsageError("give --hp <trace>, --be <trace>, or both");
  const rate = numberOption(options, "--hp-rate", (n) => n > 0 && Number.isFinite(n), "requests per second > 0");
  if (hp && rate === undefined) throw new UsageError("--hp needs --hp-rate <req/s>");
  const pct = (n: number) => n > 0 && n <= 100;
  const beLimit = numberOption(options, "--be-limit", pct, "a percentage in (0, 100]");
  const hpLimit = numberOption(options, "--hp-limit", pct, "a percentage in (0, 100]");
  const duration = numberOption(options, "--duration", (n) => n > 0 && Number.isFinite(n), "seconds > 0") ?? 12;
  const seed = numberOption(options, "--seed", (n) => Number.isSafeInteger(n) && n >= 0, "a whole number ≥ 0") ?? 1;
  const slo = numberOption(options, "--slo-us", (n) => n > 0, "microseconds > 0");

  const gap = gapOption(options.get("--be-gap"));
  const tenants: TenantSpec[] = [];
  if (hp) {
    tenants.push({ name: "hp", trace: await workloadInput(hp, splitOption(str("--hp-split"))), arrival: { kind: "poisson", ratePerS: rate! }, priority: 1, limitPct: hpLimit ?? null });
  }
  if (be) {
    tenants.push({ name: "be", trace: await workloadInput(be, splitOption(str("--be-split"))), arrival: { kind: "back-to-back" }, priority: 0, limitPct: beLimit ?? null, gapUs: gap });
  }
  const r = await replay({ gpu: gpu.key, policy, tenants, durationS: duration, seed, sloUs: slo ?? null });
  const s = r.summary;
  const hpSummary = hp ? s.tenants[0]! : null;
  const beSummary = be ? s.tenants[hp ? 1 : 0]! : null;
  const out = {
    policy: s.policy,
    gpu: s.gpu,
    duration_s: s.duration_s,
    seed,
    hp: hpSummary,
    be: beSummary,
    simulated_s: s.simulated_s,
    energy_j: s.energy_j,
    avg_power_w: s.avg_power_w,
    kernels: s.kernels,
    wall_ms: r.wallMs,
    policy_report: s.policy_report,
  };
  process.stdout.write(options.has("--json") ? `${JSON.stringify(out)}\n` : formatStackText(r));
  return 0;
}
