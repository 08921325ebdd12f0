/**
 * The pipeline's CloudWatch dashboard and the metric filters that feed it (pipeline-metrics.ts): what
 * the pipeline found, by which path, how each failure ended and how fast, what the pacer held back,
 * notices that failed and the missed-run alarms. A dashboard holds no data and needs no IAM, key or
 * alarm of its own; CloudWatch dashboards are global in an account ("All dashboards in your account
 * are global, not region-specific", CloudFormation User Guide, AWS::CloudWatch::Dashboard), so its
 * name carries the region, as IAM names do. Nothing of it runs in the drill: a dashboard has no local
 * twin; the drill checks instead that every metric it draws is really emitted.
 */
import { Construct } from "constructs";
import { Fn, Token, conditional, type IResolvable } from "cdktf";
import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter";
import { hcl } from "../../hcl/hcl-expression";
import { allOf, countOf, type Presence } from "../../hcl/presence";
import type { DocumentEncoding } from "../../iam";
import { dashboardBody, dashboardWidgets, missedRunsWidget, type DashboardInput } from "./dashboard-body";
import { PIPELINE_METRICS, pipelineNamespace, type MetricSource } from "./pipeline-metrics";

/** Props of {@link PipelineDashboard}. */
export interface PipelineDashboardProps extends Omit<DashboardInput, "namespace"> {
  /** Whether it exists: `true`, or a Terraform bool expression that count-switches it. */
  readonly presence: Presence;
  /** Log group names of the lines the filters read. */
  readonly logGroups: Readonly<Record<MetricSource, string>>;
  /** Whether reruns are paced (the LaunchesPaced filter exists only then). */
  readonly paced: Presence;
  /** ARNs of the missed-run alarms by job: a map, or a Terraform map expression; none: no such widget. @default none */
  readonly missedRunAlarmArns?: Readonly<Record<string, string>>;
  /** How the body is written: JSON text, or `jsonencode(...)` when inputs are Terraform expressions. */
  readonly encoding: DocumentEncoding;
}

export class PipelineDashboard extends Construct {
  /** The dashboard (`<name>-<region>`). */
  public readonly dashboard: CloudwatchDashboard;
  /** The metric filters, by metric key of PIPELINE_METRICS. */
  public readonly filters: Record<string, CloudwatchLogMetricFilter> = {};

  constructor(scope: Construct, id: string, props: PipelineDashboardProps) {
    super(scope, id);
    // In a module the name is an expression: joined by Terraform, not by a template inside jsonencode.
    const namespace = Token.isUnresolved(props.name) ? Token.asString(Fn.join("", [pipelineNamespace(""), props.name])) : pipelineNamespace(props.name);
    const input: DashboardInput = { ...props, namespace };
    for (const [key, spec] of Object.entries(PIPELINE_METRICS)) {
      const presence = "pacedOnly" in spec && spec.pacedOnly ? allOf(props.presence, props.paced) : props.presence;
      if (presence === false) continue;
      this.filters[key] = new CloudwatchLogMetricFilter(this, key, {
        count: countOf(presence),
        name: `${props.name}-${spec.metric}`,
        logGroupName: props.logGroups[spec.source],
        pattern: spec.pattern,
        metricTransformation: { namespace, name: spec.metric, value: spec.value, unit: spec.unit },
      });
    }
    const arns = props.missedRunAlarmArns;
    let body: string;
    if (arns !== undefined && Token.isUnresolved(arns)) {
      // Runs only Terraform knows: the alarms' widget when there are any (an alarm widget lists at least one).
      const list = Fn.values(arns as unknown as IResolvable);
      const widgets = Fn.concat([dashboardWidgets(input), conditional(hcl`length(${list}) > 0`, [missedRunsWidget(Token.asList(list))], [])]);
      body = Token.asString(Fn.jsonencode({ widgets }));
    } else {
      const document = dashboardBody(input, Object.values(arns ?? {}));
      body = props.encoding === "jsonencode" ? Token.asString(Fn.jsonencode(document)) : JSON.stringify(document);
    }
    this.dashboard = new CloudwatchDashboard(this, "dashboard", { count: countOf(props.presence), dashboardName: Token.isUnresolved(props.name) || Token.isUnresolved(props.region) ? Token.asString(Fn.join("-", [props.name, props.region])) : `${props.name}-${props.region}`, dashboardBody: body });
  }
}
