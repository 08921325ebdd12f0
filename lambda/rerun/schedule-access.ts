/**
 * The rerun Lambda's reads of the schedule that launched a task: the EventBridge rule's targets
 * (ListTargetsByRule, and ListRuleNamesByTarget when `startedBy` is missing or cut short) or the
 * EventBridge Scheduler schedule (GetSchedule, ListSchedules). The schedule is the first source of
 * truth for "the original request": CloudTrail may have hidden its overrides (core/request-source.ts).
 */
import { ListRuleNamesByTargetCommand, ListTargetsByRuleCommand, type ListRuleNamesByTargetCommandOutput, type ListTargetsByRuleCommandOutput } from "@aws-sdk/client-eventbridge";
import { GetScheduleCommand, ListSchedulesCommand, type GetScheduleCommandOutput, type ListSchedulesCommandOutput } from "@aws-sdk/client-scheduler";
import type { LaunchFailure } from "../shared/contract";
import { logJson } from "../shared/log";
import { requestFromTarget, scheduleOf, targetMatches } from "./core/request-source";
import { EcsRefused, type EcsAccess } from "./ecs-access";

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

/** At most this many candidate rules or schedules are read for one failure. */
const MAX_CANDIDATES = 20;

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
      if (!(err instanceof EcsRefused)) throw err;
      logJson("WARN", "schedule not readable; falling back to the next source of the request", { ...ctx, why: err.why });
      return undefined;
    }
  }

  private clusterArn(failure: LaunchFailure): string {
    return failure.cluster.startsWith("arn:") ? failure.cluster : `arn:aws:ecs:${failure.region}:${failure.account}:cluster/${failure.clusterName}`;
  }

  /** A rule named in full, or every rule targeting the cluster (whose name starts with the cut-short one). */
  private async fromRules(failure: LaunchFailure, named: { name: string; truncated: boolean } | undefined, ctx: Record<string, unknown>): Promise<ScheduledRequest | undefined> {
    const events = this.events;
    if (events === undefined) return undefined;
    let rules: string[];
    if (named !== undefined && !named.truncated) {
      rules = [named.name];
    } else {
      const listed = await this.ecs.call("ListRuleNamesByTarget", ctx, () => events.send(new ListRuleNamesByTargetCommand({ TargetArn: this.clusterArn(failure) })));
      rules = (listed.RuleNames ?? []).filter((r) => named === undefined || r.startsWith(named.name)).slice(0, MAX_CANDIDATES);
    }
    const found: ScheduledRequest[] = [];
    for (const rule of rules) {
      const answer = await this.ecs.call("ListTargetsByRule", ctx, () => events.send(new ListTargetsByRuleCommand({ Rule: rule })));
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

  private async fromScheduler(failure: LaunchFailure, name: string, truncated: boolean, ctx: Record<string, unknown>): Promise<ScheduledRequest | undefined> {
    const scheduler = this.scheduler;
    if (scheduler === undefined) return undefined;
    let candidates: { Name?: string; GroupName?: string }[] = [{ Name: name }];
    if (truncated) {
      const listed = await this.ecs.call("ListSchedules", ctx, () => scheduler.send(new ListSchedulesCommand({ NamePrefix: name })));
      candidates = (listed.Schedules ?? []).slice(0, MAX_CANDIDATES);
    }
    const found: ScheduledRequest[] = [];
    for (const c of candidates) {
      const schedule = await this.ecs.call("GetSchedule", ctx, () => scheduler.send(new GetScheduleCommand({ Name: c.Name, ...(c.GroupName ? { GroupName: c.GroupName } : {}) })));
      if (!targetMatches(schedule.Target, failure.cluster, failure.taskDefinition)) continue;
      const request = requestFromTarget(schedule.Target, failure.startedBy);
      if (request) found.push({ request, where: `schedule ${schedule.GroupName ?? "default"}/${schedule.Name ?? c.Name}` });
    }
    return found.length === 1 ? found[0] : undefined;
  }
}
