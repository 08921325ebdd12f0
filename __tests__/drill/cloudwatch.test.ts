import { evaluateAlarm, matchesFilterPattern, parseFilterPattern, type AlarmSpec } from "../../drill/simulation/cloudwatch";
import { successFilterPattern } from "../../modules/pipeline/missed-runs/missed-run";

const HOUR = 3600_000;
const daily: AlarmSpec = {
  alarm_name: "job-missed-run",
  metric_name: "SuccessfulRuns-job",
  period: 3600,
  evaluation_periods: 25,
  datapoints_to_alarm: 25,
  threshold: 1,
  comparison_operator: "LessThanThreshold",
  treat_missing_data: "breaching",
};

describe("alarm evaluation", () => {
  test("stays OK while a success lies within the last 25 hours", () => {
    expect(evaluateAlarm(daily, [0], 24 * HOUR)).toBe("OK");
    expect(evaluateAlarm(daily, [0], 25 * HOUR)).toBe("OK");
  });
  test("goes to ALARM once 25 whole hours have passed without a success", () => {
    expect(evaluateAlarm(daily, [0], 26 * HOUR)).toBe("ALARM");
  });
  test("a new success clears it", () => {
    expect(evaluateAlarm(daily, [0, 27 * HOUR], 28 * HOUR)).toBe("OK");
  });
  test("missing data is insufficient data unless treated otherwise", () => {
    expect(evaluateAlarm({ ...daily, treat_missing_data: "missing" }, [], 30 * HOUR)).toBe("INSUFFICIENT_DATA");
  });
});

describe("metric filter patterns", () => {
  const terms = parseFilterPattern(successFilterPattern({ name: "d", family: "print-date", intervalSeconds: 86400 }));
  test("selects the job's runs the run counter counted", () => {
    expect(matchesFilterPattern(terms, { msg: "successful run", group: "family:print-date" })).toBe(true);
    expect(matchesFilterPattern(terms, { msg: "successful run", group: "family:other" })).toBe(false);
    expect(matchesFilterPattern(terms, { msg: "run not counted", group: "family:print-date" })).toBe(false);
  });
  test("refuses a pattern it does not understand rather than guess", () => {
    expect(() => parseFilterPattern("{ $.a != 1 }")).toThrow(/unsupported filter term/);
    expect(() => parseFilterPattern("ERROR")).toThrow(/unsupported filter pattern/);
  });
});
