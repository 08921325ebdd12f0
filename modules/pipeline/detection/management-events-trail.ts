/** The CloudTrail trail that delivers management events to EventBridge, for accounts that have none. */
import { Construct } from "constructs";
import { Token, type IResolvable } from "cdktf";
import { Cloudtrail } from "@cdktf/provider-aws/lib/cloudtrail";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { hcl } from "../../hcl/hcl-expression";
import type { AwsPlace } from "../iam/pipeline-policies";
import { attributeOf, countOf, type Presence } from "../../hcl/presence";

/** Props of {@link ManagementEventsTrail}. */
export interface ManagementEventsTrailProps {
  /** Trail name; also prefixes the bucket's name. */
  readonly name: string;
  /** Account, region and partition (for the bucket policy's conditions). */
  readonly place: AwsPlace;
  /** Whether it exists: a Terraform bool expression count-switches every resource. @default true */
  readonly presence?: Presence;
  /**
   * Let a destroy delete the bucket with the logs in it: `true`, `false`, or a Terraform bool
   * expression. Off, a destroy stops at the non-empty bucket, so the account's audit trail is never
   * deleted by accident. @default false
   */
  readonly forceDestroy?: boolean | IResolvable;
}

/** Prefix of the bucket's name: S3 wants lower case, and leaves room for its random suffix. */
function bucketPrefix(trailName: string): string {
  return Token.isUnresolved(trailName) ? Token.asString(hcl`substr(lower("${trailName}-"), 0, 37)`) : `${trailName}-`.slice(0, 37).toLowerCase();
}

/**
 * A trail logging write management events. EventBridge only receives "AWS API Call via CloudTrail"
 * events for calls that some trail logs; without one the rule never fires. One per account and
 * region is enough, which is why creating it is optional.
 */
export class ManagementEventsTrail extends Construct {
  /** The trail. */
  public readonly trail: Cloudtrail;
  /** The bucket it writes to. */
  public readonly bucket: S3Bucket;

  constructor(scope: Construct, id: string, props: ManagementEventsTrailProps) {
    super(scope, id);
    const { place } = props;
    const count = countOf(props.presence ?? true);
    // S3 deletes only an empty bucket. force_destroy takes effect only once applied: the provider reads
    // it from state at destroy time (Terraform AWS provider, aws_s3_bucket, force_destroy).
    this.bucket = new S3Bucket(this, "bucket", { count, bucketPrefix: bucketPrefix(props.name), forceDestroy: props.forceDestroy ?? false });
    const bucketId = attributeOf(this.bucket, "id");
    const bucketArn = attributeOf(this.bucket, "arn");
    new S3BucketPublicAccessBlock(this, "bucket-private", {
      count,
      bucket: bucketId,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketServerSideEncryptionConfigurationA(this, "bucket-encryption", {
      count,
      bucket: bucketId,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    });
    const trailArn = `arn:${place.partition}:cloudtrail:${place.region}:${place.account}:trail/${props.name}`;
    const policy = new S3BucketPolicy(this, "bucket-policy", {
      count,
      bucket: bucketId,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "CloudTrailChecksAcl",
            Effect: "Allow",
            Principal: { Service: "cloudtrail.amazonaws.com" },
            Action: "s3:GetBucketAcl",
            Resource: bucketArn,
            Condition: { StringEquals: { "aws:SourceArn": trailArn } },
          },
          {
            Sid: "CloudTrailWritesThisTrailOnly",
            Effect: "Allow",
            Principal: { Service: "cloudtrail.amazonaws.com" },
            Action: "s3:PutObject",
            Resource: `${bucketArn}/AWSLogs/${place.account}/*`,
            Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trailArn } },
          },
        ],
      }),
    });
    this.trail = new Cloudtrail(this, "trail", {
      count,
      name: props.name,
      s3BucketName: bucketId,
      includeGlobalServiceEvents: true,
      isMultiRegionTrail: false,
      enableLogFileValidation: true,
      eventSelector: [{ readWriteType: "WriteOnly", includeManagementEvents: true }],
      dependsOn: [policy],
    });
  }
}
