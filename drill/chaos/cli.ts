// npm run chaos [-- --runs N] [--seed S] [--json]     the fault sweep (default 2,000 runs, seed 1)
// npm run chaos -- --replay SEED:PATH                  replays one shrunk scenario with its timeline
// Exit codes: 0 no violation, 1 a violation, 2 a usage error. --plant is for the sweep's own test.
import "../quiet";
import { CHAOS_DEFECTS, type ChaosDefect } from "./defect-names";
import { INVARIANT_NAMES } from "./invariants";

// The sweep (the drill, the synthesized pipeline, cdktf: ~1 s of CPU) loads only once the command
// line is found good, so a mistake in it is answered at once.
const sweepCode = async () => ({ ...(await import("../report")), ...(await import("./scenario")), ...(await import("./sweep")) });

const USAGE = "usage: npm run chaos -- [--runs N] [--seed S] [--json] | --replay SEED:PATH";

function parse(argv: readonly string[]): { runs: number; seed: number; json: boolean; replay?: string; plant: ChaosDefect[] } {
  const out = { runs: 2000, seed: 1, json: false, replay: undefined as string | undefined, plant: [] as ChaosDefect[] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    const whole = (v: string, min: number) => {
      if (!/^\d+$/.test(v) || Number(v) < min) throw new Error(`${arg} ${JSON.stringify(v)}: expected a whole number of at least ${min}`);
      return Number(v);
    };
    if (arg === "--runs") out.runs = whole(value(), 1);
    else if (arg === "--seed") out.seed = whole(value(), 0);
    else if (arg === "--json") out.json = true;
    else if (arg === "--replay") {
      // SEED:PATH as the sweep prints it: fast-check's seed, then the shrink path (numbers separated by colons).
      const v = value();
      if (!/^-?\d+(:\d+)*$/.test(v)) throw new Error(`--replay ${JSON.stringify(v)}: expected SEED:PATH as the sweep printed it, a whole number and then whole numbers separated by colons (e.g. 1042:3:0:1)`);
      out.replay = v;
    } else if (arg === "--plant") {
      const v = value().split(",");
      const unknown = v.filter((d) => !(CHAOS_DEFECTS as readonly string[]).includes(d));
      if (unknown.length > 0) throw new Error(`--plant ${JSON.stringify(unknown.join(","))}: no such defect; the defects are ${CHAOS_DEFECTS.join(", ")}`);
      out.plant = v as ChaosDefect[];
    }
    else if (arg === "--help" || arg === "-h") throw new Error(USAGE);
    else throw new Error(`unknown option ${JSON.stringify(arg)}; ${USAGE}`);
  }
  return out;
}

async function main(): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(process.argv.slice(2));
  } catch (err) {
    const message = (err as Error).message;
    if (process.argv.includes("--json")) console.log(JSON.stringify({ error: message }));
    else console.error(message);
    return 2;
  }
  const { describeScenario, formatTimeline, replay, startSweepDrill, sweep } = await sweepCode();
  if (args.replay !== undefined) {
    const drill = await startSweepDrill(args.plant, true);
    try {
      const { scenario, violations, result } = await replay(drill, args.replay);
      if (args.json) {
        console.log(JSON.stringify({ scenario, violations, tasksStarted: result.tasksStarted, alarms: result.alarms }));
      } else {
        console.log(`scenario: ${describeScenario(scenario)}`);
        console.log(formatTimeline(result));
        console.log(violations.length === 0 ? "no violation" : violations.map((v) => `✘ ${v.invariant} (${INVARIANT_NAMES[v.invariant]}): ${v.detail}`).join("\n"));
      }
      return violations.length === 0 ? 0 : 1;
    } finally {
      await drill.stop();
    }
  }
  const result = await sweep({ runs: args.runs, seed: args.seed, plant: args.plant });
  if (args.json) {
    console.log(JSON.stringify({ ...result, examples: result.examples.map(({ seed, invariant, replay: command }) => ({ seed, invariant, replay: command })) }));
  } else {
    console.log(`${result.runs} scenarios from seed ${args.seed}: ${result.violations} violated an invariant (${result.wallSeconds} s)`);
    for (const [invariant, n] of Object.entries(result.byInvariant)) console.log(`  ${invariant} ${String(n).padStart(5)}  ${INVARIANT_NAMES[invariant as keyof typeof INVARIANT_NAMES]}`);
    for (const e of result.examples) console.log(`\n${e.invariant}: ${e.detail}\n  smallest: ${e.scenario}\n  replay:   ${e.replay}`);
  }
  return result.violations === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(2);
  },
);
