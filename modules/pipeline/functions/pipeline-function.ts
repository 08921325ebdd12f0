// One of the pipeline's Lambda functions with its package: a cdktf asset, or a zip Terraform reads
// from a directory (the Terraform module's). Created in the pipeline's own scope.
import type { Construct } from "constructs";
import { AssetType, Fn, TerraformAsset, Token, type IResolvable } from "cdktf";
import type { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { attributeOf } from "../../hcl/presence";
import { buildLambdaPackage, type LambdaName, type LambdaPackage } from "./lambda-package";

/** Where the pipeline's Lambda packages go. */
export interface FunctionPackaging {
  /** Where Terraform reads the zips (`<directory>/<name>.zip`); unset: each zip is a cdktf asset. @default undefined */
  readonly directory?: string;
  /** The packages to copy into `directory`, by function, filled in as functions are added. */
  readonly packages: Partial<Record<LambdaName, LambdaPackage>>;
}

/** Props of {@link addPipelineFunction}. */
export interface PipelineFunctionProps {
  /** Which Lambda entry point the function runs; also prefixes the IDs of the function and its asset. */
  readonly kind: LambdaName;
  /** The function's name. */
  readonly functionName: string;
  /** The count switching it, from `countOf`; undefined when it surely exists. @default undefined */
  readonly count?: number;
  /** ARN of its execution role. */
  readonly roleArn: string;
  /** Its log group, which it writes to and depends on. */
  readonly logs: CloudwatchLogGroup;
  /** Environment variables besides `NODE_OPTIONS`. */
  readonly environment: Record<string, string>;
  /** More variables only Terraform knows whether to set: a map expression merged over {@link environment}. @default undefined */
  readonly moreEnvironment?: IResolvable;
  /** Timeout, in seconds. @default 30 */
  readonly timeoutSeconds?: number;
  /** Where its package goes. */
  readonly packaging: FunctionPackaging;
}

/** Builds the function's package and adds the function (and its asset, if any) to `scope` itself. */
export function addPipelineFunction(scope: Construct, props: PipelineFunctionProps): LambdaFunction {
  const { kind, functionName, count, roleArn, logs, environment, timeoutSeconds = 30, packaging, moreEnvironment } = props;
  const pkg = buildLambdaPackage(kind);
  let filename: string;
  let sourceCodeHash: string;
  if (packaging.directory === undefined) {
    filename = new TerraformAsset(scope, `${kind}-package`, { path: pkg.zipPath, type: AssetType.FILE }).path;
    sourceCodeHash = pkg.sourceCodeHash;
  } else {
    // Hashed by Terraform from the file it uploads, so the hash follows whatever zip ships.
    filename = `${packaging.directory}/${kind}.zip`;
    sourceCodeHash = Token.asString(Fn.filebase64sha256(filename));
    packaging.packages[kind] = pkg;
  }
  const variables = { NODE_OPTIONS: "--enable-source-maps", ...environment };
  return new LambdaFunction(scope, `${kind}-function`, {
    count,
    functionName,
    role: roleArn,
    runtime: "nodejs22.x",
    architectures: ["arm64"],
    handler: "index.handler",
    filename,
    sourceCodeHash,
    memorySize: 256,
    timeout: timeoutSeconds,
    environment: { variables: moreEnvironment === undefined ? variables : Token.asStringMap(Fn.merge([variables, moreEnvironment])) },
    loggingConfig: { logFormat: "Text", logGroup: attributeOf(logs, "name") },
    dependsOn: [logs],
  });
}
