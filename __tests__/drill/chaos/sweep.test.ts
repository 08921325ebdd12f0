// The fault sweep on the real pipeline: a fixed seeded sweep finds nothing, and each defect the
// pipeline once had, planted back, is caught by the invariant it breaks (the instrument can fail).
// Both run in one child process (sweep-child.ts), started once; each test judges its part.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { PLANTED } from "./planted";
import type { SweepChildResult } from "./sweep-child";

jest.setTimeout(180_000);

const ROOT = join(__dirname, "../../..");
let child: Promise<SweepChildResult>;

beforeAll(() => {
  child = promisify(execFile)(process.execPath, ["--import", "tsx", join(__dirname, "sweep-child.ts")], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024, timeout: 170_000 }).then(({ stdout }) => JSON.parse(stdout) as SweepChildResult);
  // Judged by the tests below; a crash fails each of them with the child's error.
  child.catch(() => undefined);
});

describe("the fault sweep", () => {
  test("300 seeded scenarios (seed 1): every invariant holds on ground truth", async () => {
    const { sweep } = await child;
    expect(sweep.examples).toEqual([]);
    expect(sweep).toMatchObject({ runs: 300, violations: 0 });
  });
});

describe("the fault sweep catches each defect the pipeline once had, planted back", () => {
  test.each(PLANTED.map((d, i) => [d.name, d.plant, d.invariant, i] as const))("%s (planted %j): caught by %s", async (_name, _plant, invariant, i) => {
    const found = (await child).planted[i];
    expect(found && { invariant: found.invariant, scenario: found.scenario }).toEqual({ invariant, scenario: expect.any(String) });
  });
});
