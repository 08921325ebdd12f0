/** The EventBridge client and the commands the rerun Lambda sends, loaded lazily as one piece (../lazy-client.ts says why). */
export { EventBridgeClient, ListRuleNamesByTargetCommand, ListTargetsByRuleCommand } from "@aws-sdk/client-eventbridge";
