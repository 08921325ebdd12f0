/** The dead man's switch: per expected job, a count of its successful runs and an alarm on their absence. */
import { Construct } from "constructs";
import { TerraformIterator, Token, type IResolvable } from "cdktf";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { CloudwatchMetricAlarm, type CloudwatchMetricAlarmConfig } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { withTopic } from "../orchestration/pipeline-alarms";
import { hcl, holdsTokens } from "../../hcl/hcl-expression";
import {
  expectedRunObject,
  expectedRunSubject,
  expectedRunTextsExpression,
  missedRunAlarmDescription,
  missedRunAlarmShape,
  missedRunAlarmShapeExpression,
  resolveExpectedRun,
  successFilterPattern,
  successfulRunPattern,
  successfulRunPatternExpression,
  type ExpectedRun,
} from "./missed-run";
import { allOf, attributeOf, countOf, type Presence } from "../../hcl/presence";
import { assumeRolePolicy, policyDocument, type DocumentEncoding } from "../../iam";
import { InputError } from "../../input-error";
import { addPipelineFunction, type FunctionPackaging } from "../functions/pipeline-function";
import { binnedPatterns } from "../detection/pattern-bins";
import { runCounterStatements, type AwsPlace } from "../iam/pipeline-policies";
import { addRole, type RoleOptions } from "../iam/role-options";
import { addLaterRules, patternSizePrecondition, splitPatterns } from "../detection/split-rules";
import { clusterArnMatcherTextsExpression, clusterArnMatchers } from "../detection/task-state-pattern";

/** Props of {@link MissedRunAlarms}. */
export interface MissedRunAlarmsProps {
  /** Prefix of resource names. */
  readonly name: string;
  /** Protected clusters (names or ARNs) whose tasks are watched. */
  readonly clusters: readonly string[];
  /**
   * The jobs that must succeed once per interval: literal runs, or a Terraform list expression of
   * {@link ExpectedRunObject}s (as the module's `expected_runs` holds them), which Terraform turns
   * into one metric filter and one alarm per run.
   */
  readonly expectedRuns: readonly ExpectedRun[] | IResolvable;
  /** SNS topic the alarms notify (when they fire and when they clear). */
  readonly topicArn: string;
  /** More actions of the alarms besides the topic (a literal list or a Terraform list expression), when they fire and when they clear. @default [] */
  readonly alarmActions?: readonly string[];
  /** Days the logged successful runs are kept. @default 30 */
  readonly logRetentionDays?: number;
  /** Whether it exists: a Terraform bool expression count-switches every resource. @default true */
  readonly presence?: Presence;
  /** Account, region and partition (the run counter's trust). */
  readonly place: AwsPlace;
  /** The run counter's role name: IAM names are global in an account, so it carries the region (iam-names.ts). */
  readonly roleName: string;
  /** The user's permissions boundary and path for its role. @default {} */
  readonly roles?: RoleOptions;
  /** How the run counter's policy document is written. */
  readonly encoding: DocumentEncoding;
  /** Where the run counter's package goes. */
  readonly packaging: FunctionPackaging;
}

/**
 * A dead man's switch per job: task stops that may be successes go from an EventBridge rule to the
 * run counter, which judges them by their essential containers and logs its verdicts; a metric
 * filter per job counts the successful ones, and an alarm fires when a whole interval plus grace passes
 * without one. All managed parts: nothing polls, nothing runs between jobs, and a job that was never
 * invoked (schedule disabled, role broken, region trouble) is caught precisely because nothing arrives.
 *
 * With literal runs each gets its own filter and alarm, checked now. With runs only Terraform knows,
 * the shared parts are count-switched on there being any, and the filter and the alarm are one block
 * each, `for_each` over the runs by name, their shape computed by Terraform with the same rule.
 */
export class MissedRunAlarms extends Construct {
  /** The rule sending successful task stops to the log group (the first, when its pattern is split over several). */
  public readonly rule: CloudwatchEventRule;
  /** The other rules ("1", "2", ...: one for_each block), when the pattern is split (or Terraform decides). */
  public readonly moreRules?: CloudwatchEventRule;
  /** Every rule's pattern as data, by key ("0" is {@link rule}'s); undefined when Terraform computes them. */
  public readonly patterns?: Record<string, Record<string, unknown>>;
  /** The run counter's log group: one JSON line per verdict, counted by the metric filters. */
  public readonly logGroup: CloudwatchLogGroup;
  /** The run counter: judges each stopped task by its essential containers. */
  public readonly counter: LambdaFunction;
  /** The alarms, by job name, when the runs are literal. */
  public readonly alarms: Record<string, CloudwatchMetricAlarm> = {};
  /** The one alarm block of every run (`for_each`), when Terraform knows the runs. */
  public readonly alarmPerRun?: CloudwatchMetricAlarm;
  /** ARNs of the alarms by job name: a map, or a Terraform map expression when Terraform knows the runs. */
  public readonly alarmArns: Record<string, string>;
  /** The metric namespace of the success counts. */
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: MissedRunAlarmsProps) {
    super(scope, id);
    const presence = props.presence ?? true;
    const given = props.expectedRuns;
    if (!Token.isUnresolved(given) && (given as readonly ExpectedRun[]).length === 0) {
      throw new InputError("expectedRuns", "expectedRuns = [] is invalid: expected at least one job to watch");
    }
    // Literal runs, checked now; undefined when Terraform knows them (or some of their values).
    const runs = holdsTokens(given) ? undefined : (given as readonly ExpectedRun[]).map(resolveExpectedRun);
    const names = new Set<string>();
    for (const r of runs ?? []) {
      if (names.has(r.name)) throw new InputError("expectedRuns", `expectedRuns name = "${r.name}" is invalid: expected a name no other expected run has`);
      names.add(r.name);
    }
    // A Terraform list of runs; a literal list holding expressions becomes one too.
    const runList = runs ? undefined : Token.isUnresolved(given) ? given : (given as readonly ExpectedRun[]).map(expectedRunObject);
    const rulesPresence = runList !== undefined && Token.isUnresolved(runList) ? allOf(presence, hcl`length(${runList}) > 0`) : presence;
    const count = countOf(rulesPresence);
    this.namespace = `ECSRerun/${props.name}`;

    // The run counter: EventBridge hands it the tasks that may have succeeded, it reads their task
    // definition's essential flags and logs one JSON line per verdict, which the filters count.
    this.logGroup = new CloudwatchLogGroup(this, "successful-runs", {
      count,
      name: `/aws/lambda/${props.name}-run-counter`,
      retentionInDays: props.logRetentionDays ?? 30,
    });
    const logGroupName = attributeOf(this.logGroup, "name");
    // One rule per part of the clusters' matchers: a long list is split to stay within EventBridge's
    // pattern size limit (pattern-bins.ts); rule "0" keeps the address it always had.
    const ruleName = `${props.name}-successful-runs`;
    const description = "Tasks on protected clusters that stopped after an essential container exited, one container with exit code 0";
    const hint = "no cluster list can do this; report it as a bug";
    const patterns = splitPatterns(
      this,
      "successful-run",
      holdsTokens(props.clusters)
        ? { matcherTexts: clusterArnMatcherTextsExpression(props.clusters), patternOf: successfulRunPatternExpression }
        : { literal: binnedPatterns(clusterArnMatchers(props.clusters), { patternOf: successfulRunPattern, rule: ruleName, hint }) },
      rulesPresence,
    );
    this.patterns = patterns.data;
    this.rule = new CloudwatchEventRule(this, "rule", { count, name: ruleName, description, eventPattern: patterns.first });
    if (!patterns.data) this.rule.lifecycle = { precondition: [patternSizePrecondition(patterns.first, ruleName, hint)] };
    const ruleArn = attributeOf(this.rule, "arn");
    let more: CloudwatchEventRule | undefined;
    if (patterns.later) {
      more = addLaterRules(this, "rule", { name: ruleName, description, later: patterns.later, hint }).rules;
      this.moreRules = more;
    }
    const role = addRole(this, "run-counter-role", { count, name: props.roleName, assumeRolePolicy: assumeRolePolicy("lambda.amazonaws.com", { sourceAccount: props.place.account }) }, props.roles ?? {});
    new IamRolePolicy(this, "run-counter-policy", {
      count,
      name: "read-task-definitions",
      role: attributeOf(role, "id"),
      policy: policyDocument(runCounterStatements(attributeOf(this.logGroup, "arn")), props.encoding),
    });
    this.counter = addPipelineFunction(this, {
      kind: "run-counter",
      functionName: `${props.name}-run-counter`,
      count,
      roleArn: attributeOf(role, "arn"),
      logs: this.logGroup,
      environment: {},
      packaging: props.packaging,
    });
    // Every rule sends to the counter, each with its own invoke permission.
    const counterArn = attributeOf(this.counter, "arn");
    const counterName = attributeOf(this.counter, "function_name");
    new LambdaPermission(this, "run-counter-from-rule", { count, statementId: "InvokeFromSuccessfulRunsRule", action: "lambda:InvokeFunction", functionName: counterName, principal: "events.amazonaws.com", sourceArn: ruleArn });
    new CloudwatchEventTarget(this, "to-run-counter", { count, rule: attributeOf(this.rule, "name"), targetId: "run-counter", arn: counterArn });
    if (more) {
      const each = TerraformIterator.fromResources(more);
      new LambdaPermission(this, "run-counter-from-more-rules", {
        forEach: each,
        statementId: `InvokeFromSuccessfulRunsRule-${each.key}`,
        action: "lambda:InvokeFunction",
        functionName: counterName,
        principal: "events.amazonaws.com",
        sourceArn: each.getString("arn"),
      });
      new CloudwatchEventTarget(this, "more-to-run-counter", { forEach: each, rule: each.getString("name"), targetId: "run-counter", arn: counterArn });
    }

    const actions = withTopic(props.topicArn, props.alarmActions);
    /** What every alarm shares: a sum of successes below one over the whole window. */
    const alarmOf = (config: Pick<CloudwatchMetricAlarmConfig, "alarmName" | "alarmDescription" | "metricName" | "period" | "evaluationPeriods" | "count" | "forEach">) => {
      const { alarmName, alarmDescription, metricName, period, evaluationPeriods, ...switched } = config;
      return {
        ...switched,
        alarmName,
        alarmDescription,
        namespace: this.namespace,
        metricName,
        statistic: "Sum",
        period,
        evaluationPeriods,
        datapointsToAlarm: evaluationPeriods,
        threshold: 1,
        comparisonOperator: "LessThanThreshold",
        // No datapoint is exactly what a missed run looks like.
        treatMissingData: "breaching",
        alarmActions: actions,
        okActions: actions,
      };
    };

    if (runs) {
      for (const run of runs) {
        const metricName = `SuccessfulRuns-${run.name}`;
        new CloudwatchLogMetricFilter(this, `count-${run.name}`, {
          count,
          name: `${props.name}-${run.name}-successful-runs`,
          logGroupName,
          pattern: successFilterPattern(run),
          metricTransformation: { namespace: this.namespace, name: metricName, value: "1", unit: "Count" },
        });
        const { period, evaluationPeriods } = missedRunAlarmShape(run.intervalSeconds, run.graceSeconds);
        this.alarms[run.name] = new CloudwatchMetricAlarm(
          this,
          `alarm-${run.name}`,
          alarmOf({
            count,
            alarmName: `${props.name}-${run.name}-missed-run`,
            alarmDescription: missedRunAlarmDescription(expectedRunSubject(run), run.intervalSeconds, run.graceSeconds, run.intervalSeconds + run.graceSeconds),
            metricName,
            period,
            evaluationPeriods,
          }),
        );
      }
      this.alarmArns = Object.fromEntries(Object.entries(this.alarms).map(([name, alarm]) => [name, attributeOf(alarm, "arn")]));
      return;
    }

    // One block per kind, one instance per run, keyed by its name: adding a run leaves the others alone.
    const byName = presence === true ? hcl`{ for r in ${runList} : r.name => r }` : hcl`{ for r in ${runList} : r.name => r if ${presence} }`;
    const each = TerraformIterator.fromMap(byName as unknown as Record<string, unknown>);
    const runName = each.getString("name");
    const interval = each.getNumber("interval_seconds");
    const grace = each.getNumber("grace_seconds");
    const texts = expectedRunTextsExpression(each.getString("family"), each.getString("started_by"));
    const metricName = `SuccessfulRuns-${runName}`;
    new CloudwatchLogMetricFilter(this, "success-count", {
      forEach: each,
      name: `${props.name}-${runName}-successful-runs`,
      logGroupName,
      pattern: Token.asString(texts.filterPattern),
      metricTransformation: { namespace: this.namespace, name: metricName, value: "1", unit: "Count" },
    });
    const shape = missedRunAlarmShapeExpression(interval, grace);
    this.alarmPerRun = new CloudwatchMetricAlarm(
      this,
      "alarm",
      alarmOf({
        forEach: each,
        alarmName: `${props.name}-${runName}-missed-run`,
        alarmDescription: missedRunAlarmDescription(Token.asString(texts.subject), each.getString("interval_seconds"), each.getString("grace_seconds"), Token.asString(hcl`${interval} + ${grace}`)),
        metricName,
        period: Token.asNumber(shape.period),
        evaluationPeriods: Token.asNumber(shape.evaluationPeriods),
      }),
    );
    this.alarmArns = Token.asStringMap(hcl`{ for name, alarm in ${this.alarmPerRun.fqn} : name => alarm.arn }`);
  }
}
