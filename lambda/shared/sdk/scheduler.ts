/** The EventBridge Scheduler client and the commands the rerun Lambda sends, loaded lazily as one piece (../lazy-client.ts says why). */
export { GetScheduleCommand, ListSchedulesCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
