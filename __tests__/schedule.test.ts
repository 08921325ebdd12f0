// Schedule expressions, checked as EventBridge checks them; the cases are AWS's own examples
// (EventBridge user guide, "Cron expressions reference" and "Rate expressions").
import { InvalidScheduleError, parseSchedule } from "../modules/schedule";

describe("rate expressions", () => {
  test.each([
    ["rate(1 minute)", 60],
    ["rate(5 minutes)", 300],
    ["rate(1 hour)", 3600],
    ["rate(2 hours)", 7200],
    ["rate(1 day)", 86400],
    ["rate(7 days)", 604800],
  ])("reads %s as every %i seconds", (expr, seconds) => {
    expect(parseSchedule(expr)).toEqual(expect.objectContaining({ kind: "rate", seconds }));
  });

  test.each([
    ["rate(1 days)", /use "day" for a value of 1/],
    ["rate(5 minute)", /use "minute" for a value of 1 and "minutes" otherwise/],
    ["rate(0 minutes)", /positive whole number/],
    ["rate(5 weeks)", /UNIT minute\(s\), hour\(s\) or day\(s\)/],
    ["rate(-1 days)", /VALUE a positive whole number/],
    ["rate(1.5 hours)", /VALUE a positive whole number/],
  ])("rejects %s", (expr, message) => {
    expect(() => parseSchedule(expr)).toThrow(InvalidScheduleError);
    expect(() => parseSchedule(expr)).toThrow(message);
  });
});

describe("cron expressions", () => {
  // Every example of the EventBridge user guide's table, and the wildcards' own examples.
  test.each([
    "cron(0 10 * * ? *)", // 10:00 every day
    "cron(15 12 * * ? *)", // 12:15 every day
    "cron(0 18 ? * MON-FRI *)", // 18:00 Monday to Friday
    "cron(0 8 1 * ? *)", // 08:00 on the first of the month
    "cron(0/15 * * * ? *)", // every 15 minutes
    "cron(0/10 * ? * MON-FRI *)", // every 10 minutes, Monday to Friday
    "cron(0/5 8-17 ? * MON-FRI *)", // every 5 minutes, 08:00-17:55, Monday to Friday
    "cron(0 9 ? * 2#1 *)", // 09:00 on the first Monday of the month
    "cron(1/10 * * * ? *)", // the "/" wildcard's example
    "cron(0 0 1-15 * ? *)", // the "-" wildcard's example
    "cron(0 0 ? JAN,FEB,MAR * *)", // the "," wildcard's example
    "cron(0 0 3W * ? *)", // the weekday closest to the third
    "cron(0 0 ? * 3#2 *)", // the second Tuesday
    "cron(0 0 L * ? *)", // the last day of the month
    "cron(0 0 ? * 6L *)", // the last Friday of the month
    "cron(0 0 ? * L *)", // the last day of the week
    "cron(*/5 * * * ? *)",
    "cron(0 3 * * ? 2026-2030)",
    "cron(0 22-2 ? * FRI-MON *)", // ranges wrap around
    "cron(0 3 ? * mon-fri *)", // names in any case
  ])("accepts %s", (expr) => {
    expect(parseSchedule(expr)).toEqual(expect.objectContaining({ kind: "cron" }));
  });

  test("keeps the six fields", () => {
    expect(parseSchedule("cron(0 3 * * ? *)")).toEqual({ kind: "cron", fields: ["0", "3", "*", "*", "?", "*"] });
  });

  test.each([
    ["cron(61 3 * * ? *)", /minutes "61" is invalid: 61 is out of range; minutes takes 0-59 and the wildcards , - \* \//],
    ["cron(0 25 * * ? *)", /hours "25" is invalid: 25 is out of range; hours takes 0-23/],
    ["cron(0 3 * * ? banana)", /year "banana" is invalid: "banana" is not a number; year takes 1970-2199/],
    ["cron(0 3 32 * ? *)", /day-of-month "32" is invalid: 32 is out of range/],
    ["cron(0 3 0 * ? *)", /day-of-month "0" is invalid: 0 is out of range; day-of-month takes 1-31 and the wildcards , - \* \/ \? L W/],
    ["cron(0 3 ? 13 MON *)", /month "13" is invalid: 13 is out of range; month takes 1-12 or JAN-DEC/],
    ["cron(0 3 ? FOO MON *)", /month "FOO" is invalid: "FOO" is not a number or a name/],
    ["cron(0 3 ? * 8 *)", /day-of-week "8" is invalid: 8 is out of range; day-of-week takes 1-7 or SUN-SAT and the wildcards , - \* \? L #/],
    ["cron(0 3 ? * 0 *)", /day-of-week "0" is invalid/], // Unix cron's Sunday; EventBridge's is 1
    ["cron(0 3 * * ? 1969)", /year "1969" is invalid: 1969 is out of range/],
    ["cron(0 3 * * ? 2200)", /year "2200" is invalid/],
    ["cron(0 3 * * ? 2030-2026)", /year "2030-2026" is invalid: "2030-2026" runs backwards/],
    ["cron(0 ? * * ? *)", /hours "\?" is invalid: "\?" is only for day-of-month and day-of-week/],
    ["cron(L 3 * * ? *)", /minutes "L" is invalid: "L" is not a number/],
    ["cron(0 3 ? * 3#1,6#3 *)", /day-of-week "3#1,6#3" is invalid: "3#1" must be the field's only value/],
    ["cron(0 3 ? * 3#6 *)", /the week of the month after # is 1-5/],
    ["cron(0 3 ? * MON/2 *)", /day-of-week "MON\/2" is invalid: "\/" is not a day-of-week wildcard/],
    ["cron(0/0 3 * * ? *)", /the increment after \/ is a whole number from 1 to 59/],
    ["cron(0 3 32W * ? *)", /day-of-month "32W" is invalid: 32 is out of range/],
    ["cron(0 3 1,,2 * ? *)", /an empty value between commas/],
    ["cron(0 1-2-3 * * ? *)", /"1-2-3" is not a range/],
    ["cron(0 3 * *)", /cron needs 6 fields .* got 4/],
    ["cron(0 3 * * *)", /cron needs 6 fields .* got 5/],
    ["cron(0 3 * * MON *)", /exactly one of day-of-month and day-of-week must be "\?"/],
    ["cron(0 3 ? * ? *)", /exactly one of day-of-month and day-of-week must be "\?"/],
    ["@daily", /neither rate\(\.\.\.\) nor cron\(\.\.\.\)/],
    ["cron 0 3 * * ? *", /neither rate\(\.\.\.\) nor cron\(\.\.\.\)/],
  ])("rejects %s", (expr, message) => {
    expect(() => parseSchedule(expr)).toThrow(InvalidScheduleError);
    expect(() => parseSchedule(expr)).toThrow(message);
  });
});
