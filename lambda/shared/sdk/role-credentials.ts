/** STS AssumeRole credentials (a hub's, in a spoke's place), loaded lazily (../lazy-client.ts says why). */
export { fromTemporaryCredentials } from "@aws-sdk/credential-providers";
