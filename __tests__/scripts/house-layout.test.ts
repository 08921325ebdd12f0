// The house's layout rules (scripts/house-layout.ts): no import cycle among the project's .ts files,
// type-only imports included, and no source folder with more than MAX_FLAT_FILES .ts files flat.
// The first tests plant a cycle and a crowded folder, so the checks of the real tree can fail.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crowdedFolders, importCycles, importGraph, MAX_FLAT_FILES, projectSources } from "../../scripts/house-layout";

describe("house layout", () => {
  test("the import graph follows every kind of relative import to a project file, and nothing else", () => {
    const sources = new Map([
      ["m/a.ts", 'import type { B } from "./b";\nexport { c } from "./c";\nimport { x } from "node:fs";\nimport { y } from "cdktf";'],
      ["m/b.ts", 'const lazy = () => require("../n/d");\nexport type B = typeof lazy;'],
      ["m/c.ts", 'export const c = () => import("./a");\nimport "./missing";'],
      ["n/d/index.ts", "export const d = 1;"],
    ]);
    expect(Object.fromEntries(importGraph(sources))).toEqual({
      "m/a.ts": ["m/b.ts", "m/c.ts"],
      "m/b.ts": ["n/d/index.ts"],
      "m/c.ts": ["m/a.ts"],
      "n/d/index.ts": [],
    });
  });

  test("a cycle is reported as a closed path through it, a self-import too; a graph without one reports none", () => {
    const planted = new Map([
      ["a.ts", ["b.ts"]],
      ["b.ts", ["c.ts", "d.ts"]],
      ["c.ts", ["a.ts"]],
      ["d.ts", []],
      ["e.ts", ["e.ts"]],
    ]);
    expect(importCycles(planted)).toEqual([["a.ts", "b.ts", "c.ts", "a.ts"], ["e.ts", "e.ts"]]);
    expect(importCycles(new Map([["a.ts", ["b.ts", "c.ts"]], ["b.ts", ["c.ts"]], ["c.ts", []]]))).toEqual([]);
  });

  test("no import cycle among the project's .ts files", () => {
    expect(importCycles(importGraph(projectSources())).map((cycle) => cycle.join(" -> "))).toEqual([]);
  });

  test(`a folder with more than ${MAX_FLAT_FILES} .ts files flat is reported, its subfolders' files not counted`, () => {
    const root = mkdtempSync(join(tmpdir(), "house-layout-"));
    try {
      const put = (dir: string, n: number) => {
        mkdirSync(join(root, dir), { recursive: true });
        for (let i = 0; i < n; i++) writeFileSync(join(root, dir, `f${i}.ts`), "");
      };
      put("modules/crowded", MAX_FLAT_FILES + 1);
      put("lambda/roomy", MAX_FLAT_FILES);
      put("lambda/roomy/inner", 3);
      put("drill", 0);
      put("scripts", 1);
      writeFileSync(join(root, "lambda/roomy/types.d.ts"), "");
      expect(crowdedFolders(root)).toEqual([{ folder: "modules/crowded", files: MAX_FLAT_FILES + 1 }]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test(`no folder under modules/, lambda/, drill/ or scripts/ holds more than ${MAX_FLAT_FILES} .ts files flat`, () => {
    expect(crowdedFolders()).toEqual([]);
  });
});
