// The fault sweep: runs seeded scenarios through one drill, judges each on ground truth, and shrinks
// the first violation of each invariant to its smallest scenario with a command that replays it.
import fc from "fast-check";
import { Drill, type DrillResult } from "../runner";
import type { ChaosDefect } from "../drill-types";
import { INVARIANTS, judge, type Invariant, type Violation } from "./invariants";
import { runScenario, SPOKE_CLUSTER } from "./run-scenario";
import { describeScenario, scenarioArb, type Scenario } from "./scenario";

export interface SweepOptions {
  /** Scenarios to run. */
  readonly runs: number;
  /** Seed of the first scenario; scenario i has seed `seed + i`. */
  readonly seed: number;
  /** TEST ONLY: defects to plant back. @default none */
  readonly plant?: readonly ChaosDefect[];
  /** Shrink the first violation of each invariant. @default true */
  readonly shrink?: boolean;
  /** Stop after the first scenario that violates an invariant. @default false */
  readonly stopAtFirst?: boolean;
}

export interface Example {
  readonly seed: number;
  readonly invariant: Invariant;
  readonly detail: string;
  /** The smallest failing scenario fast-check found, in one line. */
  readonly scenario: string;
  /** A command that replays it. */
  readonly replay: string;
}

export interface SweepResult {
  readonly runs: number;
  /** Scenarios that violated at least one invariant. */
  readonly violations: number;
  readonly byInvariant: Record<Invariant, number>;
  readonly examples: Example[];
  readonly wallSeconds: number;
}

/**
 * The drill the sweep runs on: synthesized once, its endpoints reset for every scenario. A hub that
 * protects its own batch-ec2 and a spoke's (222233334444, eu-west-1), so a scenario may happen in
 * either place. In-process: the SDK clients reach the same endpoints' code without a socket (the
 * drill's scenarios and tests use sockets); a socket costs more than the pipeline here.
 */
export function startSweepDrill(plant: readonly ChaosDefect[] = [], timeline = false): Promise<Drill> {
  return Drill.start({ timeline, slackTimeoutMs: 100, plant, clusters: ["batch-ec2", SPOKE_CLUSTER], transport: "in-process" });
}

/** The scenario a seed draws (what `--runs 1 --seed S` runs). */
export function scenarioOf(seed: number): Scenario {
  return fc.sample(scenarioArb, { seed, numRuns: 1 })[0];
}

export async function judgeScenario(drill: Drill, s: Scenario, seed: number): Promise<{ violations: Violation[]; result: DrillResult }> {
  const { result, observation } = await runScenario(drill, s, seed);
  const maxAttempts = Number(drill.pipeline.rerunEnvironment.MAX_ATTEMPTS ?? 3);
  return { violations: judge(s, observation, maxAttempts), result };
}

/** Shrinks the scenario of `seed` to the smallest one still violating `invariant`. */
async function shrink(drill: Drill, seed: number, invariant: Invariant): Promise<{ scenario: Scenario; path: string; detail: string }> {
  let detail = "";
  const out = await fc.check(
    fc.asyncProperty(scenarioArb, async (s) => {
      const found = (await judgeScenario(drill, s, seed)).violations.find((v) => v.invariant === invariant);
      if (found) detail = found.detail;
      return found === undefined;
    }),
    { seed, numRuns: 1 },
  );
  if (!out.failed || out.counterexample === null) throw new Error(`scenario of seed ${seed} no longer violates ${invariant}: the sweep is not deterministic`);
  // Run the smallest once more, so `detail` is its own.
  const smallest = out.counterexample[0];
  detail = (await judgeScenario(drill, smallest, seed)).violations.find((v) => v.invariant === invariant)?.detail ?? detail;
  return { scenario: smallest, path: out.counterexamplePath ?? "", detail };
}

export async function sweep(options: SweepOptions, drill?: Drill): Promise<SweepResult> {
  const started = Date.now();
  const own = drill === undefined;
  const d = drill ?? (await startSweepDrill(options.plant));
  const byInvariant = Object.fromEntries(INVARIANTS.map((i) => [i, 0])) as Record<Invariant, number>;
  const examples: Example[] = [];
  let violations = 0;
  try {
    for (let i = 0; i < options.runs; i++) {
      const seed = options.seed + i;
      const found = (await judgeScenario(d, scenarioOf(seed), seed)).violations;
      if (found.length === 0) continue;
      violations++;
      for (const invariant of new Set(found.map((v) => v.invariant))) {
        byInvariant[invariant]++;
        if (examples.some((e) => e.invariant === invariant)) continue;
        const plant = options.plant?.length ? ` --plant ${options.plant.join(",")}` : "";
        if (options.shrink === false) {
          const detail = found.find((v) => v.invariant === invariant)!.detail;
          examples.push({ seed, invariant, detail, scenario: describeScenario(scenarioOf(seed)), replay: `npm run chaos -- --runs 1 --seed ${seed}${plant}` });
          continue;
        }
        const small = await shrink(d, seed, invariant);
        examples.push({ seed, invariant, detail: small.detail, scenario: describeScenario(small.scenario), replay: `npm run chaos -- --replay ${seed}:${small.path}${plant}` });
      }
      if (options.stopAtFirst) break;
    }
  } finally {
    if (own) await d.stop();
  }
  return { runs: options.runs, violations, byInvariant, examples, wallSeconds: Math.round((Date.now() - started) / 100) / 10 };
}

/**
 * The first scenario from `seed` on (at most `runs` of them) that violates `invariant`, if any, drawn
 * from `scenarios` (by default every scenario the sweep draws; a test may narrow it to the family a
 * defect can show in).
 */
export async function firstViolation(drill: Drill, invariant: Invariant, seed: number, runs: number, scenarios: fc.Arbitrary<Scenario> = scenarioArb): Promise<{ seed: number; scenario: Scenario; violation: Violation } | undefined> {
  for (let i = 0; i < runs; i++) {
    const scenario = fc.sample(scenarios, { seed: seed + i, numRuns: 1 })[0];
    const violation = (await judgeScenario(drill, scenario, seed + i)).violations.find((v) => v.invariant === invariant);
    if (violation) return { seed: seed + i, scenario, violation };
  }
  return undefined;
}

/** Replays a shrunk scenario (`seed:path` as the sweep printed it): the scenario, its violations and its timeline. */
export async function replay(drill: Drill, seedAndPath: string): Promise<{ scenario: Scenario; violations: Violation[]; result: DrillResult }> {
  const [seedText, ...rest] = seedAndPath.split(":");
  const seed = Number(seedText);
  const path = rest.join(":");
  let last: { scenario: Scenario; violations: Violation[]; result: DrillResult } | undefined;
  await fc.check(
    fc.asyncProperty(scenarioArb, async (s) => {
      const judged = await judgeScenario(drill, s, seed);
      last = { scenario: s, ...judged };
      return judged.violations.length === 0;
    }),
    { seed, numRuns: 1, ...(path ? { path, endOnFailure: true } : {}) },
  );
  if (!last) throw new Error(`nothing to replay for ${seedAndPath}`);
  return last;
}
