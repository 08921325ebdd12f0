// EventBridge schedule expressions: every rule of modules/schedule.ts pinned with its literal message
// (issue 23). The grammar is AWS's "Cron expressions reference" (EventBridge user guide).
import { CRON_FIELDS, cronFieldProblem, InvalidScheduleError, parseSchedule, scheduleIntervalSeconds } from "../modules/schedule";

const field = (name: string) => CRON_FIELDS.find((f) => f.name === name)!;
const refused = (expression: string, message: string): void => {
  expect(() => parseSchedule(expression)).toThrow(InvalidScheduleError);
  expect(() => parseSchedule(expression)).toThrow(message);
};

describe("rate expressions", () => {
  it("parse to seconds, singular for 1 and plural otherwise", () => {
    expect(parseSchedule("rate(1 minute)")).toEqual({ kind: "rate", value: 1, unit: "minute", seconds: 60 });
    expect(parseSchedule("rate(5 minutes)")).toEqual({ kind: "rate", value: 5, unit: "minute", seconds: 300 });
    expect(parseSchedule("rate(1 hour)")).toEqual({ kind: "rate", value: 1, unit: "hour", seconds: 3600 });
    expect(parseSchedule("rate(2 days)")).toEqual({ kind: "rate", value: 2, unit: "day", seconds: 172800 });
  });

  it("refuse a zero, a wrong number of the unit, and anything else", () => {
    refused("rate(0 minutes)", 'schedule "rate(0 minutes)": the rate must be a positive whole number');
    refused("rate(1 hours)", 'schedule "rate(1 hours)": use "hour" for a value of 1 and "hours" otherwise, e.g. rate(1 hour) or rate(5 hours)');
    refused("rate(5 day)", 'schedule "rate(5 day)": use "day" for a value of 1 and "days" otherwise');
    refused("rate(1 week)", 'schedule "rate(1 week)": expected rate(VALUE UNIT), VALUE a positive whole number and UNIT minute(s), hour(s) or day(s), e.g. rate(1 day) or rate(15 minutes)');
    refused("rate(1.5 hours)", "expected rate(VALUE UNIT)");
    refused(" rate(1 day)", 'schedule " rate(1 day)" is neither rate(...) nor cron(...); e.g. "rate(1 day)" or "cron(0 3 * * ? *)"');
    refused("rate(1 day) ", "is neither rate(...) nor cron(...)");
  });
});

describe("cron expressions", () => {
  it("keep their six fields", () => {
    expect(parseSchedule("cron(0 3 * * ? *)")).toEqual({ kind: "cron", fields: ["0", "3", "*", "*", "?", "*"] });
    expect(parseSchedule("cron( 0  3 ? * MON-FRI * )")).toEqual({ kind: "cron", fields: ["0", "3", "?", "*", "MON-FRI", "*"] });
  });

  it("need exactly one of the day fields to be ?", () => {
    refused("cron(0 3 * * * *)", 'schedule "cron(0 3 * * * *)": exactly one of day-of-month and day-of-week must be "?"');
    refused("cron(0 3 ? * ? *)", 'exactly one of day-of-month and day-of-week must be "?"');
  });

  it("name the field, the problem and what the field takes", () => {
    refused("cron(0 3 * *)", 'schedule "cron(0 3 * *)": cron needs 6 fields (minutes hours day-of-month month day-of-week year), got 4');
    refused("cron(60 3 * * ? *)", 'schedule "cron(60 3 * * ? *)": minutes "60" is invalid: 60 is out of range; minutes takes 0-59 and the wildcards , - * /');
    refused("cron(0 3 * FOO ? *)", 'month "FOO" is invalid: "FOO" is not a number or a name; month takes 1-12 or JAN-DEC and the wildcards , - * /');
    refused("cron(0 3 ? * 8 *)", 'day-of-week "8" is invalid: 8 is out of range; day-of-week takes 1-7 or SUN-SAT and the wildcards , - * ? L #');
    refused("cron(0 3 32 * ? *)", 'day-of-month "32" is invalid: 32 is out of range; day-of-month takes 1-31 and the wildcards , - * / ? L W');
    refused("cron(0 24 * * ? *)", 'hours "24" is invalid: 24 is out of range; hours takes 0-23 and the wildcards , - * /');
    refused("cron(0 3 * * ? 1969)", 'year "1969" is invalid: 1969 is out of range; year takes 1970-2199 and the wildcards , - * /');
    refused("cron(0 3 * * ? 2200)", "2200 is out of range");
  });
});

describe("one cron field", () => {
  it("accepts the bounds of each field and refuses one past them", () => {
    const bounds: Array<[string, string, string, string, string]> = [
      ["minutes", "0", "59", "-1", "60"],
      ["hours", "0", "23", "-1", "24"],
      ["day-of-month", "1", "31", "0", "32"],
      ["month", "1", "12", "0", "13"],
      ["day-of-week", "1", "7", "0", "8"],
      ["year", "1970", "2199", "1969", "2200"],
    ];
    for (const [name, low, high, under, over] of bounds) {
      expect([cronFieldProblem(low, field(name)), cronFieldProblem(high, field(name))]).toEqual([undefined, undefined]);
      expect(cronFieldProblem(over, field(name))).toBe(`${over} is out of range`);
      expect(cronFieldProblem(under, field(name))).toBeDefined();
    }
  });

  it("takes names in any case where the field has them", () => {
    expect(cronFieldProblem("jan-Dec", field("month"))).toBeUndefined();
    expect(cronFieldProblem("sun,SAT", field("day-of-week"))).toBeUndefined();
    expect(cronFieldProblem("MON", field("hours"))).toBe('"MON" is not a number');
  });

  it("knows where ? / L W # go", () => {
    expect(cronFieldProblem("?", field("minutes"))).toBe('"?" is only for day-of-month and day-of-week');
    expect(cronFieldProblem("?", field("day-of-week"))).toBeUndefined();
    expect(cronFieldProblem("1,?", field("day-of-month"))).toBe('"?" must be the field\'s only value');
    expect(cronFieldProblem("1,,2", field("minutes"))).toBe("an empty value between commas");
    expect(cronFieldProblem("*/5", field("day-of-week"))).toBe('"/" is not a day-of-week wildcard');
    expect(cronFieldProblem("0/15", field("minutes"))).toBeUndefined();
    expect(cronFieldProblem("0/59", field("minutes"))).toBeUndefined();
    expect(cronFieldProblem("0/60", field("minutes"))).toBe('"0/60": the increment after / is a whole number from 1 to 59');
    expect(cronFieldProblem("0/0", field("minutes"))).toBe('"0/0": the increment after / is a whole number from 1 to 59');
    expect(cronFieldProblem("0/x", field("minutes"))).toBe('"0/x": the increment after / is a whole number from 1 to 59');
    expect(cronFieldProblem("0/5/5", field("minutes"))).toBe('"0/5/5": the increment after / is a whole number from 1 to 59');
    expect(cronFieldProblem("1/11", field("month"))).toBeUndefined();
    expect(cronFieldProblem("1/12", field("month"))).toBe('"1/12": the increment after / is a whole number from 1 to 11');
    expect(cronFieldProblem("1-2-3", field("hours"))).toBe('"1-2-3" is not a range (expected LOW-HIGH)');
    expect(cronFieldProblem("22-2", field("hours"))).toBeUndefined();
    expect(cronFieldProblem("FRI-MON", field("day-of-week"))).toBeUndefined();
    expect(cronFieldProblem("2030-2025", field("year"))).toBe('"2030-2025" runs backwards');
    expect(cronFieldProblem("2025-2030", field("year"))).toBeUndefined();
    expect(cronFieldProblem("2025-2025", field("year"))).toBeUndefined();
    expect(cronFieldProblem("1-99", field("hours"))).toBe("99 is out of range");
  });

  it("the one-day forms of day-of-month", () => {
    const dom = field("day-of-month");
    for (const ok of ["L", "lw", "L-1", "L-30", "15W", "1W", "31W"]) expect([ok, cronFieldProblem(ok, dom)]).toEqual([ok, undefined]);
    expect(cronFieldProblem("L-0", dom)).toBe('"L-0": the offset from the last day is 1-30');
    expect(cronFieldProblem("L-31", dom)).toBe('"L-31": the offset from the last day is 1-30');
    expect(cronFieldProblem("32W", dom)).toBe("32 is out of range");
    expect(cronFieldProblem("L,15", dom)).toBe('"L" must be the field\'s only value, not part of a list');
    expect(cronFieldProblem("W", dom)).toBe('"W" is not a number');
    expect(cronFieldProblem("3#2", dom)).toBe('"3#2" is not a number');
  });

  it("the one-day forms of day-of-week", () => {
    const dow = field("day-of-week");
    for (const ok of ["L", "6L", "FRIL", "3#2", "MON#1", "7#5"]) expect([ok, cronFieldProblem(ok, dow)]).toEqual([ok, undefined]);
    expect(cronFieldProblem("8L", dow)).toBe("8 is out of range");
    expect(cronFieldProblem("3#6", dow)).toBe('"3#6": the week of the month after # is 1-5');
    expect(cronFieldProblem("3#0", dow)).toBe('"3#0": the week of the month after # is 1-5');
    expect(cronFieldProblem("3#1#2", dow)).toBe('"3#1#2": expected DAY#N');
    expect(cronFieldProblem("9#1", dow)).toBe("9 is out of range");
    expect(cronFieldProblem("3#1,6#3", dow)).toBe('"3#1" must be the field\'s only value, not part of a list');
    expect(cronFieldProblem("LW", dow)).toBe('"LW" is not a number or a name');
    expect(cronFieldProblem("L-2", dow)).toBe('"L" is not a number or a name'); // read as the range L-2
    expect(cronFieldProblem("15W", dow)).toBe('"15W" is not a number or a name');
    expect(cronFieldProblem("6L", field("month"))).toBe('"6L" is not a number or a name');
    expect(cronFieldProblem("3#2", field("hours"))).toBe('"3#2" is not a number');
  });
});

describe("anchored patterns and boundaries", () => {
  it("reads whole values only", () => {
    const dom = field("day-of-month");
    const dow = field("day-of-week");
    expect(cronFieldProblem("x5", field("minutes"))).toBe('"x5" is not a number');
    expect(cronFieldProblem("5x", field("minutes"))).toBe('"5x" is not a number');
    expect(cronFieldProblem("XL-5", dom)).toBe('"XL" is not a number');
    expect(cronFieldProblem("L-5X", dom)).toBe('"L" is not a number');
    expect(cronFieldProblem("L-A", dom)).toBe('"L" is not a number');
    expect(cronFieldProblem("X5W", dom)).toBe('"X5W" is not a number');
    expect(cronFieldProblem("5WX", dom)).toBe('"5WX" is not a number');
    expect(cronFieldProblem("15L", dom)).toBe('"15L" is not a number');
    expect(cronFieldProblem("3#15", dow)).toBe('"3#15": the week of the month after # is 1-5');
    expect(cronFieldProblem("3#1X", dow)).toBe('"3#1X": the week of the month after # is 1-5');
    expect(cronFieldProblem("0/5x", field("minutes"))).toBe('"0/5x": the increment after / is a whole number from 1 to 59');
    expect(cronFieldProblem("0/x5", field("minutes"))).toBe('"0/x5": the increment after / is a whole number from 1 to 59');
    expect(cronFieldProblem("0/1", field("minutes"))).toBeUndefined();
    expect(cronFieldProblem("2000/229", field("year"))).toBeUndefined();
    expect(cronFieldProblem("2000/230", field("year"))).toBe('"2000/230": the increment after / is a whole number from 1 to 229');
    expect(parseSchedule("rate(15 minutes)")).toEqual({ kind: "rate", value: 15, unit: "minute", seconds: 900 });
  });

  it("its error is an InvalidScheduleError by name", () => {
    let caught: unknown;
    try {
      parseSchedule("x");
    } catch (e) {
      caught = e;
    }
    expect((caught as Error).name).toBe("InvalidScheduleError");
  });
});

describe("the interval a schedule implies", () => {
  it("a rate's own; a cron's as given, or refused without one", () => {
    expect(scheduleIntervalSeconds("rate(6 hours)", undefined, "jobs.ts job nightly")).toBe(21600);
    expect(scheduleIntervalSeconds("rate(6 hours)", 5, "x")).toBe(21600);
    expect(scheduleIntervalSeconds("cron(0 3 * * ? *)", 86400, "x")).toBe(86400);
    expect(() => scheduleIntervalSeconds("cron(0 3 * * ? *)", undefined, "jobs.ts job nightly")).toThrow(
      'jobs.ts job nightly: schedule "cron(0 3 * * ? *)" is a cron expression; give expectedIntervalSeconds (the longest gap between two runs) so a missed run can be alarmed',
    );
  });
});
