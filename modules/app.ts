import type { App } from "cdktf";
import { readOverrides, type ClusterStackConfig } from "./config";
import { EcsClusterStack } from "./ecs-cluster-stack";

/** The demo's scheduled job: prints the date once a day, so leaving it deployed costs cents. */
export const DEMO_TASKS: ClusterStackConfig["scheduledTasks"] = [
  {
    name: "print-date",
    schedule: "rate(1 day)",
    image: "public.ecr.aws/docker/library/busybox:1.37",
    command: ["sh", "-c", "date -u +%Y-%m-%dT%H:%M:%SZ"],
    cpu: 128,
    memory: 64,
  },
];

/** Builds every stack of the app; `main.ts` synthesizes it, tests and benchmarks build it in memory. */
export function buildApp(app: App, env: NodeJS.ProcessEnv): { cluster: EcsClusterStack } {
  const o = readOverrides(env, (key) => app.node.tryGetContext(key));
  const cluster = new EcsClusterStack(app, "ecs-cluster", {
    region: o.region,
    clusterName: o.clusterName,
    network: o.vpcId ? { kind: "existing", vpcId: o.vpcId, subnetIds: o.subnetIds ?? [] } : undefined,
    alarmActions: o.alarmActions,
    scheduledTasks: DEMO_TASKS,
  });
  return { cluster };
}
