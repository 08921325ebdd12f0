// Runs what sweep.test.ts judges, in a process of its own (`node --import tsx`), the way
// `npm run chaos` runs the sweep: jest's test runner tracks every promise of a test
// (AsyncLocalStorage), which made the same scenarios 1.3x slower inside jest. Prints one JSON object:
// the 300-run sweep's result, and for each planted defect the first violation of its invariant.
import "../../../drill/quiet";
import { describeScenario } from "../../../drill/chaos/scenario";
import { firstViolation, startSweepDrill, sweep } from "../../../drill/chaos/sweep";
import { PLANTED } from "./planted";

export interface SweepChildResult {
  readonly sweep: { readonly runs: number; readonly violations: number; readonly examples: unknown[] };
  /** By PLANTED's order: the seed, invariant and scenario of the first violation found, or null. */
  readonly planted: ({ readonly seed: number; readonly invariant: string; readonly scenario: string } | null)[];
}

async function main(): Promise<void> {
  const { runs, violations, examples } = await sweep({ runs: 300, seed: 1 });
  const planted: SweepChildResult["planted"] = [];
  for (const defect of PLANTED) {
    const drill = await startSweepDrill(defect.plant);
    try {
      const found = await firstViolation(drill, defect.invariant, defect.fromSeed, 600, defect.scenarios);
      planted.push(found ? { seed: found.seed, invariant: found.violation.invariant, scenario: describeScenario(found.scenario) } : null);
    } finally {
      await drill.stop();
    }
  }
  const result: SweepChildResult = { sweep: { runs, violations, examples }, planted };
  console.log(JSON.stringify(result));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
