/**
 * The rerun Lambda's reads of the schedule that launched a task: the EventBridge rule's targets
 * (ListTargetsByRule, and ListRuleNamesByTarget when `startedBy` is missing or cut short) or the
 * EventBridge Scheduler schedule (ListSchedules across every group, then GetSchedule in the group
 * that holds it). The schedule is the first source of truth for "the original request": CloudTrail
 * may have hidden its overrides (core/failure/request-source.ts). Listings are followed page by page, within
 * MAX_PAGES and MAX_CANDIDATES.
 */
import type { ListRuleNamesByTargetCommand, ListTargetsByRuleCommand, ListRuleNamesByTargetCommandOutput, ListTargetsByRuleCommandOutput } from "@aws-sdk/client-eventbridge";
import type { GetScheduleCommand, ListSchedulesCommand, GetScheduleCommandOutput, ListSchedulesCommandOutput } from "@aws-sdk/client-scheduler";
import type { LaunchFailure } from "../shared/contract";
import { logJson } from "../shared/log";
import { requestFromTarget, scheduleOf, targetMatches } from "./core/failure/request-source";
import { EcsRefused, type EcsAccess } from "./ecs-access";

// Both SDK modules are loaded at the first read of a rule or schedule, not at the Lambda's init: a
// failure whose CloudTrail record hides nothing never reads one (lambda/shared/lazy-client.ts says why).
const eventBridgeSdk = (): typeof import("../shared/sdk/eventbridge") => require("../shared/sdk/eventbridge");
const schedulerSdk = (): typeof import("../shared/sdk/scheduler") => require("../shared/sdk/scheduler");

/** What the handler needs from EventBridge: an `EventBridgeClient` or a stub with the same `send`. */
export interface EventsSender {
  send(command: ListTargetsByRuleCommand): Promise<ListTargetsByRuleCommandOutput>;
  send(command: ListRuleNamesByTargetCommand): Promise<ListRuleNamesByTargetCommandOutput>;
}

/** What the handler needs from EventBridge Scheduler: a `SchedulerClient` or a stub with the same `send`. */
export interface SchedulerSender {
  send(command: GetScheduleCommand): Promise<GetScheduleCommandOutput>;
  send(command: ListSchedulesCommand): Promise<ListSchedulesCommandOutput>;
}

/** A request rebuilt from the schedule, and where it was found (for the notice). */
export interface ScheduledRequest {
  readonly request: Record<string, unknown>;
  /** "rule <name>" or "schedule <group>/<name>". */
  readonly where: string;
}

/**
 * At most this many candidates, counted after filtering (names the failure's `startedBy` could
 * mean), are read for one failure: each is one more call inside the invocation's time budget and
 * the account's shared API rate, and more candidates than this for one job means names too alike
 * to tell apart anyway. Past it nothing is trusted from the schedule (the next source decides):
 * reading only some could miss the second match that makes the single-match rule refuse.
 */
export const MAX_CANDIDATES = 20;
/**
 * Pages of ListRuleNamesByTarget or ListSchedules followed for one failure. Both page with
 * `NextToken` (EventBridge API Reference, ListRuleNamesByTarget; EventBridge Scheduler API
 * Reference, ListSchedules): one rule per job on one cluster, this project's own pattern, outgrows a
 * page. 20 pages are thousands of names; a listing still unfinished after them is not trusted,
 * for the same reason as above, and the failure falls back to its next source.
 */
export const MAX_PAGES = 20;

/** Why a listing was not finished: too many candidates, or too many pages. */
class ListingCut extends Error {
  constructor(readonly why: string) {
    super(why);
    this.name = "ListingCut";
  }
}

export class ScheduleAccess {
  constructor(
    private readonly events: EventsSender | undefined,
    private readonly scheduler: SchedulerSender | undefined,
    /** Retries throttling within the invocation's budget; a Deferred means "try later". */
    private readonly ecs: EcsAccess,
  ) {}

  /**
   * The request of the schedule that launched `failure`'s task; undefined when none is found or
   * it cannot be read for good (access denied, deleted). Throws Deferred when the reads are
   * throttled or fail for now: the caller tries again later rather than fall back too early.
   */
  async requestOf(failure: LaunchFailure, ctx: Record<string, unknown>): Promise<ScheduledRequest | undefined> {
    if (failure.action !== "RunTask") return undefined;
    const named = scheduleOf(failure.startedBy);
    try {
      if (named?.kind === "schedule") return await this.fromScheduler(failure, named.name, named.truncated, ctx);
      return await this.fromRules(failure, named?.kind === "rule" ? named : undefined, ctx);
    } catch (err) {
      if (err instanceof ListingCut) {
        logJson("WARN", "too many schedules could have launched the task; falling back to the next source of the request", { ...ctx, why: err.why });
        return undefined;
      }
      if (!(err instanceof EcsRefused)) throw err;
      logJson("WARN", "schedule not readable; falling back to the next source of the request", { ...ctx, why: err.why });
      return undefined;
    }
  }

  private clusterArn(failure: LaunchFailure): string {
    return failure.cluster.startsWith("arn:") ? failure.cluster : `arn:aws:ecs:${failure.region}:${failure.account}:cluster/${failure.clusterName}`;
  }

  /**
   * Every entry of a paged listing that `keep` accepts, following `NextToken` (bounded: MAX_PAGES
   * pages, MAX_CANDIDATES entries kept); throws ListingCut past either bound.
   */
  private async listAll<P extends { NextToken?: string }, T>(operation: string, ctx: Record<string, unknown>, page: (token: string | undefined) => Promise<P>, keep: (page: P) => T[]): Promise<T[]> {
    const kept: T[] = [];
    let token: string | undefined;
    for (let pages = 1; ; pages++) {
      const answer = await this.ecs.call(operation, ctx, () => page(token));
      kept.push(...keep(answer));
      if (kept.length > MAX_CANDIDATES) throw new ListingCut(`${operation}: more than ${MAX_CANDIDATES} candidates`);
      token = answer.NextToken;
      if (token === undefined || token === "") return kept;
      if (pages >= MAX_PAGES) throw new ListingCut(`${operation}: still more after ${MAX_PAGES} pages`);
    }
  }

  /** A rule named in full, or every rule targeting the cluster (whose name starts with the cut-short one). */
  private async fromRules(failure: LaunchFailure, named: { name: string; truncated: boolean } | undefined, ctx: Record<string, unknown>): Promise<ScheduledRequest | undefined> {
    const events = this.events;
    if (events === undefined) return undefined;
    let rules: string[];
    if (named !== undefined && !named.truncated) {
      rules = [named.name];
    } else {
      const TargetArn = this.clusterArn(failure);
      rules = await this.listAll(
        "ListRuleNamesByTarget",
        ctx,
        (NextToken) => events.send(new (eventBridgeSdk().ListRuleNamesByTargetCommand)({ TargetArn, ...(NextToken ? { NextToken } : {}) })),
        (page) => (page.RuleNames ?? []).filter((r) => named === undefined || r.startsWith(named.name)),
      );
    }
    const found: ScheduledRequest[] = [];
    for (const rule of rules) {
      const answer = await this.ecs.call("ListTargetsByRule", ctx, () => events.send(new (eventBridgeSdk().ListTargetsByRuleCommand)({ Rule: rule })));
      for (const target of answer.Targets ?? []) {
        if (!targetMatches(target, failure.cluster, failure.taskDefinition)) continue;
        const request = requestFromTarget(target, failure.startedBy);
        if (request) found.push({ request, where: `rule ${rule}` });
      }
    }
    // Two schedules launching the same task definition on the cluster: which one failed is not
    // known, so neither is trusted.
    return found.length === 1 ? found[0] : undefined;
  }

  /**
   * The schedule `chronos-schedule/<name>` names, in whichever group it is. `startedBy` carries no
   * group, and GetSchedule without GroupName reads only the `default` group (Scheduler API
   * Reference, GetSchedule: "If you omit this, EventBridge Scheduler assumes that the schedule is
   * associated with the default group"), while ListSchedules without GroupName lists every group
   * (ListSchedules: GroupName "If specified, only lists the schedules whose associated schedule
   * group matches"). So the schedules named so (or, for a name ECS cut, starting so) are listed
   * across groups, then each is read with its own group; the target match and the single-match
   * rule decide as for rules (two groups may hold a schedule of the same name).
   */
  private async fromScheduler(failure: LaunchFailure, name: string, truncated: boolean, ctx: Record<string, unknown>): Promise<ScheduledRequest | undefined> {
    const scheduler = this.scheduler;
    if (scheduler === undefined) return undefined;
    const candidates = await this.listAll(
      "ListSchedules",
      ctx,
      (NextToken) => scheduler.send(new (schedulerSdk().ListSchedulesCommand)({ NamePrefix: name, ...(NextToken ? { NextToken } : {}) })),
      (page) => (page.Schedules ?? []).filter((s) => typeof s.Name === "string" && (truncated ? s.Name.startsWith(name) : s.Name === name)),
    );
    const found: ScheduledRequest[] = [];
    for (const c of candidates) {
      const schedule = await this.ecs.call("GetSchedule", ctx, () => scheduler.send(new (schedulerSdk().GetScheduleCommand)({ Name: c.Name, ...(c.GroupName ? { GroupName: c.GroupName } : {}) })));
      if (!targetMatches(schedule.Target, failure.cluster, failure.taskDefinition)) continue;
      const request = requestFromTarget(schedule.Target, failure.startedBy);
      if (request) found.push({ request, where: `schedule ${schedule.GroupName ?? c.GroupName ?? "default"}/${schedule.Name ?? c.Name}` });
    }
    return found.length === 1 ? found[0] : undefined;
  }
}
