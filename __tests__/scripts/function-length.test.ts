// The house rule: no function in lambda/ longer than 80 lines. scripts/function-length.ts measures
// every function with the TypeScript parser; the first test shows what it counts.
import { functionLengths, longFunctions, MAX_FUNCTION_LINES } from "../../scripts/function-length";

describe("function lengths", () => {
  test("a function counts from its first line to its last, nested functions in it included; methods and arrows count too", () => {
    const source = [
      "function outer() {", //   1
      "  const inner = () => {", // 2
      "    return 1;",
      "  };", //                    4
      "  return inner();",
      "}", //                       6
      "class C {",
      "  m() {", //                 8
      "    return 2;",
      "  }", //                    10
      "}",
      "declare function bodiless(): void;",
    ].join("\n");
    expect(functionLengths("x.ts", source).map((f) => [f.name, f.line, f.lines])).toEqual([
      ["outer", 1, 6],
      ["inner", 2, 3],
      ["m", 8, 3],
    ]);
  });

  test(`no function in lambda/ is longer than ${MAX_FUNCTION_LINES} lines`, () => {
    expect(longFunctions(["lambda"]).map((f) => `${f.file}:${f.line} ${f.name} (${f.lines} lines)`)).toEqual([]);
  });

  test("a limit below the longest function finds it (the check can fail)", () => {
    expect(longFunctions(["lambda"], 40).length).toBeGreaterThan(0);
  });
});
